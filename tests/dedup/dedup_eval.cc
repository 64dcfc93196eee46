// dedup_eval: prints the precision/recall curve of near-duplicate detection on the shared
// data (ECB+ with syndicated variants, EMM headline pairs), for BENCHMARKS.md and
// libs/dedup/README.md. Built, not run by ctest.  Usage: WW_SOURCE_DIR=/work/main dedup_eval
#include <cstdio>
#include <limits>

#include "libs/dedup/simhash.h"
#include "tests/dedup/quality.h"

using namespace ww::dedup;
using namespace ww::dedup::quality;

namespace {

// MinHash over the same shingles, for the comparison: k 64-bit minima, estimated Jaccard.
std::vector<uint64_t> MinHash(const std::string& text, int shingle, int k) {
  std::vector<std::string> w = ContentWords(text, std::numeric_limits<int>::max());
  std::vector<uint64_t> mins(k, ~0ULL);
  for (size_t i = 0; i + shingle <= w.size(); ++i) {
    uint64_t h = 0;
    for (int j = 0; j < shingle; ++j) h = h * 0x9e3779b97f4a7c15ULL + WordHash(w[i + j]);
    for (int p = 0; p < k; ++p) {
      uint64_t x = (h ^ (0x5851f42d4c957f2dULL * (p + 1))) * 0xbf58476d1ce4e5b9ULL;
      x ^= x >> 31;
      mins[p] = std::min(mins[p], x);
    }
  }
  return mins;
}

}  // namespace

int main() {
  const std::string dir = SharedDataDir();
  if (dir.empty()) {
    std::fprintf(stderr, "no ../shared/data beside $WW_SOURCE_DIR\n");
    return 2;
  }
  auto ecb = LoadEcbPlus(dir);
  if (!ecb.ok()) return std::fprintf(stderr, "%s\n", ecb.status().ToString().c_str()), 2;
  std::vector<Doc> docs = WithSyndicatedVariants(*ecb, 3, 2024);
  std::printf("ECB+ topics 1-22: %zu originals + %zu syndicated variants\n", ecb->size(),
              docs.size() - ecb->size());

  std::printf("\nPairwise SimHash distance <= d (no index), by lead length and shingle size\n");
  std::printf("%-22s %3s %9s %9s %6s %s\n", "config", "d", "precision", "recall", "FP", "FP same event");
  for (int lead : {50, 100, 200, 100000}) {
    for (int sh : {1, 2, 3}) {
      FingerprintOptions o;
      o.lead_words = lead;
      o.shingle_words = sh;
      auto curve = DistanceCurve(docs, o, 8);
      for (int d = 0; d <= 8; ++d) {
        std::printf("lead=%-6d shingle=%d %5d %9.4f %9.4f %6lld %lld\n", lead, sh, d,
                    curve[d].precision(), curve[d].recall(), (long long)curve[d].fp,
                    (long long)curve[d].fp_same_event);
      }
    }
  }

  std::printf("\nMinHash (64 minima, 3-word shingles, whole text): estimated Jaccard >= t\n");
  {
    std::vector<std::vector<uint64_t>> mh;
    for (const Doc& d : docs) mh.push_back(MinHash(d.text, 3, 64));
    for (double t : {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}) {
      PairCounts c;
      for (size_t i = 0; i < docs.size(); ++i)
        for (size_t j = i + 1; j < docs.size(); ++j) {
          int eq = 0;
          for (int p = 0; p < 64; ++p) eq += mh[i][p] == mh[j][p];
          bool got = eq / 64.0 >= t, gold = docs[i].base == docs[j].base;
          if (gold && got) ++c.tp;
          if (gold && !got) ++c.fn;
          if (!gold && got) ++c.fp;
        }
      std::printf("t=%.1f precision %.4f recall %.4f FP %lld\n", t, c.precision(), c.recall(),
                  (long long)c.fp);
    }
  }

  std::printf("\nStoryClusterer end to end (index, exact + near, shuffled order), defaults\n");
  for (int d = 0; d <= NearIndex::kMaxDistance; ++d) {
    ClustererOptions o;
    o.max_distance = d;
    PairCounts c = ClusterAndScore(docs, o, 99);
    std::printf("threshold %d bits: precision %.4f recall %.4f (tp %lld fp %lld fn %lld, "
                "fp same event %lld)\n", d, c.precision(), c.recall(), (long long)c.tp,
                (long long)c.fp, (long long)c.fn, (long long)c.fp_same_event);
  }

  auto emm = LoadEmmHeadlines(dir);
  if (emm.ok()) {
    FingerprintOptions o;
    o.min_words = 1;  // headlines are short: fingerprint them anyway, to test false merges
    int n[6] = {}, merged[6] = {};
    for (const auto& p : *emm) {
      int band = std::min(5, static_cast<int>(p.score));
      auto a = SimHashFingerprint(p.a, o), b = SimHashFingerprint(p.b, o);
      ++n[band];
      if (a.valid && b.valid && HammingDistance(a.simhash, b.simhash) <= 3) ++merged[band];
    }
    std::printf("\nEMM headline pairs (%zu): merged at <= 3 bits, by human score band\n",
                emm->size());
    for (int s = 0; s <= 5; ++s) std::printf("score %d..%d: %d of %d merged\n", s, s + 1, merged[s], n[s]);
  }
  return 0;
}
