#pragma once
// Rule evaluation over one tagged article. For now the only rule is the implicit one per
// watched entity: "this entity is mentioned" (rule id "mention:<entity id>"). Richer rules
// (all / any / not, proximity, cooldown) replace it without changing this interface.
#include <cstdint>
#include <string>
#include <vector>

namespace ww::alerting {

struct EntityMention {
  std::string entity_id;
  std::string alias;
  std::string field;  // "title" or "text"
  uint32_t start = 0;
  uint32_t end = 0;
  std::string text;
  std::string snippet;
};

struct TaggedStory {
  std::string article_id;
  std::string cluster_id;  // the story; equals article_id for the first copy
  std::vector<EntityMention> mentions;
};

struct AlertDecision {
  std::string alert_id;  // deterministic: the same rule and story give the same id
  std::string rule_id;
  std::string entity_id;
  std::vector<EntityMention> mentions;  // this entity's mentions, in text order
};

// One decision per rule that fires, in order of each entity's first mention. Thread-safe.
std::vector<AlertDecision> Evaluate(const TaggedStory& story);

// The id of the alert for `rule_id` on the story `cluster_id`.
std::string AlertId(const std::string& rule_id, const std::string& cluster_id);

}  // namespace ww::alerting
