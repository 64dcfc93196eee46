#pragma once
// When to try a delivery again, from the destination's answer. Pure.
//   OK                      delivered
//   Unavailable             timeout, connection error, 5xx, 429: retry with exponential backoff
//                           and jitter, or after Retry-After when the answer carried one
//   anything else           a 4xx other than 429, a refused address, a bad URL: give up now
// A delivery older than give_up_after (since its first attempt) is given up as well.
#include <optional>

#include "absl/random/bit_gen_ref.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace ww::delivery {

struct Backoff {
  absl::Duration initial = absl::Seconds(1);
  absl::Duration max = absl::Minutes(10);
  double jitter = 0.2;  // the wait is scaled by a uniform factor in [1 - jitter, 1 + jitter]
};

struct Decision {
  enum class Kind { kDelivered, kRetry, kGiveUp };
  Kind kind = Kind::kDelivered;
  absl::Time next_attempt;  // kRetry
};

// `attempts`: attempts made so far, this one included (>= 1). `retry_after`: the answer's
// Retry-After, if any (fetch::RetryAfter(answer)); it is honoured up to give_up_after.
Decision Decide(const absl::Status& answer, int attempts, absl::Time first_attempt, absl::Time now,
                absl::Duration give_up_after, std::optional<absl::Duration> retry_after,
                const Backoff& backoff, absl::BitGenRef random);

}  // namespace ww::delivery
