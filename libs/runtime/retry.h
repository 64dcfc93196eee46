#pragma once
// Waiting out what time fixes: a broker that is away, a coordinator that moves, a topic
// whose leader is being elected. One backoff policy for the project, and one loop that
// retries an operation while it fails transiently, saying so once per attempt, until it
// succeeds, fails for a reason waiting cannot fix, or the process is asked to stop.
#include <functional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ww::runtime {

struct BackoffOptions {
  absl::Duration initial = absl::Milliseconds(500);
  absl::Duration max = absl::Seconds(30);
};

// Doubling waits from `initial` up to `max`, each shortened by up to a fifth at random so
// that replicas restarted together do not knock on the broker in step.
class Backoff {
 public:
  explicit Backoff(BackoffOptions options = {}) : options_(options) {}
  // The wait before the next attempt.
  absl::Duration Next();
  void Reset() { attempts_ = 0; }
  int attempts() const { return attempts_; }

 private:
  BackoffOptions options_;
  int attempts_ = 0;
};

// What waiting can fix: Unavailable, DeadlineExceeded, Aborted.
bool IsTransient(const absl::Status& status);

// Sleeps `d`, waking early when `stopped()` turns true (checked every 100 ms). Returns
// false when stopped.
bool SleepUnlessStopped(absl::Duration d, const std::function<bool()>& stopped);

// Calls `attempt` until it returns OK or a status that is not transient; between tries it
// logs "<what>: waiting" with the error, the attempt and the wait, and sleeps the backoff.
// Cancelled when `stopped()` turns true first.
absl::Status RetryTransient(std::string_view what, const std::function<absl::Status()>& attempt,
                            const std::function<bool()>& stopped, BackoffOptions options = {});

template <typename T>
absl::StatusOr<T> RetryTransient(std::string_view what,
                                 const std::function<absl::StatusOr<T>()>& attempt,
                                 const std::function<bool()>& stopped,
                                 BackoffOptions options = {}) {
  absl::StatusOr<T> result = absl::UnknownError("not attempted");
  absl::Status s = RetryTransient(
      what,
      [&]() -> absl::Status {
        result = attempt();
        return result.status();
      },
      stopped, options);
  if (!s.ok()) return s;
  return result;
}

// `stopped` for code that runs before a service's loops start: true once SIGTERM/SIGINT
// arrived (runtime::Shutdown).
bool ShutdownRequested();

}  // namespace ww::runtime
