// Tagging throughput, side by side in one process on the same corpus and aliases:
//   Wirewatch/Spans/N    Matcher::FindSpans: full fold (NFKC, case, diacritics, quotes,
//                        hyphens), token boundaries, longest match, original offsets
//   Wirewatch/FindAll/N/1  Matcher::FindAll: the same plus Mention strings and snippets
//   Wirewatch/TagStage/N   the tagger service's stage function on each body as a Kafka record:
//                        parse the Article, FindAll on title and text, build and serialise
//                        the TaggedArticle (what ww-tagger runs per record, without Kafka);
//                        built when the services are (not with WW_PURE_LIBS_ONLY)
//   Wirewatch/FindAll/N/T  the same aliases as the entities of T tenants (round robin,
//                        ids "tK/aI": issue 19's one matcher for every tenant); a name two
//                        tenants watch is a mention for each
//   Hyperscan/N          hs_compile_lit_multi, HS_FLAG_CASELESS (ASCII case only, no other
//                        fold), every match filtered to word boundaries; no longest-match
//                        selection
// on the Reuters-21578 article bodies, with N aliases from bench_data.h (city names first;
// 119000 is the reference set: GeoNames city names only).
// Counters: build_s (compile wall time), build_cpu_s (its CPU time, for Wirewatch), B/alias (heap
// held after the build, measured with mallinfo2, and for Hyperscan the database plus scratch),
// matches per corpus pass.
//
//   ww_tagging_bench [--sizes=10000,100000,119000,1000000] [--tenants=100] [--no_hyperscan]
//                    [benchmark flags]
//   ww_tagging_bench --dump_dir=DIR [--sizes=...]   # writes corpus.txt and aliases-N.txt
//                                                   # for tools/bench/grep_reference.sh
// Exits 0 with a message when the shared data is absent.
#include <benchmark/benchmark.h>
#include <hs/hs.h>
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/tagging/matcher.h"
#include "tools/bench/bench_data.h"
#if defined(WW_BENCH_TAG_STAGE)
#include "services/tagger/tag_stage.h"
#include "ww/v1/records.pb.h"
#endif

namespace {

std::vector<std::string>* g_docs = nullptr;
size_t g_corpus_bytes = 0;
std::string g_data_dir;

size_t HeapInUse() { return mallinfo2().uordblks + mallinfo2().hblkhd; }

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

const std::vector<std::string>& Aliases(size_t n) {
  static std::map<size_t, std::vector<std::string>> cache;
  auto it = cache.find(n);
  if (it == cache.end()) it = cache.emplace(n, ww::bench::MakeAliases(g_data_dir, n)).first;
  return it->second;
}

struct BuiltMatcher {
  std::shared_ptr<const ww::tagging::Matcher> matcher;
  double build_s = 0;
  double build_cpu_s = 0;
  size_t heap_bytes = 0;
};

const BuiltMatcher& WirewatchMatcher(size_t n, size_t tenants = 1) {
  static std::map<std::pair<size_t, size_t>, BuiltMatcher> cache;
  if (auto it = cache.find({n, tenants}); it != cache.end()) return it->second;
  const std::vector<std::string>& aliases = Aliases(n);
  BuiltMatcher built;
  {
    ww::tagging::Watchlist watchlist;
    watchlist.entities.reserve(aliases.size());
    for (size_t i = 0; i < aliases.size(); ++i) {
      std::string id = "a" + std::to_string(i);
      if (tenants > 1) id = absl::StrCat("t", i % tenants, "/", id);
      watchlist.entities.push_back({id, aliases[i], ww::tagging::EntityKind::kPlace, {}});
    }
    const size_t heap_before = HeapInUse();
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = ProcessCpuSeconds();
    auto m = ww::tagging::Matcher::Build(watchlist);
    built.build_cpu_s = ProcessCpuSeconds() - cpu0;
    built.build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!m.ok()) {
      std::fprintf(stderr, "build failed: %s\n", std::string(m.status().message()).c_str());
      std::exit(1);
    }
    built.matcher = *m;
    built.heap_bytes = HeapInUse() - heap_before;
  }
  return cache.emplace(std::pair{n, tenants}, std::move(built)).first->second;
}

void BM_WirewatchSpans(benchmark::State& state) {
  const BuiltMatcher& b = WirewatchMatcher(static_cast<size_t>(state.range(0)));
  std::vector<ww::tagging::Span> spans;
  size_t matches = 0;
  for (auto _ : state) {
    matches = 0;
    for (const std::string& doc : *g_docs) {
      spans.clear();
      b.matcher->FindSpans(doc, &spans);
      matches += spans.size();
    }
    benchmark::DoNotOptimize(matches);
  }
  const double n = static_cast<double>(state.range(0));
  state.SetBytesProcessed(static_cast<int64_t>(g_corpus_bytes) * state.iterations());
  state.counters["build_s"] = b.build_s;
  state.counters["build_cpu_s"] = b.build_cpu_s;
  state.counters["B/alias"] = static_cast<double>(b.heap_bytes) / n;
  state.counters["B/alias_self"] = static_cast<double>(b.matcher->MemoryUsage()) / n;
  state.counters["matches"] = static_cast<double>(matches);
}

void BM_WirewatchFindAll(benchmark::State& state) {
  const BuiltMatcher& b =
      WirewatchMatcher(static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1)));
  size_t matches = 0;
  for (auto _ : state) {
    matches = 0;
    for (const std::string& doc : *g_docs) matches += b.matcher->FindAll(doc).size();
    benchmark::DoNotOptimize(matches);
  }
  state.SetBytesProcessed(static_cast<int64_t>(g_corpus_bytes) * state.iterations());
  state.counters["matches"] = static_cast<double>(matches);
}

#if defined(WW_BENCH_TAG_STAGE)
void BM_WirewatchTagStage(benchmark::State& state) {
  const BuiltMatcher& b = WirewatchMatcher(static_cast<size_t>(state.range(0)));
  // As the tagger's watchlist table gives it: the matcher and every entity's name.
  auto names = std::make_shared<ww::services::EntityNames>();
  const std::vector<std::string>& aliases = Aliases(static_cast<size_t>(state.range(0)));
  for (size_t i = 0; i < aliases.size(); ++i) (*names)["a" + std::to_string(i)] = aliases[i];
  const ww::services::MatcherSnapshot snapshot{b.matcher, std::move(names), 1};
  // A copy per record, as the service's watchlist table hands it out.
  const ww::services::TagStage stage("articles.tagged", [&snapshot] {
    return snapshot;  // NOLINT(performance-no-automatic-move): a copy is what is measured
  });
  std::vector<ww::kafka::Record> records;  // outside the timing, as the consumer hands them
  for (size_t i = 0; i < g_docs->size(); ++i) {
    ww::v1::Article a;
    a.set_id("ar-" + std::to_string(i));
    a.set_text((*g_docs)[i]);
    records.push_back({"articles.unique",
                       0,
                       static_cast<int64_t>(i),
                       a.id(),
                       a.SerializeAsString(),
                       false,
                       {},
                       0});
  }
  size_t out_bytes = 0;
  for (auto _ : state) {
    out_bytes = 0;
    for (const ww::kafka::Record& r : records) {
      auto out = stage.Process(r);
      if (!out.ok()) state.SkipWithError("a record was refused");
      out_bytes += (*out)[0].value.size();
    }
    benchmark::DoNotOptimize(out_bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(g_corpus_bytes) * state.iterations());
  state.counters["out_B"] = static_cast<double>(out_bytes);
}
#endif

struct HsDeleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};

struct BuiltHs {
  std::unique_ptr<hs_database_t, HsDeleter> db;
  std::unique_ptr<hs_scratch_t, HsDeleter> scratch;
  std::vector<unsigned> lengths;
  double build_s = 0;
  size_t bytes = 0;
};

const BuiltHs& HyperscanDb(size_t n) {
  static std::map<size_t, BuiltHs> cache;
  if (auto it = cache.find(n); it != cache.end()) return it->second;
  const std::vector<std::string>& aliases = Aliases(n);
  BuiltHs built;
  std::vector<const char*> exprs;
  std::vector<size_t> lens;
  std::vector<unsigned> flags, ids;
  for (size_t i = 0; i < aliases.size(); ++i) {
    exprs.push_back(aliases[i].data());
    lens.push_back(aliases[i].size());
    flags.push_back(HS_FLAG_CASELESS);
    ids.push_back(static_cast<unsigned>(i));
    built.lengths.push_back(static_cast<unsigned>(aliases[i].size()));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  const auto t0 = std::chrono::steady_clock::now();
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                           static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db,
                           &error) != HS_SUCCESS) {
    std::fprintf(stderr, "hyperscan compile failed: %s\n", error ? error->message : "?");
    std::exit(1);
  }
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(db, &scratch);
  built.build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  size_t db_size = 0, scratch_size = 0;
  hs_database_size(db, &db_size);
  hs_scratch_size(scratch, &scratch_size);
  built.bytes = db_size + scratch_size;
  built.db.reset(db);
  built.scratch.reset(scratch);
  return cache.emplace(n, std::move(built)).first->second;
}

bool IsWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
}

struct HsContext {
  const std::string* doc;
  const std::vector<unsigned>* lengths;
  size_t matches;
};

int OnHsMatch(unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
  auto* c = static_cast<HsContext*>(ctx);
  const size_t end = to;
  const size_t start = end - (*c->lengths)[id];
  const auto* s = reinterpret_cast<const unsigned char*>(c->doc->data());
  if ((start == 0 || !IsWordByte(s[start - 1])) && (end == c->doc->size() || !IsWordByte(s[end]))) {
    ++c->matches;
  }
  return 0;
}

void BM_Hyperscan(benchmark::State& state) {
  const BuiltHs& b = HyperscanDb(static_cast<size_t>(state.range(0)));
  HsContext ctx{nullptr, &b.lengths, 0};
  for (auto _ : state) {
    ctx.matches = 0;
    for (const std::string& doc : *g_docs) {
      ctx.doc = &doc;
      hs_scan(b.db.get(), doc.data(), static_cast<unsigned>(doc.size()), 0, b.scratch.get(),
              OnHsMatch, &ctx);
    }
    benchmark::DoNotOptimize(ctx.matches);
  }
  state.SetBytesProcessed(static_cast<int64_t>(g_corpus_bytes) * state.iterations());
  state.counters["build_s"] = b.build_s;
  state.counters["B/alias"] = static_cast<double>(b.bytes) / static_cast<double>(state.range(0));
  state.counters["matches"] = static_cast<double>(ctx.matches);
}

std::vector<int64_t> ParseSizes(const std::string& s) {
  std::vector<int64_t> out;
  size_t from = 0;
  while (from < s.size()) {
    size_t to = s.find(',', from);
    if (to == std::string::npos) to = s.size();
    out.push_back(std::stoll(s.substr(from, to - from)));
    from = to + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int64_t> sizes = {10000, 100000, 119000, 1000000};
  std::string dump_dir;
  bool hyperscan = true;
  int iterations = 3;
  int64_t tenants = 100;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (absl::StartsWith(arg, "--sizes=")) {
      sizes = ParseSizes(arg.substr(8));
    } else if (absl::StartsWith(arg, "--dump_dir=")) {
      dump_dir = arg.substr(11);
    } else if (absl::StartsWith(arg, "--tenants=")) {
      tenants = std::stoll(arg.substr(10));
    } else if (arg == "--no_hyperscan") {
      hyperscan = false;
    } else if (absl::StartsWith(arg, "--iterations=")) {
      iterations = std::stoi(arg.substr(13));
    } else {
      rest.push_back(argv[i]);
    }
  }
  const std::optional<std::string> data = ww::bench::FindDataDir();
  if (!data) {
    std::printf("ww_tagging_bench: shared data not found (set WW_DATA_DIR); skipping\n");
    return 0;
  }
  g_data_dir = *data;
  static std::vector<std::string> docs = ww::bench::LoadReutersBodies(g_data_dir);
  g_docs = &docs;
  for (const std::string& d : docs) g_corpus_bytes += d.size();
  std::fprintf(stderr, "corpus: %zu bodies, %zu bytes\n", docs.size(), g_corpus_bytes);

  if (!dump_dir.empty()) {
    std::ofstream corpus(dump_dir + "/corpus.txt", std::ios::binary);
    for (const std::string& d : docs) corpus << d << "\n";
    for (int64_t n : sizes) {
      std::ofstream out(dump_dir + "/aliases-" + std::to_string(n) + ".txt", std::ios::binary);
      for (const std::string& a : Aliases(static_cast<size_t>(n))) out << a << "\n";
    }
    return 0;
  }

  for (int64_t n : sizes) {
    benchmark::RegisterBenchmark("Wirewatch/Spans", BM_WirewatchSpans)
        ->Arg(n)
        ->Iterations(iterations)
        ->Unit(benchmark::kMillisecond);
#if defined(WW_BENCH_TAG_STAGE)
    benchmark::RegisterBenchmark("Wirewatch/TagStage", BM_WirewatchTagStage)
        ->Arg(n)
        ->Iterations(iterations)
        ->Unit(benchmark::kMillisecond);
#endif
    // Arguments: aliases, tenants (1: one tenant; FindAll/N/1 is the former FindAll/N).
    for (int64_t t : tenants > 1 ? std::vector<int64_t>{1, tenants} : std::vector<int64_t>{1}) {
      benchmark::RegisterBenchmark("Wirewatch/FindAll", BM_WirewatchFindAll)
          ->Args({n, t})
          ->Iterations(iterations)
          ->Unit(benchmark::kMillisecond);
    }
    if (hyperscan) {
      benchmark::RegisterBenchmark("Hyperscan", BM_Hyperscan)
          ->Arg(n)
          ->Iterations(iterations)
          ->Unit(benchmark::kMillisecond);
    }
  }
  int bench_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&bench_argc, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
