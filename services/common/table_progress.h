#pragma once
// How far a replica has read a compacted table topic (watchlist, rules), so that a gRPC
// write can answer once this replica sees its own write. Thread-safe.
#include <cstdint>
#include <map>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace ww::services {

class TableProgress {
 public:
  void Advance(int32_t partition, int64_t offset);
  // Blocks until every (partition, offset) in `written` has been read; false after
  // `timeout`.
  bool AwaitRead(const std::map<int32_t, int64_t>& written, absl::Duration timeout);

 private:
  absl::Mutex mu_;
  std::map<int32_t, int64_t> read_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ww::services
