#pragma once
// Reads every partition of one topic without a consumer group: for tables rebuilt from a
// compacted topic (watchlist, rules) and for tails (alerts to subscribers, wwctl).
// Reads committed records only. Not thread-safe: one thread polls.
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/record.h"

namespace ww::kafka {

enum class StartFrom { kBeginning, kEnd };

class TopicReader {
 public:
  // NotFound when the topic does not exist; Unavailable when no broker answers in time.
  static absl::StatusOr<std::unique_ptr<TopicReader>> Create(const ClientConfig& config,
                                                             const std::string& topic,
                                                             StartFrom start);
  ~TopicReader();

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
