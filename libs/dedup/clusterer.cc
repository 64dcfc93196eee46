#include "libs/dedup/clusterer.h"

#include <algorithm>

#include "libs/dedup/fingerprint.h"

namespace ww::dedup {

absl::StatusOr<StoryClusterer> StoryClusterer::Create(ClustererOptions options) {
  absl::StatusOr<NearIndex> near = NearIndex::Create(options.max_distance, options.window_ms);
  if (!near.ok()) return near.status();
  return StoryClusterer(std::move(options), *std::move(near));
}

StoryClusterer::StoryClusterer(ClustererOptions options, NearIndex near)
    : options_(std::move(options)), exact_(options_.window_ms), near_(std::move(near)) {}

void StoryClusterer::Fingerprint(ArticleKey& a, const FingerprintOptions& options) {
  const std::string& body = a.text.empty() ? a.title : a.text;
  if (a.content_hash.empty()) a.content_hash = ContentHash(body);
  if (!a.fingerprint.has_value()) a.fingerprint = SimHashFingerprint(body, options);
}

void StoryClusterer::Touch(const std::string& cluster_id) {
  auto it = clusters_.find(cluster_id);
  undo_.push_back({cluster_id, it == clusters_.end() ? std::nullopt
                                                     : std::optional<ClusterRec>(it->second)});
}

Decision StoryClusterer::Assign(ArticleKey a, int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  Decision d;
  if (auto it = by_id_.find(a.id); it != by_id_.end()) {
    d.redelivery = true;
    const ArticleRec& rec = articles_[it->second - first_seq_];
    if (auto c = clusters_.find(rec.cluster_id); c != clusters_.end()) d.cluster = c->second.info;
    return d;
  }
  Fingerprint(a, options_.fingerprint);
  d.fingerprint = *a.fingerprint;
  d.content_hash = a.content_hash;

  // Nearest earlier fingerprint within the radius; ties go to the oldest.
  std::optional<NearIndex::Match> best;
  if (d.fingerprint.valid) {
    for (const NearIndex::Match& m : near_.Find(d.fingerprint.simhash, now_ms_)) {
      if (!best || m.distance < best->distance ||
          (m.distance == best->distance && m.payload - first_seq_ < best->payload - first_seq_)) {
        best = m;
      }
    }
  }
  std::string cluster_id = a.id;
  if (best) {
    const ArticleRec& rec = articles_[best->payload - first_seq_];
    d.duplicate_of = rec.id;
    d.distance = best->distance;
    cluster_id = rec.cluster_id;
  }
  // Exact identity (URL, content hash) wins over similarity.
  if (auto exact = exact_.CheckAndAdd(a.url, a.content_hash, {a.id, cluster_id, now_ms_}, now_ms_)) {
    d.duplicate_of = exact->article_id;
    d.distance = 0;
    d.exact = true;
    cluster_id = exact->cluster_id;
    exact_.Add(a.url, a.content_hash, {a.id, cluster_id, now_ms_});
  }

  // The cluster may have expired from under a copy that still matched by URL: start again.
  if (!d.duplicate_of.empty() && !clusters_.contains(cluster_id)) {
    d.duplicate_of.clear();
    d.distance = -1;
    d.exact = false;
    cluster_id = a.id;
  }
  Touch(cluster_id);
  ClusterRec& c = clusters_[cluster_id];
  if (c.info.articles == 0) {
    c.info.id = cluster_id;
    c.info.first_article_id = a.id;
    c.info.first_seen_ms = now_ms_;
  }
  c.info.last_seen_ms = now_ms_;
  ++c.info.articles;
  ++c.live_articles;
  if (!a.source.empty() && c.info.sources.size() < options_.max_sources &&
      std::find(c.info.sources.begin(), c.info.sources.end(), a.source) == c.info.sources.end()) {
    c.info.sources.push_back(a.source);
  }
  d.cluster = c.info;

  const uint32_t seq = first_seq_ + static_cast<uint32_t>(articles_.size());
  articles_.push_back({a.id, cluster_id, now_ms_});
  by_id_.emplace(a.id, seq);
  ++uncommitted_articles_;
  if (d.fingerprint.valid) near_.Add(d.fingerprint.simhash, now_ms_, seq);
  return d;
}

void StoryClusterer::ExpireCommitted() {
  const int64_t oldest = now_ms_ - options_.window_ms;
  while (!articles_.empty() && articles_.front().seen_ms < oldest) {
    const ArticleRec& rec = articles_.front();
    by_id_.erase(rec.id);
    if (auto c = clusters_.find(rec.cluster_id); c != clusters_.end()) {
      if (--c->second.live_articles == 0) clusters_.erase(c);
    }
    articles_.pop_front();
    ++first_seq_;
  }
}

void StoryClusterer::Commit() {
  exact_.Commit();
  near_.Commit(now_ms_);
  undo_.clear();
  uncommitted_articles_ = 0;
  committed_now_ms_ = now_ms_;
  ExpireCommitted();
}

void StoryClusterer::Rollback() {
  exact_.Rollback();
  near_.Rollback();
  for (; uncommitted_articles_ > 0; --uncommitted_articles_) {
    by_id_.erase(articles_.back().id);
    articles_.pop_back();
  }
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    if (it->before) {
      clusters_[it->cluster_id] = *it->before;
    } else {
      clusters_.erase(it->cluster_id);
    }
  }
  undo_.clear();
  now_ms_ = committed_now_ms_;
}

}  // namespace ww::dedup
