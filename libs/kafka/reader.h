#pragma once
// Reads every partition of one topic without a consumer group: for tables rebuilt from a
// compacted topic (watchlist, rules) and for tails (alerts to subscribers, wwctl).
// Reads committed records only. Not thread-safe: one thread polls.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/record.h"

namespace ww::kafka {

enum class StartFrom { kBeginning, kEnd };

// Where each partition starts: at given next-offsets (a resume cursor; partitions not
// listed start at the beginning), or at the first record at or after a time.
struct StartAt {
  std::map<int32_t, int64_t> offsets;
  int64_t time_ms = -1;  // >= 0: by time instead of offsets
  bool at_end = false;   // every partition at its end (only what comes next)
};

class TopicReader {
 public:
  // NotFound when the topic does not exist; Unavailable when no broker answers in time.
  static absl::StatusOr<std::unique_ptr<TopicReader>> Create(const ClientConfig& config,
                                                             const std::string& topic,
                                                             StartFrom start);
  static absl::StatusOr<std::unique_ptr<TopicReader>> Create(const ClientConfig& config,
                                                             const std::string& topic,
                                                             const StartAt& start);
  ~TopicReader();

  // Next offset to be read per partition (what a resume cursor records).
  std::map<int32_t, int64_t> positions() const;

  // Returns up to `max` records, waiting at most `timeout` for the first one.
  std::vector<Record> Poll(absl::Duration timeout, size_t max = 500);

  // True once every partition has been read to its end at least once since Create.
  bool caught_up() const;

 private:
  struct Impl;
  explicit TopicReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ww::kafka
