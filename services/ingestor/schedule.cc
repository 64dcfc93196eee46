#include "services/ingestor/schedule.h"

#include <algorithm>
#include <functional>

#include "absl/strings/str_cat.h"
#include "libs/runtime/ids.h"

namespace ww::services {

absl::Duration FeedSchedule::BaseDelay(int failures) const {
  absl::Duration d = options_.interval;
  for (int i = 0; i < failures && d < options_.max_backoff; ++i) d *= 2;
  return std::min(d, std::max(options_.max_backoff, options_.interval));
}

absl::Duration FeedSchedule::Jittered(const std::string& feed_id, int attempt,
                                      absl::Duration delay) const {
  if (options_.jitter <= 0) return delay;
  // Stable across processes, unlike std::hash.
  const uint64_t h = runtime::Fnv1a64(absl::StrCat(feed_id, "#", attempt));
  double unit = static_cast<double>(h % 1000001) / 1000000.0;  // [0, 1]
  double factor = 1.0 + options_.jitter * (2.0 * unit - 1.0);
  return delay * factor;
}

void FeedSchedule::OnSuccess(const std::string& feed_id, absl::Time now, FeedHealth* health) const {
  health->consecutive_failures = 0;
  health->first_failure = absl::InfinitePast();
  health->last_success = now;
  health->last_error.clear();
  health->healthy = true;
  health->next_poll = now + Jittered(feed_id, 0, options_.interval);
}

void FeedSchedule::OnFailure(const std::string& feed_id, absl::Time now, const absl::Status& error,
                             std::optional<absl::Duration> retry_after, FeedHealth* health) const {
  if (health->consecutive_failures == 0) health->first_failure = now;
  ++health->consecutive_failures;
  health->last_error = error.ToString();
  if (now - health->first_failure >= options_.unhealthy_after) health->healthy = false;
  absl::Duration delay =
      Jittered(feed_id, health->consecutive_failures, BaseDelay(health->consecutive_failures));
  if (retry_after.has_value()) {
    delay = std::max(delay, std::min(*retry_after, options_.max_retry_after));
  }
  health->next_poll = now + delay;
}

}  // namespace ww::services
