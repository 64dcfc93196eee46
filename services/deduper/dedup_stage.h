#pragma once
// The deduper's stage function: Article in, Article out to the unique topic (cluster id
// set) or to the duplicates topic (cluster id of the first copy, ww-duplicate-of header).
// Not thread-safe: one stage loop owns it.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/dedup/exact_window.h"
#include "libs/kafka/record.h"

namespace ww::services {

class DedupStage {
 public:
  DedupStage(std::string unique_topic, std::string duplicates_topic, int64_t window_ms)
      : unique_topic_(std::move(unique_topic)),
        duplicates_topic_(std::move(duplicates_topic)),
        window_(window_ms) {}

  // InvalidArgument for a record that is not an Article (it goes to the dead letters).
  absl::StatusOr<std::vector<kafka::OutRecord>> Process(const kafka::Record& in);

  // Rebuilds the window from a record of the unique topic (on start).
  void Remember(const kafka::Record& unique_record);

  void Commit() { window_.Commit(); }
  void Rollback() { window_.Rollback(); }
  size_t window_size() const { return window_.size(); }

 private:
  std::string unique_topic_;
  std::string duplicates_topic_;
  dedup::ExactWindow window_;
};

}  // namespace ww::services
