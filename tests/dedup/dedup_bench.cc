// dedup_bench: the deduper's per-article path with 1 million articles in the window, and
// what the window costs in memory (Google Benchmark; report its CPU time, the machine may be
// shared). Built when libbenchmark-dev is installed; not run by ctest (speed is never
// asserted).
//
//   Assign/1000000   StoryClusterer::Assign + a Commit every 64 articles, on a clusterer
//                    that holds 1 M articles over a 72 h window: normalise, shingle, drop
//                    learned boilerplate, sketch, find candidates, verify them, exact-copy
//                    check, add, cluster bookkeeping, expiry. This is what the deduper's
//                    decider runs; items_per_second is articles/s/core. The content hash
//                    comes on the record (the ingestor computes it), as in the deduper.
//                    Counters: index_B/article (NearIndex::MemoryBytes: buckets, slots,
//                    entry times), sketch_B/article (NearIndex::SketchBytes), heap_B/article
//                    (the whole clusterer's heap, mallinfo2, measured while filling).
//   Decide/1000000   stories::Decider::Assign (issue 17): the same, then the story: a copy
//                    joins its report's story; a new report (about 1 in 10 of this stream)
//                    is weighed against the open stories, on a decider that holds 1 M
//                    articles. Counters: reports (share of new reports), stories_B/article
//                    (the whole decider's heap minus the clusterer's, per article).
//                    Assign and Decide time ten whole passes of the stream (below).
//   Report/1000000   StoryIndex::AddReport alone, per new report, on that decider's index:
//                    for a stream with more new reports than this one, cost = Assign +
//                    share_of_reports * Report.
//   Shingles         ShingleHashes of one article (normalise and hash): the first step alone
//   Terms            stories::ExtractTerms of one article (a new report's first step)
//   Fingerprint      MakeFingerprint of one article's shingles
//   Find/1000000     NearIndex::Find alone, on the same filled clusterer's index
//   Prune/4000000    one cycle of the stories' vocabulary at its bound: forget the terms
//                    seen once, then take new ones until past the bound again (prune_ms:
//                    the pause alone)
//
// Articles: the quality set (quality.h: ECB+ and Reuters-21578 articles and the copies
// outlets make of them, about 10 per story, shuffled). Every pass over it stands for new
// stories: its letters go through a substitution drawn for the pass, so a pass's copies
// are copies of each other and of nothing from earlier passes, while texts keep their real
// length and shape (headlines too: the stories weigh them). Making the texts of a pass is
// outside the timing.
//
// The bench starts as the deduper does, with its heap on transparent huge pages when the
// kernel offers them (runtime/huge_pages.h; counter huge_pages=1); WW_HUGE_PAGES=0 measures
// the same without.
//
//   WW_SOURCE_DIR=/work/main dedup_bench [benchmark flags, e.g. --benchmark_filter=Assign]
// Exits 0 with a message when the shared data is absent.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "libs/dedup/clusterer.h"
#include "libs/dedup/fingerprint.h"
#include "libs/dedup/near_index.h"
#include "libs/dedup/shingles.h"
#include "libs/dedup/sketch.h"
#include "libs/runtime/huge_pages.h"
#include "libs/stories/decider.h"
#include "tests/dedup/quality.h"

namespace {

using ww::dedup::ArticleKey;
using ww::dedup::StoryClusterer;

const std::vector<ww::dedup::quality::Doc>* g_docs = nullptr;
constexpr int64_t kWindowMs = 72LL * 3600 * 1000;
constexpr size_t kPassesTimed = 10;  // whole passes a run of Assign or Decide times

size_t HeapInUse() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

// The texts of pass `pass`: every doc with its letters put through a permutation of the
// alphabet drawn for the pass (a substitution cipher), so words, lengths and the shape of
// the text stay those of real news while the pass's words are its own.
std::vector<ArticleKey> Pass(uint64_t pass) {
  std::array<char, 26> letters;
  for (int i = 0; i < 26; ++i) letters[i] = static_cast<char>('a' + i);
  std::mt19937_64 rng(pass + 1);
  std::shuffle(letters.begin(), letters.end(), rng);
  std::array<char, 256> map;
  for (int c = 0; c < 256; ++c) map[c] = static_cast<char>(c);
  for (int i = 0; i < 26; ++i) {
    map['a' + i] = letters[i];
    map['A' + i] = static_cast<char>(letters[i] - 'a' + 'A');
  }
  std::vector<ArticleKey> keys;
  keys.reserve(g_docs->size());
  for (const auto& d : *g_docs) {
    ArticleKey k;
    k.id = "p" + std::to_string(pass) + "-" + d.id;
    k.source = d.source;
    k.url = "https://" + d.source + ".example/" + k.id;
    k.title = d.title;
    k.text = d.text;
    for (char& c : k.text) c = map[static_cast<unsigned char>(c)];
    // The headline too: stories weigh it (copies do not).
    for (char& c : k.title) c = map[static_cast<unsigned char>(c)];
    k.content_hash = ww::dedup::ContentHash(k.text);  // the ingestor's work, on the record
    keys.push_back(std::move(k));
  }
  return keys;
}

// A clusterer holding n articles spread evenly over the window.
struct Filled {
  std::unique_ptr<StoryClusterer> clusterer;
  int64_t now_ms = 0;
  int64_t step_ms = 0;
  uint64_t next_pass = 0;
  size_t heap_bytes = 0;
  size_t articles = 0;
};

Filled& FilledClusterer(size_t n) {
  static std::unique_ptr<Filled> cached;
  static size_t cached_n = 0;
  if (cached && cached_n == n) return *cached;
  cached.reset();
  auto f = std::make_unique<Filled>();
  f->step_ms = std::max<int64_t>(1, kWindowMs / static_cast<int64_t>(n));
  f->now_ms = 1'000'000;
  const size_t before = HeapInUse();
  f->clusterer =
      std::make_unique<StoryClusterer>(*StoryClusterer::Create({.window_ms = kWindowMs}));
  size_t added = 0;
  while (added < n) {
    for (ArticleKey& k : Pass(f->next_pass++)) {
      if (added == n) break;
      f->clusterer->Assign(k, f->now_ms += f->step_ms);
      if (++added % 64 == 0) f->clusterer->Commit();
    }
    if (f->next_pass % 10 == 0)
      std::fprintf(stderr, "filling the window: %zu / %zu articles\n", added, n);
  }
  f->clusterer->Commit();
  std::fprintf(stderr, "\n");
  f->heap_bytes = HeapInUse() - before;
  f->articles = f->clusterer->articles();
  cached_n = n;
  cached = std::move(f);
  return *cached;
}

// A decider (copies and stories) holding n articles spread evenly over the window.
struct FilledStories {
  std::unique_ptr<ww::stories::Decider> decider;
  int64_t now_ms = 0;
  int64_t step_ms = 0;
  uint64_t next_pass = 0;
  size_t heap_bytes = 0;
};

FilledStories& FilledDecider(size_t n) {
  static std::unique_ptr<FilledStories> cached;
  if (cached) return *cached;
  auto f = std::make_unique<FilledStories>();
  f->step_ms = std::max<int64_t>(1, kWindowMs / static_cast<int64_t>(n));
  f->now_ms = 1'000'000;
  const size_t before = HeapInUse();
  ww::stories::DeciderOptions options;
  options.copies.window_ms = kWindowMs;
  options.stories.window_ms = kWindowMs;
  f->decider = *ww::stories::Decider::Create(options);
  size_t added = 0;
  // Passes of their own (from 1000 on), so that this decider's stream is not the clusterer's.
  f->next_pass = 1000;
  while (added < n) {
    for (ArticleKey& k : Pass(f->next_pass++)) {
      if (added == n) break;
      f->decider->Assign(k, f->now_ms += f->step_ms);
      if (++added % 64 == 0) f->decider->Commit();
    }
    if (f->next_pass % 10 == 0) {
      std::fprintf(stderr, "filling the decider: %zu / %zu articles\n", added, n);
    }
  }
  f->decider->Commit();
  f->heap_bytes = HeapInUse() - before;
  cached = std::move(f);
  return *cached;
}

void MemoryCounters(benchmark::State& state, const Filled& f) {
  const auto& index = f.clusterer->near_index();
  const double n = static_cast<double>(index.size());
  state.counters["articles"] = n;
  state.counters["index_B/article"] = static_cast<double>(index.MemoryBytes()) / n;
  state.counters["sketch_B/article"] = static_cast<double>(index.SketchBytes()) / n;
  state.counters["heap_B/article"] =
      static_cast<double>(f.heap_bytes) / static_cast<double>(f.articles);
}

// Feeds fresh passes to `assign(article, now)` (true when the article is a copy), with a
// Commit every 64 articles as the stage loop's batches would; returns the share of copies.
template <typename Assign, typename Commit>
double Feed(benchmark::State& state, uint64_t& next_pass, int64_t& now_ms, int64_t step_ms,
            Assign assign, Commit commit) {
  std::vector<ArticleKey> pass = Pass(next_pass++);
  size_t i = 0, copies = 0;
  for (auto _ : state) {
    if (i == pass.size()) {
      state.PauseTiming();
      pass = Pass(next_pass++);
      i = 0;
      state.ResumeTiming();
    }
    copies += assign(pass[i++], now_ms += step_ms);
    if (i % 64 == 0) commit();
  }
  commit();
  state.SetItemsProcessed(state.iterations());
  return static_cast<double>(copies) / static_cast<double>(state.iterations());
}

void BM_Assign(benchmark::State& state) {
  Filled& f = FilledClusterer(static_cast<size_t>(state.range(0)));
  const double copies = Feed(
      state, f.next_pass, f.now_ms, f.step_ms,
      [&](const ArticleKey& k, int64_t now) {
        return !f.clusterer->Assign(k, now).duplicate_of.empty();
      },
      [&] { f.clusterer->Commit(); });
  state.counters["copies"] = copies;
  state.counters["huge_pages"] = ww::runtime::HugePageHeapState() == "on";
  MemoryCounters(state, f);
}

void BM_Decide(benchmark::State& state) {
  FilledStories& f = FilledDecider(static_cast<size_t>(state.range(0)));
  const double copies = Feed(
      state, f.next_pass, f.now_ms, f.step_ms,
      [&](const ArticleKey& k, int64_t now) {
        return !f.decider->Assign(k, now).copy.duplicate_of.empty();
      },
      [&] { f.decider->Commit(); });
  const double n = static_cast<double>(f.decider->copies().articles());
  state.counters["reports"] = 1 - copies;
  state.counters["stories"] = static_cast<double>(f.decider->stories().stories());
  state.counters["huge_pages"] = ww::runtime::HugePageHeapState() == "on";
  state.counters["heap_B/article"] = static_cast<double>(f.heap_bytes) / n;
}

void BM_Report(benchmark::State& state) {
  FilledStories& f = FilledDecider(static_cast<size_t>(state.range(0)));
  // The index alone, on new reports: the first article of each story of a fresh pass.
  std::vector<ArticleKey> reports;
  for (ArticleKey& k : Pass(f.next_pass++)) {
    if (!absl::StrContains(k.id, '~')) reports.push_back(std::move(k));
  }
  auto& index = const_cast<ww::stories::StoryIndex&>(f.decider->stories());
  size_t i = 0;
  for (auto _ : state) {
    const ArticleKey& k = reports[i % reports.size()];
    benchmark::DoNotOptimize(index.AddReport(k.id + "-" + std::to_string(i), k.source, k.title,
                                             k.text, f.now_ms += f.step_ms));
    if (++i % 64 == 0) index.Commit();
  }
  index.Commit();
  state.SetItemsProcessed(state.iterations());
}

void BM_Shingles(benchmark::State& state) {
  std::vector<uint64_t> out;
  size_t i = 0;
  for (auto _ : state) {
    ww::dedup::ShingleHashes((*g_docs)[i].text, ww::dedup::kDefaultShingleWords, &out);
    benchmark::DoNotOptimize(out.data());
    if (++i == g_docs->size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Terms(benchmark::State& state) {
  // A digest of every article's terms, so that a faster ExtractTerms can be checked to
  // extract the same terms (the counter must not move).
  uint64_t digest = 0;
  for (const auto& d : *g_docs) {
    const ww::stories::ArticleTerms t = ww::stories::ExtractTerms(d.title, d.text);
    for (const auto& g : t.groups) {
      for (const auto& [key, n] : g) digest = (digest ^ key ^ n) * 0x100000001b3ULL;
    }
    for (uint16_t y : t.years) digest = (digest ^ y) * 0x100000001b3ULL;
    digest ^= t.headline;
  }
  state.counters["digest_low16"] = static_cast<double>(digest & 0xffff);
  state.counters["digest_high16"] = static_cast<double>(digest >> 48);
  size_t i = 0;
  for (auto _ : state) {
    const ww::stories::ArticleTerms t =
        ww::stories::ExtractTerms((*g_docs)[i].title, (*g_docs)[i].text);
    benchmark::DoNotOptimize(t.groups[0].data());
    if (++i == g_docs->size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// The vocabulary's bound: at max_terms (4 million, StoryOptions' default) it forgets the
// terms seen once. One iteration is one such cycle: the prune, then new terms (articles of
// 700 distinct terms, as a report carries) until the bound is passed again. Random keys:
// this is the table's mechanics, not the corpus's words. Counter prune_ms: the prune alone,
// the pause it puts in the deduper's stream once every 65,536 reports.
void BM_Prune(benchmark::State& state) {
  const auto bound = static_cast<size_t>(state.range(0));
  ww::stories::Vocabulary v;
  std::mt19937_64 rng(1);
  // An article of `terms` new terms; every third one's key also goes to *again, if given.
  const auto add_article = [&](size_t terms, std::vector<uint64_t>* again) {
    ww::stories::ArticleTerms t;
    for (size_t j = 0; j < terms; ++j) {
      const uint64_t key = rng() | 1;
      t.groups[ww::stories::kWords].push_back({key, 1});
      if (again != nullptr && j % 3 == 0) again->push_back(key);
    }
    std::sort(t.groups[ww::stories::kWords].begin(), t.groups[ww::stories::kWords].end());
    v.AddAndWeigh(t, {1, 0, 0, 0, 0});
  };
  // Past the bound, a third of the terms seen twice (they survive the prune).
  std::vector<uint64_t> twice;
  while (v.terms() <= bound + bound / 8) add_article(700, &twice);
  for (size_t i = 0; i < twice.size(); i += 700) {
    ww::stories::ArticleTerms t;
    for (size_t j = i; j < std::min(twice.size(), i + 700); ++j) {
      t.groups[ww::stories::kWords].push_back({twice[j], 1});
    }
    std::sort(t.groups[ww::stories::kWords].begin(), t.groups[ww::stories::kWords].end());
    v.AddAndWeigh(t, {1, 0, 0, 0, 0});
  }
  double prune_s = 0;
  size_t kept = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    v.Prune(bound);
    prune_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    kept = v.terms();
    while (v.terms() <= bound) add_article(700, nullptr);
  }
  state.counters["prune_ms"] = 1000 * prune_s / static_cast<double>(state.iterations());
  state.counters["terms_after_prune"] = static_cast<double>(kept);
}

void BM_Fingerprint(benchmark::State& state) {
  std::vector<std::vector<uint64_t>> shingles(g_docs->size());
  for (size_t i = 0; i < g_docs->size(); ++i) {
    ww::dedup::ShingleHashes((*g_docs)[i].text, ww::dedup::kDefaultShingleWords, &shingles[i]);
  }
  ww::dedup::Fingerprint fp;
  size_t i = 0;
  for (auto _ : state) {
    ww::dedup::MakeFingerprint(shingles[i], {}, &fp);
    benchmark::DoNotOptimize(fp.sketch.whole.data());
    if (++i == shingles.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Find(benchmark::State& state) {
  Filled& f = FilledClusterer(static_cast<size_t>(state.range(0)));
  std::vector<ww::dedup::Fingerprint> fps(2000);
  std::vector<ArticleKey> pass = Pass(f.next_pass - 1);  // the newest pass: copies are live
  std::vector<uint64_t> shingles;
  for (size_t i = 0; i < fps.size(); ++i) {
    ww::dedup::ShingleHashes(pass[pass.size() - 1 - i].text, ww::dedup::kDefaultShingleWords,
                             &shingles);
    ww::dedup::MakeFingerprint(shingles, {}, &fps[i]);
  }
  size_t i = 0, found = 0;
  for (auto _ : state) {
    found += f.clusterer->near_index().Find(fps[i], f.now_ms).size();
    if (++i == fps.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["found/lookup"] =
      benchmark::Counter(static_cast<double>(found) / static_cast<double>(state.iterations()));
  MemoryCounters(state, f);
}

}  // namespace

BENCHMARK(BM_Shingles);
BENCHMARK(BM_Terms);
BENCHMARK(BM_Fingerprint);
BENCHMARK(BM_Find)->Arg(1'000'000);
BENCHMARK(BM_Report)->Arg(1'000'000);
BENCHMARK(BM_Prune)->Arg(4'000'000)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  // As the deduper runs (services/deduper/main.cc); the thp counter says what it got.
  ww::runtime::UseHugePageHeap(argv);
  const std::string dir = ww::dedup::quality::SharedDataDir();
  if (dir.empty()) {
    std::printf("dedup_bench: skipped, no ../shared/data beside $WW_SOURCE_DIR\n");
    return 0;
  }
  auto docs = ww::dedup::quality::BuildSyndicationSet(dir, {});
  if (!docs.ok()) {
    std::printf("dedup_bench: skipped, %s\n", docs.status().ToString().c_str());
    return 0;
  }
  static const std::vector<ww::dedup::quality::Doc> kept = *std::move(docs);
  size_t bytes = 0;
  for (const auto& d : kept) bytes += d.text.size();
  g_docs = &kept;
  // Assign and Decide run whole passes: a pass opens with most of its new reports (the
  // first article of each story) and ends with their copies, so a run that stops inside a
  // pass weighs reports wrongly (runs of a few thousand articles measured 90 us for
  // Decide, 20% reports; ten whole passes 50 us, the stream's 10.6%).
  const auto passes = static_cast<benchmark::IterationCount>(kPassesTimed * kept.size());
  benchmark::RegisterBenchmark("BM_Assign", BM_Assign)->Arg(1'000'000)->Iterations(passes);
  benchmark::RegisterBenchmark("BM_Decide", BM_Decide)->Arg(1'000'000)->Iterations(passes);
  benchmark::AddCustomContext("corpus", std::to_string(kept.size()) +
                                            " ECB+ and Reuters-21578 articles and their copies, "
                                            "mean " +
                                            std::to_string(bytes / kept.size()) + " B of text");
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
