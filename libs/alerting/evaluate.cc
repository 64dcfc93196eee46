#include "libs/alerting/evaluate.h"

#include "libs/runtime/ids.h"

namespace ww::alerting {

std::string AlertId(const std::string& rule_id, const std::string& cluster_id) {
  return runtime::DeterministicId("al", {rule_id, cluster_id});
}

std::vector<AlertDecision> Evaluate(const TaggedStory& story) {
  std::vector<AlertDecision> out;
  const std::string& story_id = story.cluster_id.empty() ? story.article_id : story.cluster_id;
  for (const EntityMention& m : story.mentions) {
    AlertDecision* d = nullptr;
    for (AlertDecision& existing : out) {
      if (existing.entity_id == m.entity_id) d = &existing;
    }
    if (d == nullptr) {
      std::string rule_id = "mention:" + m.entity_id;
      out.push_back({AlertId(rule_id, story_id), rule_id, m.entity_id, {}});
      d = &out.back();
    }
    d->mentions.push_back(m);
  }
  return out;
}

}  // namespace ww::alerting
