// huge_pages_test's subject: a process that calls UseHugePageHeap first, as the deduper
// does, then says how it ran: one "start" line per time main() began, the state, and the
// huge pages backing 64 MiB it allocated from the heap and wrote.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "libs/runtime/huge_pages.h"

int main(int /*argc*/, char** argv) {
  std::printf("start\n");
  std::fflush(stdout);  // an exec drops what is buffered
  ww::runtime::UseHugePageHeap(argv);
  const size_t n = size_t{64} << 20;
  auto* p = static_cast<char*>(std::malloc(n));
  std::memset(p, 1, n);
  long huge_kb = -1;
  std::ifstream smaps("/proc/self/smaps_rollup");
  for (std::string line; std::getline(smaps, line);) {
    if (absl::StartsWith(line, "AnonHugePages:"))
      huge_kb = std::strtol(line.c_str() + 14, nullptr, 10);
  }
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  std::printf("state %s\ntunables %s\nanon_huge_kb %ld\nbyte %d\n",
              ww::runtime::HugePageHeapState().c_str(), tunables ? tunables : "(unset)", huge_kb,
              p[n - 1]);
  std::free(p);
  return 0;
}
