#include "libs/runtime/retry.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/runtime/log.h"
#include "libs/runtime/shutdown.h"

namespace ww::runtime {

absl::Duration Backoff::Next() {
  absl::Duration d = options_.initial;
  for (int i = 0; i < attempts_ && d < options_.max; ++i) d *= 2;
  d = std::min(d, options_.max);
  ++attempts_;
  thread_local std::minstd_rand rng(std::random_device{}());
  const double jitter = std::uniform_real_distribution<double>(0.0, 0.2)(rng);
  return d * (1.0 - jitter);
}

bool IsTransient(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) || absl::IsAborted(status);
}

bool SleepUnlessStopped(absl::Duration d, const std::function<bool()>& stopped) {
  const absl::Time until = absl::Now() + d;
  while (!stopped()) {
    const absl::Duration left = until - absl::Now();
    if (left <= absl::ZeroDuration()) return true;
    absl::SleepFor(std::min(left, absl::Milliseconds(100)));
  }
  return false;
}

absl::Status RetryTransient(std::string_view what, const std::function<absl::Status()>& attempt,
                            const std::function<bool()>& stopped, BackoffOptions options) {
  static const Logger log("retry");
  Backoff backoff(options);
  while (!stopped()) {
    absl::Status s = attempt();
    if (s.ok() || !IsTransient(s)) {
      if (s.ok() && backoff.attempts() > 0) {
        log.Info(absl::StrCat(std::string(what), ": done after waiting"),
                 {{"attempts", backoff.attempts() + 1}});
      }
      return s;
    }
    const absl::Duration wait = backoff.Next();
    log.Warn(absl::StrCat(std::string(what), ": waiting"),
             {{"error", s.ToString()},
              {"attempt", backoff.attempts()},
              {"retry_in_ms", absl::ToInt64Milliseconds(wait)}});
    if (!SleepUnlessStopped(wait, stopped)) break;
  }
  return absl::CancelledError(absl::StrCat(std::string(what), ": stopped while waiting"));
}

bool ShutdownRequested() { return Shutdown::Install().requested(); }

}  // namespace ww::runtime
