#include "libs/runtime/huge_pages.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ww::runtime {
namespace {

constexpr char kTunable[] = "glibc.malloc.hugetlb";

bool OptedOut() {
  const char* v = std::getenv("WW_HUGE_PAGES");
  return v != nullptr && std::string_view(v) == "0";
}

}  // namespace

namespace internal {

std::string ThpMode(std::string_view sysfs_enabled) {
  const size_t open = sysfs_enabled.find('[');
  const size_t close = sysfs_enabled.find(']', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return "";
  return std::string(sysfs_enabled.substr(open + 1, close - open - 1));
}

std::string KernelThpMode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::stringstream s;
  s << in.rdbuf();
  return ThpMode(s.str());
}

bool KernelOffersHugePages() {
  const std::string mode = KernelThpMode();
  return mode == "madvise" || mode == "always";
}

std::optional<std::string> TunablesWithHugePages(const char* current) {
  std::string out = current == nullptr ? "" : current;
  if (absl::StrContains(out, kTunable)) return std::nullopt;
  if (!out.empty()) out += ':';
  out += kTunable;
  out += "=1";
  return out;
}

}  // namespace internal

void UseHugePageHeap(char** argv) {
  if (OptedOut() || !internal::KernelOffersHugePages()) return;
  const std::optional<std::string> tunables =
      internal::TunablesWithHugePages(std::getenv("GLIBC_TUNABLES"));
  if (!tunables) return;
  if (setenv("GLIBC_TUNABLES", tunables->c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Still here: the process goes on with small pages (HugePageHeapState says so).
}

std::string HugePageHeapState() {
  if (OptedOut()) return "off (WW_HUGE_PAGES=0)";
  if (!internal::KernelOffersHugePages()) {
    const std::string mode = internal::KernelThpMode();
    return "off (kernel transparent huge pages: " + (mode.empty() ? "unknown" : mode) + ")";
  }
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const std::string t = tunables == nullptr ? "" : tunables;
  if (absl::StrContains(t, absl::StrCat(kTunable, "=1"))) return "on";
  if (absl::StrContains(t, kTunable)) return "off (GLIBC_TUNABLES sets it otherwise)";
  return "off (re-exec failed)";
}

}  // namespace ww::runtime
