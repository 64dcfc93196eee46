#pragma once
// Measuring "same story" on the shared near-duplicate data (never copied into the repo):
// ECB+ topics 1-22 plus syndicated variants made from its articles, and the EMM headline
// pairs of SemEval STS. Used by the quality test (asserts the targets) and dedup_eval
// (prints the curve). Not thread-safe.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/dedup/clusterer.h"

namespace ww::dedup::quality {

struct Doc {
  std::string id;       // e.g. "1_1ecb" or "1_1ecb~v2" for a variant
  std::string base;     // the ECB+ document it comes from: the gold "same story"
  std::string subtopic; // the ECB+ event
  std::string title;
  std::string text;
};

// $WW_SOURCE_DIR/../shared/data, or empty when that folder is absent.
std::string SharedDataDir();

// The ECB+ documents (sentences as paragraphs). NotFound when the file is absent.
absl::StatusOr<std::vector<Doc>> LoadEcbPlus(const std::string& data_dir);

// `per_doc` syndicated copies of each document: a new headline, and at random a byline, a
// dateline, a "Read more" line, a trimmed last paragraph, a syndication or copyright
// footer, curly quotes and extra spaces. Deterministic for a seed. Originals come first.
std::vector<Doc> WithSyndicatedVariants(const std::vector<Doc>& docs, int per_doc, uint64_t seed);

struct PairCounts {
  int64_t tp = 0, fp = 0, fn = 0;
  int64_t fp_same_event = 0;   // merged different documents of the same ECB+ event
  double precision() const { return tp + fp == 0 ? 1.0 : double(tp) / double(tp + fp); }
  double recall() const { return tp + fn == 0 ? 1.0 : double(tp) / double(tp + fn); }
};

// Runs StoryClusterer over `docs` in a shuffled (seeded) order and scores every pair:
// same predicted cluster versus same base document.
PairCounts ClusterAndScore(const std::vector<Doc>& docs, const ClustererOptions& options,
                           uint64_t order_seed);

// Scores "distance <= d" on every pair, for d = 0..max_d (no index, for the curve).
std::vector<PairCounts> DistanceCurve(const std::vector<Doc>& docs,
                                      const FingerprintOptions& options, int max_d);

struct HeadlinePair {
  double score;  // 0..5, 5 = same meaning
  std::string a, b;
};
// The scored EMM headline pairs (sts*-headlines.tsv). NotFound when absent.
absl::StatusOr<std::vector<HeadlinePair>> LoadEmmHeadlines(const std::string& data_dir);

}  // namespace ww::dedup::quality
