#pragma once
// Exact-duplicate index over a sliding time window: an article is a copy of an earlier one
// when it has the same canonical URL or the same content hash, and the earlier one was seen
// less than `window` before it. Changes are journalled so that a stage can roll back what
// an aborted Kafka transaction had added (Rollback) or make it permanent (Commit).
// Not thread-safe: owned by one stage loop.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace ww::dedup {

struct SeenArticle {
  std::string article_id;
  std::string cluster_id;
  int64_t seen_ms = 0;
};

class ExactWindow {
 public:
  explicit ExactWindow(int64_t window_ms) : window_ms_(window_ms) {}

  // The earlier article this one copies (by URL first, then content), or nullopt after
  // recording it as the first of its story. Empty url or hash never match.
  // `now_ms` also expires entries older than the window.
  std::optional<SeenArticle> CheckAndAdd(const std::string& url, const std::string& content_hash,
                                         SeenArticle article, int64_t now_ms);

  // Records an article without checking (rebuilding the window from Kafka on start).
  void Add(const std::string& url, const std::string& content_hash, SeenArticle article);

  void Commit() { journal_.clear(); }
  void Rollback();
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string key;
    SeenArticle article;
  };
  void Expire(int64_t now_ms);
  void Insert(std::string key, const SeenArticle& article);

  int64_t window_ms_;
  absl::flat_hash_map<std::string, SeenArticle> index_;  // "u:"+url or "h:"+hash
  std::deque<Entry> entries_;                           // in insertion (time) order
  std::vector<std::string> journal_;                    // keys added since the last Commit
};

}  // namespace ww::dedup
