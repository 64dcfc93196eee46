#include "libs/runtime/huge_pages.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ww::runtime {
namespace {

using ::testing::HasSubstr;

TEST(HugePages, ReadsTheKernelsMode) {
  EXPECT_EQ(internal::ThpMode("always [madvise] never\n"), "madvise");
  EXPECT_EQ(internal::ThpMode("[always] madvise never\n"), "always");
  EXPECT_EQ(internal::ThpMode("always madvise [never]\n"), "never");
  EXPECT_EQ(internal::ThpMode(""), "");
  EXPECT_EQ(internal::ThpMode("garbled ["), "");
}

TEST(HugePages, AddsTheTunableOnceAndKeepsTheOthers) {
  EXPECT_EQ(internal::TunablesWithHugePages(nullptr), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(internal::TunablesWithHugePages(""), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(internal::TunablesWithHugePages("glibc.malloc.check=0"),
            "glibc.malloc.check=0:glibc.malloc.hugetlb=1");
  // Already there, whatever its value: the operator's, or our own after the re-exec.
  EXPECT_EQ(internal::TunablesWithHugePages("glibc.malloc.hugetlb=1"), std::nullopt);
  EXPECT_EQ(internal::TunablesWithHugePages("glibc.malloc.check=0:glibc.malloc.hugetlb=0"),
            std::nullopt);
}

struct ProbeRun {
  int starts = 0;
  std::string state, tunables;
  long huge_kb = -1;
};

// Runs the probe (huge_pages_probe.cc) under `env_prefix` (an `env` command line).
ProbeRun RunProbe(const std::string& env_prefix) {
  // Beside this test (ctest also says where, in WW_BIN_DIR).
  const char* bin = std::getenv("WW_BIN_DIR");
  std::string dir =
      bin != nullptr ? bin : std::filesystem::read_symlink("/proc/self/exe").parent_path().string();
  const std::string cmd = env_prefix + " " + dir + "/huge_pages_probe";
  ProbeRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) {
    std::string line(buf);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    if (line == "start") ++r.starts;
    if (absl::StartsWith(line, "state ")) r.state = line.substr(6);
    if (absl::StartsWith(line, "tunables ")) r.tunables = line.substr(9);
    if (absl::StartsWith(line, "anon_huge_kb "))
      r.huge_kb = std::strtol(line.c_str() + 13, nullptr, 10);
  }
  EXPECT_EQ(pclose(p), 0) << cmd;
  return r;
}

TEST(HugePages, TheProcessRestartsOnceWithAHugePageHeap) {
  const ProbeRun r = RunProbe("env -u GLIBC_TUNABLES -u WW_HUGE_PAGES");
  if (!internal::KernelOffersHugePages()) {
    // Nothing to gain: the process must go on as it started, and say why.
    EXPECT_EQ(r.starts, 1);
    EXPECT_THAT(r.state, HasSubstr("off (kernel"));
    return;
  }
  EXPECT_EQ(r.starts, 2);
  EXPECT_EQ(r.state, "on");
  EXPECT_EQ(r.tunables, "glibc.malloc.hugetlb=1");
  // The heap's big block is backed by 2 MiB pages.
  EXPECT_GT(r.huge_kb, 0);
}

TEST(HugePages, KeepsTheOperatorsOtherTunables) {
  if (!internal::KernelOffersHugePages())
    GTEST_SKIP() << "the kernel offers no transparent huge pages";
  const ProbeRun r = RunProbe("env -u WW_HUGE_PAGES GLIBC_TUNABLES=glibc.malloc.check=0");
  EXPECT_EQ(r.starts, 2);
  EXPECT_EQ(r.tunables, "glibc.malloc.check=0:glibc.malloc.hugetlb=1");
}

TEST(HugePages, TheOperatorCanSayNo) {
  ProbeRun r = RunProbe("env -u GLIBC_TUNABLES WW_HUGE_PAGES=0");
  EXPECT_EQ(r.starts, 1);
  EXPECT_EQ(r.state, "off (WW_HUGE_PAGES=0)");
  // In "madvise" mode only marked memory gets huge pages ("always" gives them to all).
  if (internal::KernelThpMode() == "madvise") EXPECT_EQ(r.huge_kb, 0);
  // A tunable already set, to anything, is left alone: no restart.
  r = RunProbe("env -u WW_HUGE_PAGES GLIBC_TUNABLES=glibc.malloc.hugetlb=0");
  EXPECT_EQ(r.starts, 1);
  EXPECT_EQ(r.state, "off (GLIBC_TUNABLES sets it otherwise)");
  EXPECT_EQ(r.tunables, "glibc.malloc.hugetlb=0");
}

}  // namespace
}  // namespace ww::runtime
