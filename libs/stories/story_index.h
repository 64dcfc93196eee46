#pragma once
// Stories: independent reports of one event, grouped as they arrive. Above the copy clusters
// of libs/dedup (one wire story and its reprints are one report): each new report joins the
// story of the event it reports, or starts a new one; a copy belongs to its report's story.
//
// A report R is compared with every live story S that shares one of R's leading names or
// words (an inverted index), on seven pieces of evidence:
//   1-5  cosine of R's TF-IDF vector with S's centroid, per term group (features.h):
//        words, word pairs, names, numbers, headline words
//   6    R and S both mention years and none in common ("the 2005 rampage" and "the 2009
//        escape" are two events of one kind)
//   7    R's best match among S's latest reports (all groups but the headline's)
// combined by a logistic model (the weights below were fitted on ECB+ topics 1-22, every
// topic's two events being the hard negatives, and checked on held-out topics: see
// README.md). R joins the story with the highest probability if it is at least
// `min_probability`; else it starts a story. A story that has taken no report for `quiet`
// takes no more (a new event about the same people a week later is a new story); it is
// remembered for `window`, so that late copies of its reports still find it.
//
// Deterministic: the result depends only on the sequence of calls (ids, texts, times),
// never on the wall clock or on hash-table order, so every replica and every restart that
// replays the same sequence reaches the same stories. Every change since the last Commit is
// journalled; Rollback undoes it. Not thread-safe: one stage loop (or one tool) owns it.
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "libs/stories/features.h"

namespace ww::stories {

// The evidence of a report against a story (see the top of this file), and the logistic
// model that weighs it: P(same event) = 1 / (1 + exp(-(bias + sum weights[i] * x[i]))).
inline constexpr size_t kEvidence = 7;
struct StoryModel {
  // Fitted by `stories_eval --fit` on ECB+ topics 1-22 (README.md).
  std::array<double, kEvidence> weights = {1.64, -1.37, 7.83, 4.84, 7.93, -1.84, 8.06};
  double bias = -7.97;
};

struct StoryOptions {
  int64_t quiet_ms = int64_t{36} * 3600 * 1000;   // no report for this long: the story closes
  int64_t window_ms = int64_t{72} * 3600 * 1000;  // how long a story is remembered
  double min_probability = 0.35;                  // to join a story rather than start one
  size_t max_candidates = 16;                     // stories scored per report
  size_t member_vectors = 16;                     // latest reports kept per story (evidence 7)
  size_t max_sources = 500;                       // distinct outlets kept per story
  size_t max_terms = 4'000'000;                   // vocabulary bound
  StoryModel model;
};

// What an alert and `wwctl stories list` say about a story.
struct StoryInfo {
  std::string id;        // the first report's id; stable
  std::string headline;  // the first report's title
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  uint32_t articles = 0;             // every article, copies included
  uint32_t reports = 0;              // independent reports (copy clusters)
  uint32_t source_count = 0;         // distinct outlets in all
  std::vector<std::string> sources;  // the first max_sources of them, in order of arrival
};

struct StoryDecision {
  bool joined = false;     // joined an earlier story (else started one)
  double probability = 0;  // the model's, for the story joined (0 for a new story)
  StoryInfo story;         // after this article joined
};

class StoryIndex {
 public:
  // InvalidArgument for a bad option.
  static absl::StatusOr<StoryIndex> Create(StoryOptions options);

  // A new report (the first article of a copy cluster, whose id is the cluster's).
  StoryDecision AddReport(const std::string& id, const std::string& source, std::string_view title,
                          std::string_view text, int64_t now_ms);
  // A copy of the report `cluster_id`: it belongs to that report's story. A report this
  // index never saw (or has forgotten) starts a story of its own, with the cluster's id.
  StoryDecision AddCopy(const std::string& cluster_id, const std::string& source, int64_t now_ms);

  void Commit();
  void Rollback();

  // Stories seen since `since_ms`, most articles first.
  std::vector<StoryInfo> Stories(int64_t since_ms) const;
  size_t stories() const { return stories_.size(); }
  const Vocabulary& vocabulary() const { return vocabulary_; }

  // The evidence of one report against one story, and the model's probability.
  struct Evidence {
    std::array<double, kEvidence> x{};
    double probability = 0;
  };

  // For fitting the model (stories_eval --fit): the report joins the story whose id is
  // `story` (or starts one when there is none), whatever the evidence says; returns the
  // evidence against each story AddReport would have weighed, by story id.
  std::vector<std::pair<std::string, Evidence>> AddReportTo(const std::string& story,
                                                            const std::string& id,
                                                            const std::string& source,
                                                            std::string_view title,
                                                            std::string_view text, int64_t now_ms);

 private:
  explicit StoryIndex(StoryOptions options) : options_(options) {}
  static constexpr int kMemberGroups = 4;  // words, bigrams, names, numbers
  // Where each key of a centroid is: slot (key & mask, linear probing) -> the key's top 16
  // bits (a tag: a probe that misses rarely reads the centroid) and its index in the
  // centroid + 1 (0: empty). Built when a report joins, so that scoring a candidate probes
  // the report's few terms instead of reading every term of the story's centroid.
  using Lookup = std::vector<uint32_t>;
  struct Vectors {
    std::array<TermVector, kGroups> centroid;
    std::array<Lookup, kGroups> lookup;
    std::array<double, kGroups> norm{};
    std::array<bool, kGroups> capped{};  // the centroid has dropped terms (Cap)
    std::vector<uint16_t> years;
    std::deque<std::array<TermVector, kMemberGroups>> members;
  };
  // A story's vectors before a report joined it (Rollback).
  struct VectorsUndo {
    std::array<TermVector, kGroups> centroid;
    std::array<Lookup, kGroups> lookup;
    std::array<double, kGroups> norm{};
    std::array<bool, kGroups> capped{};
    std::vector<uint16_t> years;
    std::optional<std::array<TermVector, kMemberGroups>> evicted;
  };
  struct Story {
    StoryInfo info;
    Vectors vectors;
    std::vector<std::string> clusters;  // reports in this story
    std::vector<uint64_t> keys;         // terms it is filed under in postings_
  };
  StoryDecision Decide(const std::string& id, const std::string& source, std::string_view title,
                       std::string_view text, int64_t now_ms, const std::string* force,
                       std::vector<std::pair<std::string, Evidence>>* evidence);
  // The evidence and probability; evidence 7 is left 0 when the story cannot reach
  // `floor_z` (log-odds) whatever it is (then the probability is below what is needed).
  class TermTable;  // a report's terms, for its dot products (story_index.cc)
  Evidence Score(const std::array<TermVector, kGroups>& r, const TermTable& table,
                 const std::vector<uint16_t>& years, const Vectors& s, double floor_z) const;
  StoryDecision Join(uint64_t seq, const std::string& cluster, const std::string& source,
                     int64_t now_ms, bool new_report);
  // Moves the clock forward (journalled: time never goes back, except on Rollback).
  void Advance(int64_t now_ms);
  // The story of a report, unless past the window (whether or not Expire has run); its
  // sequence number in *seq when given.
  const Story* Live(const std::string& cluster, uint64_t* seq = nullptr) const;
  void Expire();

  StoryOptions options_;
  Vocabulary vocabulary_;
  uint64_t next_seq_ = 0;
  absl::flat_hash_map<uint64_t, Story> stories_;                   // by sequence
  absl::flat_hash_map<std::string, uint64_t> clusters_;            // report (cluster) id -> story
  absl::flat_hash_map<uint64_t, std::vector<uint64_t>> postings_;  // term -> stories
  int64_t now_ms_ = 0;
  uint64_t since_expiry_ = 0;
  // The journal since the last Commit.
  std::vector<std::function<void(StoryIndex&)>> undo_;
  // What each Join changed in a story's info, to undo it (a join is the commonest change:
  // every copy makes one, so it is a plain record rather than a closure).
  struct InfoUndo {
    uint64_t seq;
    int64_t last_seen_ms;
    uint32_t articles, reports, source_count, sources;
  };
  std::vector<InfoUndo> info_undo_;
};

}  // namespace ww::stories
