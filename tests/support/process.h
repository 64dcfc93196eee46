#pragma once
// Child processes for the e2e tier: start a binary with arguments, read what it prints,
// stop it with SIGTERM (then SIGKILL) when the test ends.
#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace ww::testing {

class Process {
 public:
  // Starts `argv[0]` with its stdout going to a pipe and stderr to `log_path`.
  Process(std::vector<std::string> argv, const std::string& log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Reads stdout until a line contains `needle` (returned) or the timeout ("" then).
  std::string WaitForLine(const std::string& needle, absl::Duration timeout);
  // Sends SIGTERM and waits; returns the exit status (or -1 when it had to be killed).
  int Stop(absl::Duration grace = absl::Seconds(10));
  // kill -9, as a crash or an OOM kill would: no shutdown, nothing flushed.
  void Kill();
  bool running();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
};

// Runs a command to completion; returns its exit code, stdout and stderr (stderr is also
// passed on to this process's stderr, so a test log still shows it).
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
RunResult Run(const std::vector<std::string>& argv, absl::Duration timeout = absl::Seconds(60));

}  // namespace ww::testing
