#pragma once
// Graceful shutdown: SIGTERM and SIGINT set a flag that loops poll and that Wait() blocks on.
// A second signal while shutting down exits at once. Thread-safe.
#include "absl/time/time.h"

namespace ww::runtime {

class Shutdown {
 public:
  // Installs the signal handlers (idempotent) and returns the process-wide instance.
  static Shutdown& Install();
  bool requested() const;
  // Blocks until shutdown is requested or the timeout passes; true when requested.
  bool WaitFor(absl::Duration timeout) const;
  void Wait() const;
  // Requests shutdown from code (tests, fatal errors in a worker thread).
  void Request();
};

}  // namespace ww::runtime
