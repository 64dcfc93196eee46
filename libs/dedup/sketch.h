#pragma once
// Near-duplicate fingerprints: how much two articles share, estimated from small sketches of
// their word shingles (boilerplate already removed, see boilerplate.h).
//
// A copy is an article whose text is mostly contained in another's: a reprint with a new
// header, byline or footer; a copy with a local paragraph inserted; a teaser that is the
// first third of the story; the full story after its teaser; a copy with light word edits.
// Two different stories on the same subject share names, places and stock phrases, but
// little of their text: their containment stays low.
//
// Two sketches per article, both b-bit one-permutation MinHash (Li and Koenig 2010; Li,
// Owen and Zhang 2012) with optimal densification for short texts (Shrivastava 2017):
//   * whole: 128 bins over all the article's shingles. The share of equal bins estimates the
//     resemblance J; with the two shingle counts that gives the shared count and the
//     containment of the smaller article in the larger, J / (1 + J) * (na + nb) / min(na, nb).
//     It is only trusted when the sizes are within a factor of 4: further apart, a small
//     error in J becomes a large one in the containment.
//   * lead: 32 bins over the first 60 content shingles, compared the same way (containment
//     of the smaller lead in the larger). A teaser and its full story, or a short item and
//     the long story it opens, share their lead whatever their sizes.
// Estimates are taken at the lower end of a Wilson interval of the bin matches, so an
// accidental handful of equal bins between unrelated articles never looks like evidence.
//
// Candidates: each article is filed under a few keys, its smallest shingle hashes (4 of the
// whole text, 3 of the lead); a lookup probes with more (16 and 8). A stored key is among
// the smallest of its article, so it is among the smallest of any article that contains it:
// the article that copies an earlier one finds it through the probes (asymmetric
// bottom-k), for the cost of 7 slots per stored article.
//
// Stable across machines and runs; pure functions, thread-safe.
#include <array>
#include <cstdint>
#include <span>

namespace ww::dedup {

inline constexpr int kWholeBins = 128;
inline constexpr int kLeadBins = 32;
inline constexpr int kStoredWholeKeys = 4;
inline constexpr int kStoredLeadKeys = 3;
inline constexpr int kProbeWholeKeys = 16;
inline constexpr int kProbeLeadKeys = 8;

struct SketchOptions {
  int lead_shingles = 60;  // the lead: this many first content shingles
  int min_shingles = 6;    // fewer distinct content shingles: no sketch (exact copies only)
};

// When a sketch comparison says "copy".
struct MatchOptions {
  double min_containment = 0.4;        // shared / min(na, nb), lower confidence bound
  double min_lead = 0.4;               // containment of the leads, lower bound (sizes far apart)
  double confidence_z = 2.0;           // Wilson interval width, in standard deviations
  double whole_min_size_ratio = 0.25;  // whole-text estimate trusted from this size ratio
  double lead_max_size_ratio = 0.5;    // lead estimate used below this size ratio
  int min_shared = 6;                  // estimated shared shingles, at least
};

struct Sketch {
  std::array<uint8_t, kWholeBins> whole{};
  std::array<uint8_t, kLeadBins> lead{};
  uint16_t shingles = 0;       // distinct content shingles; 0: no sketch
  uint16_t lead_shingles = 0;  // distinct shingles in the lead
  bool valid() const { return shingles > 0; }
};

// A sketch and the keys that find it.
struct Fingerprint {
  Sketch sketch;
  std::array<uint32_t, kStoredWholeKeys + kStoredLeadKeys> keys{};  // filed under
  std::array<uint32_t, kProbeWholeKeys + kProbeLeadKeys> probes{};  // looked up
  uint8_t key_count = 0;
  uint8_t probe_count = 0;
};

// The fingerprint of an article's content shingles (text order, boilerplate removed,
// duplicates allowed). Fewer than options.min_shingles distinct ones: an invalid sketch
// and no keys. Allocates nothing once its per-thread buffer is warm.
void MakeFingerprint(std::span<const uint64_t> content, const SketchOptions& options,
                     Fingerprint* out);

struct Similarity {
  double containment = 0;  // lower bound of shared / min(na, nb) (0 when not estimated)
  double lead = 0;         // lower bound of the leads' containment (0 when not used)
  bool copy = false;
  double score = 0;  // for choosing between copies: the estimate that said "copy"
};

// How much `a` and `b` share, and whether that makes one a copy of the other. Symmetric.
Similarity Compare(const Sketch& a, const Sketch& b, const MatchOptions& options);

}  // namespace ww::dedup
