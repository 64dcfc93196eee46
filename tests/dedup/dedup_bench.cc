// dedup_bench: fingerprint + index lookup throughput at 1 million articles in the window,
// and index memory per article. Built, not run by ctest (speed is never asserted).
// Usage: WW_SOURCE_DIR=/work/main dedup_bench [articles-in-window, default 1000000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "libs/dedup/clusterer.h"
#include "libs/dedup/near_index.h"
#include "libs/dedup/simhash.h"
#include "tests/dedup/quality.h"

using namespace ww::dedup;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const size_t window = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1'000'000;
  const std::string dir = quality::SharedDataDir();
  if (dir.empty()) return std::fprintf(stderr, "no ../shared/data\n"), 2;
  auto ecb = quality::LoadEcbPlus(dir);
  if (!ecb.ok()) return std::fprintf(stderr, "%s\n", ecb.status().ToString().c_str()), 2;
  std::vector<quality::Doc> docs = quality::WithSyndicatedVariants(*ecb, 3, 7);
  size_t bytes = 0;
  for (const auto& d : docs) bytes += d.text.size();
  std::printf("corpus: %zu ECB+ articles and variants, mean %zu bytes of text\n", docs.size(),
              bytes / docs.size());

  // 1. Fingerprint alone (normalise, drop boilerplate, shingle, SimHash the lead).
  const int rounds = 20;
  uint64_t sink = 0;
  auto t0 = Clock::now();
  for (int r = 0; r < rounds; ++r)
    for (const auto& d : docs) sink ^= SimHashFingerprint(d.text).simhash;
  double fp_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const double n_fp = double(rounds) * docs.size();

  // 2. The index with `window` entries (random fingerprints: the realistic case, as
  //    different stories are ~32 bits apart), then Find + Add of the corpus fingerprints.
  auto index = NearIndex::Create(3, 72LL * 3600 * 1000);
  std::mt19937_64 rng(1);
  for (size_t i = 0; i < window; ++i) index->Add(rng(), 1000, static_cast<uint32_t>(i));
  index->Commit(1000);
  std::printf("index: %zu entries, %.1f bytes per entry (%zu bytes)\n", index->size(),
              double(index->MemoryBytes()) / index->size(), index->MemoryBytes());
  std::vector<uint64_t> fps;
  for (const auto& d : docs) fps.push_back(SimHashFingerprint(d.text).simhash);
  const size_t lookups = 2'000'000;
  size_t found = 0;
  t0 = Clock::now();
  for (size_t i = 0; i < lookups; ++i) {
    const uint64_t q = (i & 1) ? fps[i % fps.size()] : rng();
    found += index->Find(q, 2000).size();
  }
  double find_s = std::chrono::duration<double>(Clock::now() - t0).count();
  t0 = Clock::now();
  for (size_t i = 0; i < 200'000; ++i) index->Add(rng(), 2000, 0);
  double add_s = std::chrono::duration<double>(Clock::now() - t0).count();

  const double fp_us = fp_s / n_fp * 1e6, find_us = find_s / lookups * 1e6,
               add_us = add_s / 200'000 * 1e6;
  std::printf("fingerprint: %.2f us/article (%.0f articles/s)\n", fp_us, 1e6 / fp_us);
  std::printf("index Find at %zu: %.3f us/lookup (%.0f/s); Add %.3f us\n", window, find_us,
              1e6 / find_us, add_us);
  std::printf("fingerprint + lookup + add: %.0f articles/s on one core\n",
              1e6 / (fp_us + find_us + add_us));

  // 3. The whole clusterer (exact window, ids, clusters too), memory per article by RSS.
  auto rss = [] {
    long pages = 0, resident = 0;
    FILE* f = std::fopen("/proc/self/statm", "r");
    if (f && std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    if (f) std::fclose(f);
    return resident * 4096L;
  };
  index = NearIndex::Create(3, 1000);  // drop the big index
  const long before = rss();
  auto c = StoryClusterer::Create({});
  const size_t full = std::min<size_t>(window, 300'000);
  for (size_t i = 0; i < full; ++i) {
    ArticleKey k;
    k.id = "ar-" + std::to_string(0x1000000000000000ULL + i);
    k.source = "outlet-" + std::to_string(i % 500);
    k.url = "https://outlet-" + std::to_string(i % 500) + ".example/" + std::to_string(i);
    k.content_hash = std::to_string(rng());
    k.fingerprint = NearFingerprint{rng(), true};
    c->Assign(std::move(k), 1000 + i);
    if (i % 1000 == 0) c->Commit();
  }
  c->Commit();
  std::printf("whole StoryClusterer (ids, URLs, hashes, clusters): %.0f bytes per article "
              "(RSS, %zu articles)\n", double(rss() - before) / full, full);
  return sink == 42 ? 1 : (found == 0 ? 0 : 0);
}
