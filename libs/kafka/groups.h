#pragma once
// Consumer groups for operators (wwctl groups, wwctl offsets): list, describe with lag, and
// reset committed offsets. Lag is computed like kafka-consumer-groups: log end offset (high
// watermark) minus the committed offset; time lag is the age of the oldest unconsumed record.
// Blocking; thread-compatible.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kafka/record.h"

namespace ww::kafka {

struct GroupListing {
  std::string group;
  std::string state;    // Stable, Empty, PreparingRebalance, CompletingRebalance, Dead, Unknown
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
  // Age of the oldest unconsumed record: now minus the timestamp of the first record at or
  // after the committed offset; 0 when caught up (or the record is from the future), -1
  // when there is no committed offset or the record could not be read in time.
  int64_t time_lag_ms = -1;
  std::string member_id;  // the member it is assigned to, if any
};

struct GroupDescription {
  std::string group;
  std::string state;
  std::vector<GroupMember> members;
  std::vector<PartitionLag> partitions;  // sorted by topic, partition
  int64_t total_lag = 0;
  int64_t max_time_lag_ms = 0;  // the largest time lag of any partition
};

// Groups known to the cluster, sorted by name. Unavailable when no broker answers.
absl::StatusOr<std::vector<GroupListing>> ListGroups(const ClientConfig& config);

// State, members and per-partition lag of `group`. NotFound when the group has neither
// members nor committed offsets.
absl::StatusOr<GroupDescription> DescribeGroup(const ClientConfig& config,
                                               const std::string& group);

struct OffsetReset {
  enum class Kind { kEarliest, kLatest, kTime, kShift, kExplicit };
  Kind kind = Kind::kLatest;
  int64_t time_ms = 0;  // kTime
  int64_t shift = 0;    // kShift: added to the committed offset (negative goes back)
  // kExplicit: the target offset of each listed partition (a saved plan); partitions not
  // listed are left out of the plan.
  std::map<int32_t, int64_t> offsets;
};

struct OffsetChange {
  int32_t partition = -1;
  int64_t current = -1;  // -1: none committed
  int64_t target = -1;   // clamped to [low watermark, high watermark]
};

// What a reset of `group` on every partition of `topic` would do (for kExplicit: on the
// listed partitions). NotFound for an unknown topic; InvalidArgument for a listed partition
// the topic does not have.
absl::StatusOr<std::vector<OffsetChange>> PlanOffsetReset(const ClientConfig& config,
                                                          const std::string& group,
                                                          const std::string& topic,
                                                          const OffsetReset& reset);

// Commits the planned targets. FailedPrecondition while the group has active members
// (stop the consumers first).
absl::Status ApplyOffsetReset(const ClientConfig& config, const std::string& group,
                              const std::string& topic, const std::vector<OffsetChange>& plan);

}  // namespace ww::kafka
