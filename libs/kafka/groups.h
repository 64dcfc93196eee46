#pragma once
// Consumer groups for operators (wwctl groups, wwctl offsets): list, describe with lag, and
// reset committed offsets. Lag is computed like kafka-consumer-groups: log end offset (high
// watermark) minus the committed offset. Blocking; thread-compatible.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kafka/record.h"

namespace ww::kafka {

struct GroupListing {
  std::string group;
  std::string state;  // Stable, Empty, PreparingRebalance, CompletingRebalance, Dead, Unknown
  bool simple = false;  // offsets only, no group protocol
};

struct GroupMember {
  std::string member_id;
  std::string client_id;
  std::string host;
  std::vector<std::pair<std::string, int32_t>> assignment;  // topic, partition
};

struct PartitionLag {
  std::string topic;
  int32_t partition = -1;
  int64_t committed = -1;  // -1: no committed offset
  int64_t log_end = -1;    // high watermark
  int64_t lag = -1;        // log_end - committed; -1 when there is no committed offset
  std::string member_id;   // the member it is assigned to, if any
};

struct GroupDescription {
  std::string group;
  std::string state;
  std::vector<GroupMember> members;
  std::vector<PartitionLag> partitions;  // sorted by topic, partition
  int64_t total_lag = 0;
};

// Groups known to the cluster, sorted by name. Unavailable when no broker answers.
absl::StatusOr<std::vector<GroupListing>> ListGroups(const ClientConfig& config);

// State, members and per-partition lag of `group`. NotFound when the group has neither
// members nor committed offsets.
absl::StatusOr<GroupDescription> DescribeGroup(const ClientConfig& config,
                                               const std::string& group);

struct OffsetReset {
  enum class Kind { kEarliest, kLatest, kTime, kShift };
  Kind kind = Kind::kLatest;
  int64_t time_ms = 0;  // kTime
  int64_t shift = 0;    // kShift: added to the committed offset (negative goes back)
};

struct OffsetChange {
  int32_t partition = -1;
  int64_t current = -1;  // -1: none committed
  int64_t target = -1;   // clamped to [low watermark, high watermark]
};

// What a reset of `group` on every partition of `topic` would do. NotFound for an unknown
// topic.
absl::StatusOr<std::vector<OffsetChange>> PlanOffsetReset(const ClientConfig& config,
                                                          const std::string& group,
                                                          const std::string& topic,
                                                          const OffsetReset& reset);

// Commits the planned targets. FailedPrecondition while the group has active members
// (stop the consumers first).
absl::Status ApplyOffsetReset(const ClientConfig& config, const std::string& group,
                              const std::string& topic, const std::vector<OffsetChange>& plan);

}  // namespace ww::kafka
