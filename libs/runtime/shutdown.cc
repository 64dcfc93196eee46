#include "libs/runtime/shutdown.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "absl/synchronization/notification.h"

namespace ww::runtime {
namespace {

std::atomic<bool> g_requested{false};
int g_pipe[2] = {-1, -1};

void OnSignal(int) {
  if (g_requested.exchange(true)) _exit(130);
  char c = 1;
  [[maybe_unused]] auto n = write(g_pipe[1], &c, 1);
}

absl::Notification& Notified() {
  static absl::Notification n;
  return n;
}

}  // namespace

Shutdown& Shutdown::Install() {
  static Shutdown* instance = [] {
    if (pipe(g_pipe) != 0) std::abort();
    // A watcher thread turns the async-signal-safe pipe write into a Notification.
    std::thread([] {
      char c;
      while (read(g_pipe[0], &c, 1) < 0) {
      }
      if (!Notified().HasBeenNotified()) Notified().Notify();
    }).detach();
    struct sigaction sa {};
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    return new Shutdown();
  }();
  return *instance;
}

bool Shutdown::requested() const { return g_requested.load(); }

bool Shutdown::WaitFor(absl::Duration timeout) const {
  return Notified().WaitForNotificationWithTimeout(timeout);
}

void Shutdown::Wait() const { Notified().WaitForNotification(); }

void Shutdown::Request() {
  if (g_requested.exchange(true)) return;
  char c = 1;
  [[maybe_unused]] auto n = write(g_pipe[1], &c, 1);
}

}  // namespace ww::runtime
