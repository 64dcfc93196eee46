#pragma once
// A saved offset-reset plan (`wwctl offsets reset --export FILE`, reused with --from-file):
// which group, which topic, and the target offset of each partition, as JSON:
//   {"group": "ww-tagger", "topic": "ww.articles.unique",
//    "partitions": [{"partition": 0, "current": 120, "target": 100}, ...]}
// "current" is informational; only "target" is applied.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kafka/groups.h"

namespace ww::wwctl {

struct OffsetPlan {
  std::string group;
  std::string topic;
  std::vector<kafka::OffsetChange> changes;
};

std::string OffsetPlanToJson(const OffsetPlan& plan);

// InvalidArgument says what is missing or malformed (not JSON, no group, a negative target,
// a partition listed twice...).
absl::StatusOr<OffsetPlan> OffsetPlanFromJson(const std::string& text);

}  // namespace ww::wwctl
