#pragma once
// When to poll a feed next: a per-feed interval with jitter, exponential backoff with a ceiling
// on errors, the server's Retry-After (429/503) honoured, and health: a feed failing without
// a break for `unhealthy_after` is marked unhealthy, never dropped, and keeps being polled at
// the backoff ceiling.
//
// Pure: the caller passes the clock's time in, so tests drive it with a fake clock. Jitter is
// derived from the feed id and the attempt number, not from a random source, so that replicas
// and tests agree while feeds that share an interval still spread out. Thread-compatible.
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace ww::services {

struct ScheduleOptions {
  absl::Duration interval = absl::Minutes(5);        // between successful polls
  double jitter = 0.1;                               // +-10% of the delay
  absl::Duration max_backoff = absl::Hours(6);       // ceiling of the error backoff
  absl::Duration max_retry_after = absl::Hours(24);  // longer Retry-After values are capped
  absl::Duration unhealthy_after = absl::Hours(72);
};

// The schedule-relevant part of a feed's state (mirrored in ww.v1.FeedState).
struct FeedHealth {
  int consecutive_failures = 0;
  absl::Time first_failure = absl::InfinitePast();  // start of the current failure streak
  absl::Time last_success = absl::InfinitePast();
  std::string last_error;
  bool healthy = true;
  absl::Time next_poll = absl::InfinitePast();  // due immediately
};

class FeedSchedule {
 public:
  explicit FeedSchedule(ScheduleOptions options) : options_(options) {}

  // A poll succeeded (200 or 304) at `now`: the failure streak ends, health returns and the
  // next poll is one interval (with jitter) away.
  void OnSuccess(const std::string& feed_id, absl::Time now, FeedHealth* health) const;

  // A poll failed at `now` with `error`: the delay doubles with each consecutive failure from
  // one interval up to max_backoff (with jitter); a `retry_after` from the server pushes the
  // next poll at least that far (capped at max_retry_after). Health turns false once the
  // streak is older than unhealthy_after.
  void OnFailure(const std::string& feed_id, absl::Time now, const absl::Status& error,
                 std::optional<absl::Duration> retry_after, FeedHealth* health) const;

  bool Due(const FeedHealth& health, absl::Time now) const { return health.next_poll <= now; }

  // The delay before attempt `failures` (0 = after a success), before jitter.
  absl::Duration BaseDelay(int failures) const;
  // `delay` moved by up to +-jitter, deterministically for (feed_id, attempt).
  absl::Duration Jittered(const std::string& feed_id, int attempt, absl::Duration delay) const;

 private:
  ScheduleOptions options_;
};

}  // namespace ww::services
