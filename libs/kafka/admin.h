#pragma once
// Topic administration: what `wwctl topics` and the tests use. Topics are created by the
// project, never auto-created by a broker. Blocking; thread-compatible.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kafka/record.h"

namespace ww::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  std::map<std::string, std::string> configs;  // e.g. cleanup.policy=compact
};

struct TopicInfo {
  std::string name;
  int partitions = 0;
  int64_t messages = 0;  // sum over partitions of (high watermark - low watermark)
};

struct PartitionDescription {
  int32_t partition = -1;
  int32_t leader = -1;  // broker id
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;  // in-sync replicas
  int64_t low = 0;           // low watermark: the first offset still stored
  int64_t high = 0;          // high watermark: the next offset to be written
};

struct TopicDescription {
  std::string name;
  int replication_factor = 0;                    // replicas of partition 0 (Kafka keeps them equal)
  std::vector<PartitionDescription> partitions;  // by partition
  // Every topic config the broker reports (retention.ms, cleanup.policy, ...), defaults
  // included; sensitive values are empty. `overridden` names the ones set on the topic.
  std::map<std::string, std::string> configs;
  std::set<std::string> overridden;
};

// Creates each topic that does not exist yet; an existing topic is left as it is.
absl::Status EnsureTopics(const ClientConfig& config, const std::vector<TopicSpec>& topics);
absl::Status DeleteTopics(const ClientConfig& config, const std::vector<std::string>& names);
// Topics whose name does not start with "__" (internal), sorted by name.
absl::StatusOr<std::vector<TopicInfo>> ListTopics(const ClientConfig& config);
// Partitions, replicas, watermarks and configs (DescribeConfigs) of each topic, in the
// order given. NotFound names the first unknown topic; Unavailable when no broker answers.
absl::StatusOr<std::vector<TopicDescription>> DescribeTopics(const ClientConfig& config,
                                                             const std::vector<std::string>& names);
// Low and high watermark of each partition of `topic` (index = partition).
absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> Watermarks(const ClientConfig& config,
                                                                    const std::string& topic);
// Per partition, the offset of the first record at or after `time_ms` (the high watermark
// where there is none).
absl::StatusOr<std::map<int32_t, int64_t>> OffsetsForTime(const ClientConfig& config,
                                                          const std::string& topic,
                                                          int64_t time_ms);
// Committed offset of `group` for each partition of `topic` (-1 when none).
absl::StatusOr<std::vector<int64_t>> CommittedOffsets(const ClientConfig& config,
                                                      const std::string& group,
                                                      const std::string& topic);

}  // namespace ww::kafka
