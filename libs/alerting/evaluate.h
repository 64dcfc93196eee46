#pragma once
// Rule evaluation over one tagged article: does the rule fire, why, and on which mentions.
// Pure and thread-safe.
#include <cstdint>
#include <string>
#include <vector>

#include "libs/alerting/rule.h"

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
  std::string source;
  std::string language;
  std::string title;
  std::string text;
  std::vector<EntityMention> mentions;
};

struct RuleResult {
  bool fired = false;
  std::string why;                      // e.g. "all of [kim-jong-un (3), vladimir-putin (2)]"
  std::vector<std::string> entities;    // entities that matched, in rule order
  std::vector<EntityMention> mentions;  // their mentions (within `where`), in text order
};

// Evaluates `rule`. A rule fires when its source and language filters admit the article,
// its expression holds over the mentions inside `where` ("lead" is the first non-empty
// paragraph of the text), and the mentions of its entities number at least min_mentions.
// "near" holds when mentions of all its entities fall within `words` words of each other
// in one field.
RuleResult EvaluateRule(const Rule& rule, const TaggedStory& story);

// The id of the alert for `rule_id` on the story `cluster_id`; `epoch` counts re-raises of
// the same rule on the same story after its cooldown (0 for the first).
std::string AlertId(const std::string& rule_id, const std::string& cluster_id, int64_t epoch = 0);

}  // namespace ww::alerting
