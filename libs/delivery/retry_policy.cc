#include "libs/delivery/retry_policy.h"

#include <algorithm>

namespace ww::delivery {
namespace {

// initial * 2^(attempts-1), capped at `max`, then scaled by the jitter factor so that
// deliveries failed together by one outage do not come back together.
absl::Duration BackoffWait(int attempts, const Backoff& b, absl::BitGenRef random) {
  absl::Duration wait = b.initial;
  // Doubling step by step stops at the cap, where 2^(attempts-1) would overflow.
  for (int i = 1; i < attempts && wait < b.max; ++i) wait *= 2;
  wait = std::min(wait, b.max);
  if (b.jitter > 0) wait *= absl::Uniform(random, 1 - b.jitter, 1 + b.jitter);
  return std::max(wait, absl::ZeroDuration());
}

}  // namespace

Decision Decide(const absl::Status& answer, int attempts, absl::Time first_attempt, absl::Time now,
                absl::Duration give_up_after, std::optional<absl::Duration> retry_after,
                const Backoff& backoff, absl::BitGenRef random) {
  if (answer.ok()) return {Decision::Kind::kDelivered, {}};
  // Only what waiting can fix is retried: the fetch layer maps timeouts, connection errors,
  // 5xx and 429 to Unavailable, and everything else to a status a retry would only repeat.
  if (answer.code() != absl::StatusCode::kUnavailable) return {Decision::Kind::kGiveUp, {}};
  const absl::Duration wait = retry_after.has_value()
                                  ? std::max(*retry_after, absl::ZeroDuration())
                                  : BackoffWait(std::max(attempts, 1), backoff, random);
  const absl::Time next = now + wait;
  if (next > first_attempt + give_up_after) return {Decision::Kind::kGiveUp, {}};
  return {Decision::Kind::kRetry, next};
}

}  // namespace ww::delivery
