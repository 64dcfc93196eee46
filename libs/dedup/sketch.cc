#include "libs/dedup/sketch.h"

#include <emmintrin.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <vector>

#include "libs/runtime/ids.h"

namespace ww::dedup {
namespace {

using runtime::Mix64;

constexpr uint64_t kLeadSalt = 0x6c62272e07bb0142ULL;  // the lead's own permutation
constexpr uint64_t kKeySalt = 0x2545f4914f6cdd1dULL;   // keys: other bits than the sketch's
constexpr uint64_t kDensifySalt = 0x9fb21c651e98df25ULL;

uint32_t KeyOf(uint64_t h) { return static_cast<uint32_t>(Mix64(h ^ kKeySalt)); }

// One-permutation MinHash of `distinct` (distinct values, any order) into K bins by the
// top bits: each bin keeps the minimum of the values in its range. Empty bins borrow the
// value of a non-empty one chosen by a fixed pseudo-random probe sequence (optimal
// densification), the same for every article, so two articles agree on a borrowed bin as
// often as on a real one.
template <size_t K>
void OnePermutation(std::span<const uint64_t> distinct, std::array<uint8_t, K>* bins) {
  constexpr int kShift = 64 - std::countr_zero(K);
  std::array<uint64_t, K> min;
  min.fill(~uint64_t{0});
  std::array<bool, K> filled{};
  for (const uint64_t h : distinct) {
    const size_t b = h >> kShift;
    filled[b] = true;
    min[b] = std::min(min[b], h);
  }
  for (size_t b = 0; b < K; ++b) {
    if (filled[b]) (*bins)[b] = static_cast<uint8_t>(min[b]);
  }
  for (size_t b = 0; b < K; ++b) {
    if (filled[b]) continue;
    for (uint64_t attempt = 1;; ++attempt) {
      const size_t from = Mix64(kDensifySalt ^ (b << 32) ^ attempt) % K;
      if (filled[from]) {
        (*bins)[b] = static_cast<uint8_t>(min[from]);
        break;
      }
    }
  }
}

// Replaces *out with the distinct values of `in` (in first-seen order), through an
// open-addressing set at most a quarter full (linear probing), indexed by the values' own
// low bits (they are hashes already). A slot is free unless it carries this call's stamp, so
// nothing is cleared between calls. O(n).
void Distinct(std::span<const uint64_t> in, std::vector<uint64_t>* out) {
  struct Slot {
    uint64_t value;
    uint32_t stamp;
  };
  thread_local std::vector<Slot> table;
  thread_local uint32_t stamp = 0;
  size_t size = 64;
  while (size < 4 * in.size()) size <<= 1;
  if (table.size() < size) table.assign(size, Slot{0, 0});
  if (++stamp == 0) {  // wrapped: old stamps could look current
    std::fill(table.begin(), table.end(), Slot{0, 0});
    stamp = 1;
  }
  const size_t mask = size - 1;
  out->clear();
  for (const uint64_t h : in) {
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& slot = table[i];
      if (slot.stamp != stamp) {
        slot = {h, stamp};
        out->push_back(h);
        break;
      }
      if (slot.value == h) break;
    }
  }
}

// The `k` smallest of `values` (distinct hashes), ascending, as keys: the first `stored` go
// to the keys the article is filed under, all of them to the probes it looks up with.
// Uniform values: the k smallest are almost always below 2k/n of the range (fewer than k
// there happens about once in a thousand articles, and falls back to all of them), so one
// branch-free pass picks those out and only they are ordered.
void BottomKeys(const std::vector<uint64_t>& values, size_t k, size_t stored, Fingerprint* out) {
  thread_local std::vector<uint64_t> low;
  k = std::min(k, values.size());
  const uint64_t limit =
      values.size() <= 2 * k ? ~uint64_t{0} : (~uint64_t{0} / values.size()) * (2 * k);
  low.resize(values.size());
  size_t below = 0;
  for (const uint64_t v : values) {
    low[below] = v;
    below += v <= limit;
  }
  if (below < k) {
    low.assign(values.begin(), values.end());
    below = low.size();
  }
  std::nth_element(low.begin(), low.begin() + static_cast<ptrdiff_t>(k),
                   low.begin() + static_cast<ptrdiff_t>(below));
  std::sort(low.begin(), low.begin() + static_cast<ptrdiff_t>(k));
  for (size_t i = 0; i < k; ++i) {
    const uint32_t key = KeyOf(low[i]);
    if (i < stored) out->keys[out->key_count++] = key;
    out->probes[out->probe_count++] = key;
  }
}

// Lower end of the Wilson score interval of a proportion `hits` / `n`.
double WilsonLow(int hits, int n, double z) {
  const double p = static_cast<double>(hits) / n;
  const double z2 = z * z;
  const double centre = p + z2 / (2.0 * n);
  const double spread = z * std::sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
  return std::max(0.0, (centre - spread) / (1 + z2 / n));
}

// Resemblance from the share of equal 8-bit bins: unrelated bins agree 1 time in 256.
double ResemblanceLow(int equal, int bins, double z) {
  constexpr double kChance = 1.0 / 256;
  return std::max(0.0, (WilsonLow(equal, bins, z) - kChance) / (1 - kChance));
}

template <size_t K>
int EqualBytes(const std::array<uint8_t, K>& a, const std::array<uint8_t, K>& b) {
  static_assert(K % 16 == 0);
  int equal = 0;
  for (size_t i = 0; i < K; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a.data() + i));
    const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.data() + i));
    equal += __builtin_popcount(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, y))));
  }
  return equal;
}

}  // namespace

void MakeFingerprint(std::span<const uint64_t> content, const SketchOptions& options,
                     Fingerprint* out) {
  thread_local std::vector<uint64_t> distinct, lead;
  *out = Fingerprint();
  Distinct(content, &distinct);
  if (distinct.empty() || static_cast<int>(distinct.size()) < options.min_shingles) return;
  Sketch& s = out->sketch;
  s.shingles = static_cast<uint16_t>(std::min<size_t>(distinct.size(), UINT16_MAX));
  OnePermutation<kWholeBins>(distinct, &s.whole);
  BottomKeys(distinct, kProbeWholeKeys, kStoredWholeKeys, out);

  // The lead, under its own permutation.
  const size_t lead_n =
      std::min(content.size(), static_cast<size_t>(std::max(1, options.lead_shingles)));
  lead.clear();
  for (size_t i = 0; i < lead_n; ++i) lead.push_back(Mix64(content[i] ^ kLeadSalt));
  Distinct(lead, &distinct);
  s.lead_shingles = static_cast<uint16_t>(distinct.size());
  OnePermutation<kLeadBins>(distinct, &s.lead);
  BottomKeys(distinct, kProbeLeadKeys, kStoredLeadKeys, out);
}

Similarity Compare(const Sketch& a, const Sketch& b, const MatchOptions& o) {
  Similarity sim;
  if (!a.valid() || !b.valid()) return sim;
  const double na = a.shingles, nb = b.shingles;
  const double small = std::min(na, nb), large = std::max(na, nb);
  const double ratio = small / large;
  if (ratio >= o.whole_min_size_ratio) {
    const double j = ResemblanceLow(EqualBytes(a.whole, b.whole), kWholeBins, o.confidence_z);
    const double shared = j / (1 + j) * (na + nb);
    sim.containment = std::min(1.0, shared / small);
    if (sim.containment >= o.min_containment && shared >= o.min_shared) {
      sim.copy = true;
      sim.score = sim.containment;
    }
  }
  if (ratio < o.lead_max_size_ratio) {
    // The leads' containment: a teaser's lead is most of the teaser, and it is contained
    // in the full story's lead whatever the two stories' lengths.
    const double la = a.lead_shingles, lb = b.lead_shingles;
    const double j = ResemblanceLow(EqualBytes(a.lead, b.lead), kLeadBins, o.confidence_z);
    const double shared = j / (1 + j) * (la + lb);
    sim.lead = std::min(1.0, shared / std::min(la, lb));
    if (sim.lead >= o.min_lead && shared >= o.min_shared) {
      sim.copy = true;
      sim.score = std::max(sim.score, sim.lead);
    }
  }
  return sim;
}

}  // namespace ww::dedup
