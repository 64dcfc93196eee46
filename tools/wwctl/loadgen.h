#pragma once
// What `wwctl loadgen` sends and what it measures, apart from gRPC (a unit test calls both).
//
// Articles: news-like text made from a fixed stock of sentence shapes, each filled with words
// drawn for that article (places, numbers, subjects, verbs), so that two articles share few
// runs of words: the deduper sees distinct reports, not copies. A share of them names the
// watched entities (and raises alerts); a share repeats an earlier article word for word under
// another outlet's URL (a wire reprint: a copy). Deterministic for a seed.
//
// Latency: submit-to-alert times, with percentiles. Thread-safe where marked.
#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace ww::wwctl {

struct LoadArticle {
  std::string title;
  std::string text;
  std::string url;
  std::string source;
  bool mentions = false;  // names one of the watched names
  bool copy = false;      // repeats the text of an earlier article of this generator
};

struct LoadMix {
  double mentions = 0.5;  // share of articles that name a watched name
  double copies = 0.1;    // share that reprint an earlier article
  std::vector<std::string> names = {"Kim Jong Un", "Vladivostok", "Vladimir Putin"};
};

class ArticleGenerator {
 public:
  ArticleGenerator(LoadMix mix, uint64_t seed);
  // The next article; `run` makes URLs unique across runs of the tool.
  LoadArticle Next(const std::string& run);

 private:
  std::string Sentence(bool name_it);

  LoadMix mix_;
  std::mt19937_64 rng_;
  uint64_t n_ = 0;
  std::vector<LoadArticle> recent_;  // what a copy may reprint (the last 64 originals)
};

// Latencies in milliseconds; percentiles by nearest rank. Thread-safe.
class LatencyStats {
 public:
  void Add(double ms);
  size_t count() const;
  // The q-quantile (0 < q <= 1) of what was added; 0 when empty.
  double Quantile(double q) const;
  double Max() const;
  void Clear();

 private:
  mutable absl::Mutex mu_;
  mutable std::vector<double> ms_ ABSL_GUARDED_BY(mu_);
  mutable bool sorted_ ABSL_GUARDED_BY(mu_) = true;
};

// Where one article's time went, from the timestamps of the records it left on each topic
// (Unix ms, the producer's clock; 0: none seen there) and the client's clock at both ends.
// A record is stamped when its stage produces it, before its transaction commits, so the
// commit of one hop is counted in the next one (its input was not readable until then).
struct ArticleTimeline {
  double submitted_ms = 0;  // the Submit call began
  int64_t raw_ms = 0;       // the ingestor's article record
  int64_t unique_ms = 0;    // the deduper's (copies stop there: they raise no new alert)
  int64_t tagged_ms = 0;    // the tagger's
  int64_t alert_ms = 0;     // the alerter's first alert for it
  double received_ms = 0;   // its first alert reached the subscriber
};

enum Hop : int { kIngestHop = 0, kDedupHop, kTagHop, kAlertHop, kDeliverHop, kHops };
inline constexpr std::array<const char*, kHops> kHopNames = {"ingest", "dedup", "tag", "alert",
                                                             "deliver"};

// Adds each hop the article completed (both ends seen) to stats[hop]: ingest = submit ->
// raw, dedup = raw -> unique, tag = unique -> tagged, alert = tagged -> alert, deliver =
// alert -> received.
void AddHops(const ArticleTimeline& t, std::array<LatencyStats, kHops>& stats);

}  // namespace ww::wwctl
