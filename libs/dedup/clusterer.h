#pragma once
// Story clusters: decides, article by article, whether an article is the first of a story
// or a copy of one seen within the window, and keeps each story's cluster (stable id,
// outlets that carried it, first and last seen). The one place where exact duplicates
// (canonical URL, content hash) and near duplicates (what two texts share:
// shingles.h, boilerplate.h, sketch.h, NearIndex) are combined; the deduper's stage and
// `wwctl dedup` both run it.
//
// Decision for an article A at time t (t is clamped to be non-decreasing):
//   1. an earlier article with the same URL or content hash: A copies it;
//   2. else the earlier article whose sketch says A copies it or it copies A, with the
//      highest estimated containment (ties: the oldest): A joins its cluster;
//   3. else A is the first of a new cluster whose id is A's id, and its shingles count
//      towards the boilerplate the model learns (a copy's never do).
// A copy joins the cluster of the article it copies, and is itself indexed, so a later
// copy of the copy also joins. An article whose id was already decided (a redelivery) is
// reported as such and changes nothing.
//
// The result depends only on the sequence of calls (ids, texts, times), never on the wall
// clock, so every replica that replays the same sequence reaches the same clusters.
//
// Transactions: every change since the last Commit is journalled; Rollback undoes it.
// Not thread-safe: owned by one stage loop (or one tool).
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "libs/dedup/boilerplate.h"
#include "libs/dedup/near_index.h"
#include "libs/dedup/shingles.h"
#include "libs/dedup/sketch.h"

namespace ww::dedup {

struct ClustererOptions {
  int64_t window_ms = 72LL * 3600 * 1000;    // how long a story is remembered
  int shingle_words = kDefaultShingleWords;  // words per shingle
  SketchOptions sketch;
  MatchOptions match;  // when a sketch comparison says "copy"
  BoilerplateOptions boilerplate;
  size_t max_sources = 500;  // distinct outlets kept per cluster
};

// What an alert needs to say about a story ("carried by 14 outlets").
struct ClusterInfo {
  std::string id;  // the first article's id; stable
  std::string first_article_id;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  uint32_t articles = 0;             // articles in the cluster so far, the first included
  std::vector<std::string> sources;  // distinct outlets in order of arrival
};

// One article to decide. `content_hash` may be precomputed (the ingestor stores it on the
// record); otherwise it is computed. Near copies are judged on `text`, or on `title` when
// the text is empty (outlets rewrite headlines, so a title is not evidence otherwise).
struct ArticleKey {
  std::string id;
  std::string source;
  std::string url;
  std::string title;
  std::string text;
  std::string content_hash;  // empty: computed
};

struct Decision {
  bool redelivery = false;   // the id was already decided: nothing changed
  std::string duplicate_of;  // empty for the first article of a cluster
  bool exact = false;        // duplicate by URL or content hash
  // For a near copy, the estimate that made it one (containment of the smaller text in
  // the larger, or resemblance of the leads), a lower bound in 0..1; 1 for an exact copy;
  // 0 for a first.
  double similarity = 0;
  std::string content_hash;
  ClusterInfo cluster;  // after this article joined
};

class StoryClusterer {
 public:
  // InvalidArgument for a bad option (window not positive, a bad boilerplate option).
  static absl::StatusOr<StoryClusterer> Create(ClustererOptions options);

  Decision Assign(const ArticleKey& a, int64_t now_ms);

  void Commit();
  void Rollback();

  size_t articles() const { return articles_.size(); }
  size_t clusters() const { return clusters_.size(); }
  const NearIndex& near_index() const { return near_; }
  const BoilerplateModel& boilerplate() const { return boilerplate_; }

 private:
  static constexpr uint64_t kNone = ~uint64_t{0};
  StoryClusterer(ClustererOptions options, NearIndex near, BoilerplateModel boilerplate);
  struct ArticleRec {
    std::string id;
    uint64_t cluster;  // its cluster's key in clusters_: the first article's sequence
    uint64_t url_key;  // 64-bit hashes of its URL and content hash (0: none)
    uint64_t content_key;
    int64_t seen_ms;
  };
  struct ClusterRec {
    ClusterInfo info;
    uint32_t live_articles = 0;  // members still in the window
  };
  // What an Assign changed, to undo it newest first.
  struct ClusterUndo {
    uint64_t cluster;
    bool created;
    int64_t last_seen_ms;
    uint32_t articles;
    size_t sources;
  };
  struct KeyUndo {
    uint64_t key;
    uint64_t previous;  // the sequence it named before, kNone: absent
    bool id;            // a key of by_id_ (else of exact_)
  };
  // The live article with this URL or content hash key, newest first; kNone when none.
  uint64_t ExactMatch(uint64_t key) const;
  void SetKey(uint64_t key, uint64_t seq);
  void ExpireCommitted();

  ClustererOptions options_;
  NearIndex near_;
  BoilerplateModel boilerplate_;
  // Articles in arrival order: articles_[i] has the NearIndex sequence first_seq_ + i (every
  // article gets one, with or without a sketch).
  std::deque<ArticleRec> articles_;
  uint64_t first_seq_ = 0;  // sequence of articles_.front()
  // Hash of the id -> sequence (the redelivery check; a hash collision is checked against
  // the id and then treated as a new article).
  absl::flat_hash_map<uint64_t, uint64_t> by_id_;
  // URL or content-hash key -> the newest article that has it (exact copies).
  absl::flat_hash_map<uint64_t, uint64_t> exact_;
  absl::flat_hash_map<uint64_t, ClusterRec> clusters_;
  std::vector<ClusterUndo> cluster_undo_;
  std::vector<KeyUndo> key_undo_;
  size_t uncommitted_articles_ = 0;
  int64_t now_ms_ = 0;
  int64_t committed_now_ms_ = 0;
};

}  // namespace ww::dedup
