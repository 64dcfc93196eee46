#include "libs/dedup/exact_window.h"

namespace ww::dedup {

void ExactWindow::Insert(std::string key, const SeenArticle& article) {
  if (!index_.emplace(key, article).second) return;
  journal_.push_back(key);
  entries_.push_back({std::move(key), article});
}

void ExactWindow::Add(const std::string& url, const std::string& content_hash,
                      SeenArticle article) {
  if (!url.empty()) Insert("u:" + url, article);
  if (!content_hash.empty()) Insert("h:" + content_hash, article);
}

void ExactWindow::Expire(int64_t now_ms) {
  while (!entries_.empty() && entries_.front().article.seen_ms < now_ms - window_ms_) {
    auto it = index_.find(entries_.front().key);
    if (it != index_.end() && it->second.seen_ms == entries_.front().article.seen_ms) {
      index_.erase(it);
    }
    entries_.pop_front();
  }
}

std::optional<SeenArticle> ExactWindow::CheckAndAdd(const std::string& url,
                                                    const std::string& content_hash,
                                                    SeenArticle article, int64_t now_ms) {
  Expire(now_ms);
  for (const std::string& key : {url.empty() ? std::string() : "u:" + url,
                                 content_hash.empty() ? std::string() : "h:" + content_hash}) {
    if (key.empty()) continue;
    if (auto it = index_.find(key); it != index_.end()) return it->second;
  }
  Add(url, content_hash, std::move(article));
  return std::nullopt;
}

void ExactWindow::Rollback() {
  // Journalled keys were appended last, so they are at the back of entries_.
  for (auto it = journal_.rbegin(); it != journal_.rend(); ++it) {
    index_.erase(*it);
    if (!entries_.empty() && entries_.back().key == *it) entries_.pop_back();
  }
  journal_.clear();
}

}  // namespace ww::dedup
