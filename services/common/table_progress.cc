#include "services/common/table_progress.h"

#include <algorithm>

namespace ww::services {

void TableProgress::Advance(int32_t partition, int64_t offset) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = read_.try_emplace(partition, offset);
  if (!inserted) it->second = std::max(it->second, offset);
}

bool TableProgress::AwaitRead(const std::map<int32_t, int64_t>& written, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (const auto& [p, off] : written) {
      auto it = read_.find(p);
      if (it == read_.end() || it->second < off) return false;
    }
    return true;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
}

}  // namespace ww::services
