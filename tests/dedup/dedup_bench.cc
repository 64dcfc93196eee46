// dedup_bench: near-duplicate detection throughput per core with 1 million articles in the
// window, and index memory per article (Google Benchmark; report its CPU time, the machine
// may be shared). Built when libbenchmark-dev is installed; not run by ctest (speed is never
// asserted).
//
//   Fingerprint          SimHashFingerprint of an ECB+ article or syndicated copy (normalise
//                        the lead, drop boilerplate, shingle, SimHash)
//   NearIndexFind/N      NearIndex::Find with N entries (half corpus fingerprints, half
//                        random: different stories are ~32 bits apart, so random is realistic)
//   NearIndexSlide/N     Find + Add + Commit at a steady N entries (each Add expires one)
//   Pipeline/N           fingerprint + Find + Add + Commit of each corpus article: the
//                        articles/s/core figure (items_per_second)
//   NearIndexMemorySteady/N  NearIndex memory once the window of N has turned over 5 times
//   ClustererMemory/N    the whole StoryClusterer (ids, URLs, hashes, clusters): heap per
//                        article, every article its own story
// Counters: B/entry (NearIndex::MemoryBytes), heap_B/entry (heap in use, mallinfo2).
//
//   WW_SOURCE_DIR=/work/main dedup_bench [benchmark flags, e.g. --benchmark_filter=Pipeline]
// Exits 0 with a message when the shared data is absent.
#include <malloc.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "libs/dedup/clusterer.h"
#include "libs/dedup/near_index.h"
#include "libs/dedup/simhash.h"
#include "tests/dedup/quality.h"

namespace {

using ww::dedup::NearIndex;

std::vector<ww::dedup::quality::Doc>* g_docs = nullptr;
std::vector<uint64_t>* g_fps = nullptr;  // fingerprints of g_docs
constexpr int64_t kWindowMs = 72LL * 3600 * 1000;

size_t HeapInUse() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

// An index holding n entries spread evenly over the window, ending at the returned time.
struct FilledIndex {
  std::unique_ptr<NearIndex> index;
  int64_t now_ms = 0;
  size_t heap_bytes = 0;
  std::mt19937_64 rng{1};
};

int64_t SpacingMs(size_t n) { return std::max<int64_t>(1, kWindowMs / static_cast<int64_t>(n)); }

FilledIndex& Filled(size_t n) {
  static std::map<size_t, FilledIndex> cache;
  if (auto it = cache.find(n); it != cache.end()) return it->second;
  FilledIndex f;
  const size_t heap_before = HeapInUse();
  f.index = std::make_unique<NearIndex>(*NearIndex::Create(3, kWindowMs));
  const int64_t step = SpacingMs(n);
  for (size_t i = 0; i < n; ++i) {
    f.now_ms = 1'000'000 + static_cast<int64_t>(i) * step;
    f.index->Add(f.rng(), f.now_ms, static_cast<uint32_t>(i));
    if (i % 1024 == 1023) f.index->Commit(f.now_ms);
  }
  f.index->Commit(f.now_ms);
  f.heap_bytes = HeapInUse() - heap_before;
  return cache.emplace(n, std::move(f)).first->second;
}

void MemoryCounters(benchmark::State& state, const FilledIndex& f) {
  const double n = static_cast<double>(f.index->size());
  state.counters["entries"] = n;
  state.counters["B/entry"] = static_cast<double>(f.index->MemoryBytes()) / n;
  state.counters["heap_B/entry"] = static_cast<double>(f.heap_bytes) / n;
}

void BM_Fingerprint(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ww::dedup::SimHashFingerprint((*g_docs)[i].text));
    if (++i == g_docs->size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_NearIndexFind(benchmark::State& state) {
  FilledIndex& f = Filled(static_cast<size_t>(state.range(0)));
  size_t i = 0, found = 0;
  for (auto _ : state) {  // the filled index holds random entries: few copies of a query
    const uint64_t q = (i & 1) ? (*g_fps)[(i >> 1) % g_fps->size()] : f.rng();
    found += f.index->Find(q, f.now_ms).size();
    ++i;
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations());
  MemoryCounters(state, f);
}

// One article's work on the index: Find, Add, Commit (which expires the oldest entry).
inline size_t Slide(FilledIndex& f, uint64_t fp, int64_t step, uint32_t payload) {
  f.now_ms += step;
  const size_t found = f.index->Find(fp, f.now_ms).size();
  f.index->Add(fp, f.now_ms, payload);
  f.index->Commit(f.now_ms);
  return found;
}

void BM_NearIndexSlide(benchmark::State& state) {
  FilledIndex& f = Filled(static_cast<size_t>(state.range(0)));
  const int64_t step = SpacingMs(static_cast<size_t>(state.range(0)));
  size_t found = 0;
  uint32_t payload = 0;
  for (auto _ : state) found += Slide(f, f.rng(), step, ++payload);
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations());
  MemoryCounters(state, f);
}

// Each pass over the corpus stands for new stories: its fingerprints are XORed with a mask
// drawn per pass, which keeps the distances within a pass (an article and its syndicated
// copies, ~4 to a story) and keeps earlier passes from piling up as copies of every story.
void BM_Pipeline(benchmark::State& state) {
  FilledIndex& f = Filled(static_cast<size_t>(state.range(0)));
  const int64_t step = SpacingMs(static_cast<size_t>(state.range(0)));
  size_t i = 0, found = 0;
  uint32_t payload = 0;
  uint64_t mask = f.rng();
  for (auto _ : state) {
    const ww::dedup::NearFingerprint fp = ww::dedup::SimHashFingerprint((*g_docs)[i].text);
    found += Slide(f, fp.simhash ^ mask, step, ++payload);
    if (++i == g_docs->size()) i = 0, mask = f.rng();
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations());
  MemoryCounters(state, f);
}

// Memory after the window has turned over five times (buckets' capacities settle).
void BM_NearIndexMemorySteady(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const int64_t step = SpacingMs(n);
  std::mt19937_64 rng(3);
  for (auto _ : state) {
    const size_t before = HeapInUse();
    auto index = *NearIndex::Create(3, kWindowMs);
    int64_t now = 1'000'000;
    for (size_t i = 0; i < 6 * n; ++i) {
      now += step;
      index.Add(rng(), now, static_cast<uint32_t>(i));
      if (i % 64 == 63) index.Commit(now);
    }
    const double entries = static_cast<double>(index.size());
    state.counters["entries"] = entries;
    state.counters["B/entry"] = static_cast<double>(index.MemoryBytes()) / entries;
    state.counters["heap_B/entry"] = static_cast<double>(HeapInUse() - before) / entries;
  }
}

void BM_ClustererMemory(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    const size_t before = HeapInUse();
    auto c = ww::dedup::StoryClusterer::Create({});
    for (size_t i = 0; i < n; ++i) {
      ww::dedup::ArticleKey k;
      k.id = "ar-" + std::to_string(0x1000000000000000ULL + i);
      k.source = "outlet-" + std::to_string(i % 500);
      k.url = "https://outlet-" + std::to_string(i % 500) + ".example/" + std::to_string(i);
      k.content_hash = std::to_string(rng());
      k.fingerprint = ww::dedup::NearFingerprint{rng(), true};
      c->Assign(std::move(k), 1000 + static_cast<int64_t>(i));
      if (i % 1000 == 999) c->Commit();
    }
    c->Commit();
    state.counters["heap_B/article"] =
        static_cast<double>(HeapInUse() - before) / static_cast<double>(n);
  }
}

}  // namespace

BENCHMARK(BM_Fingerprint);
BENCHMARK(BM_NearIndexFind)->Arg(1'000'000);
BENCHMARK(BM_NearIndexSlide)->Arg(1'000'000);
BENCHMARK(BM_Pipeline)->Arg(1'000'000);
BENCHMARK(BM_NearIndexMemorySteady)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ClustererMemory)->Arg(300'000)->Iterations(1)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  const std::string dir = ww::dedup::quality::SharedDataDir();
  auto ecb = dir.empty() ? absl::StatusOr<std::vector<ww::dedup::quality::Doc>>(
                               absl::NotFoundError("no ../shared/data"))
                         : ww::dedup::quality::LoadEcbPlus(dir);
  if (!ecb.ok()) {
    std::printf("dedup_bench: skipped, %s\n", ecb.status().ToString().c_str());
    return 0;
  }
  static std::vector<ww::dedup::quality::Doc> docs =
      ww::dedup::quality::WithSyndicatedVariants(*ecb, 3, 7);
  static std::vector<uint64_t> fps;
  size_t bytes = 0;
  for (const auto& d : docs) {
    bytes += d.text.size();
    fps.push_back(ww::dedup::SimHashFingerprint(d.text).simhash);
  }
  g_docs = &docs;
  g_fps = &fps;
  benchmark::AddCustomContext("corpus", std::to_string(docs.size()) +
                                            " ECB+ articles and syndicated copies, mean " +
                                            std::to_string(bytes / docs.size()) + " B of text");
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
