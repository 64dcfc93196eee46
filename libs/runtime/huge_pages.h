#pragma once
// Transparent huge pages for the heap of a process whose state is large hash tables: the
// deduper's window (a million articles: the near-copy index, the boilerplate counts, the
// stories' vocabulary and centroids, some 2 GB) is read at random, one cache line here and
// one there, and with 4 KiB pages nearly every such read also misses the TLB. 2 MiB pages
// take most of that away (dedup_bench: Decide -20 to -25%, see BENCHMARKS.md).
//
// Most Linux hosts run THP in "madvise" mode: only memory a program marks gets huge pages.
// glibc's malloc marks its heap when started with GLIBC_TUNABLES=glibc.malloc.hugetlb=1,
// and reads that once, before main(). So UseHugePageHeap re-executes the process, once,
// with the tunable added (the pid, arguments and the rest of the environment stay).
//
// Nothing is done when: WW_HUGE_PAGES=0 (the operator's choice, e.g. a host short of
// memory: huge pages can hold more of it); the kernel's THP mode is "never" or unknown (no
// gain); GLIBC_TUNABLES already names glibc.malloc.hugetlb (already done, or chosen); the
// re-exec fails (the process goes on with small pages). Call it first in main(), before any
// thread starts or any output is written.
#include <optional>
#include <string>
#include <string_view>

namespace ww::runtime {

void UseHugePageHeap(char** argv);

// What the heap runs with, for the startup log: "on", "off (WW_HUGE_PAGES=0)", ...
std::string HugePageHeapState();

namespace internal {
// The kernel's THP mode from /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise]
// never" -> "madvise"); empty when it cannot be read.
std::string ThpMode(std::string_view sysfs_enabled);
// This host's mode (from sysfs), and whether it gives huge pages to marked memory.
std::string KernelThpMode();
bool KernelOffersHugePages();
// GLIBC_TUNABLES with the heap tunable added to `current` (null: unset); nullopt when
// `current` already names it.
std::optional<std::string> TunablesWithHugePages(const char* current);
}  // namespace internal

}  // namespace ww::runtime
