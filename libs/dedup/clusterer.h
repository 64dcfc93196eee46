#pragma once
// Story clusters: decides, article by article, whether an article is the first of a story
// or a copy of one seen within the window, and keeps each story's cluster (stable id,
// outlets that carried it, first and last seen). The one place where exact duplicates
// (canonical URL, content hash: ExactWindow) and near duplicates (SimHash of the lead:
// NearIndex) are combined; the deduper's stage and `wwctl dedup` both run it.
//
// Decision for an article A at time t (t is clamped to be non-decreasing):
//   1. an earlier article with the same URL or content hash: A copies it;
//   2. else the earlier article whose fingerprint is nearest to A's (ties: the oldest),
//      within max_distance bits: A copies it;
//   3. else A is the first of a new cluster whose id is A's id.
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
#include "libs/dedup/exact_window.h"
#include "libs/dedup/near_index.h"
#include "libs/dedup/simhash.h"

namespace ww::dedup {

struct ClustererOptions {
  int max_distance = 3;                      // Hamming radius of a near duplicate, 0..3
  int64_t window_ms = 72LL * 3600 * 1000;   // how long a story is remembered
  FingerprintOptions fingerprint;
  size_t max_sources = 500;                  // distinct outlets kept per cluster
};

// What an alert needs to say about a story ("carried by 14 outlets").
struct ClusterInfo {
  std::string id;                 // the first article's id; stable
  std::string first_article_id;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  uint32_t articles = 0;          // articles in the cluster so far, the first included
  std::vector<std::string> sources;  // distinct outlets in order of arrival
};

// One article to decide. `simhash`/`content_hash` may be precomputed (the stage stores
// them on the record); otherwise they are computed from `text` (or `title` when the text
// is empty).
struct ArticleKey {
  std::string id;
  std::string source;
  std::string url;
  std::string title;
  std::string text;
  std::string content_hash;            // empty: computed
  std::optional<NearFingerprint> fingerprint;  // nullopt: computed
};

struct Decision {
  bool redelivery = false;        // the id was already decided: nothing changed
  std::string duplicate_of;       // empty for the first article of a cluster
  int distance = -1;              // bits to duplicate_of; 0 for exact; -1 for a first
  bool exact = false;             // duplicate by URL or content hash
  NearFingerprint fingerprint;
  std::string content_hash;
  ClusterInfo cluster;            // after this article joined
};

class StoryClusterer {
 public:
  // InvalidArgument for a bad option (threshold outside 0..3, window not positive).
  static absl::StatusOr<StoryClusterer> Create(ClustererOptions options);

  // Computes what Assign would for `a` (fingerprint and content hash). Pure; thread-safe.
  static void Fingerprint(ArticleKey& a, const FingerprintOptions& options);

  Decision Assign(ArticleKey a, int64_t now_ms);

  void Commit();
  void Rollback();

  size_t articles() const { return articles_.size(); }
  size_t clusters() const { return clusters_.size(); }
  const NearIndex& near_index() const { return near_; }

 private:
  StoryClusterer(ClustererOptions options, NearIndex near);
  struct ArticleRec {
    std::string id;
    std::string cluster_id;
    int64_t seen_ms;
  };
  struct ClusterRec {
    ClusterInfo info;
    uint32_t live_articles = 0;   // members still in the window
  };
  struct Undo {
    std::string cluster_id;
    std::optional<ClusterRec> before;  // nullopt: the cluster was created
  };
  void Touch(const std::string& cluster_id);  // journals the cluster before a change
  void ExpireCommitted();

  ClustererOptions options_;
  ExactWindow exact_;
  NearIndex near_;
  // Articles in arrival order; NearIndex payloads are sequence numbers into it.
  std::deque<ArticleRec> articles_;
  uint32_t first_seq_ = 0;   // sequence of articles_.front()
  absl::flat_hash_map<std::string, uint32_t> by_id_;  // redelivery check
  absl::flat_hash_map<std::string, ClusterRec> clusters_;
  std::vector<Undo> undo_;
  size_t uncommitted_articles_ = 0;
  int64_t now_ms_ = 0;
  int64_t committed_now_ms_ = 0;
};

}  // namespace ww::dedup
