#include "libs/dedup/clusterer.h"

#include <algorithm>

#include "libs/dedup/fingerprint.h"
#include "libs/dedup/shingles.h"

namespace ww::dedup {

absl::StatusOr<StoryClusterer> StoryClusterer::Create(ClustererOptions options) {
  absl::StatusOr<NearIndex> near = NearIndex::Create(options.window_ms, options.match);
  if (!near.ok()) return near.status();
  absl::StatusOr<BoilerplateModel> boilerplate = BoilerplateModel::Create(options.boilerplate);
  if (!boilerplate.ok()) return boilerplate.status();
  return StoryClusterer(options, *std::move(near), *std::move(boilerplate));
}

StoryClusterer::StoryClusterer(ClustererOptions options, NearIndex near,
                               BoilerplateModel boilerplate)
    : options_(options), near_(std::move(near)), boilerplate_(std::move(boilerplate)) {}

namespace {
// Keys of the exact-copy map: the URL and the content hash, each hashed with its own prefix
// so that a URL never meets a content hash. 0 is kept for "none".
uint64_t ExactKey(char kind, const std::string& value) {
  if (value.empty()) return 0;
  const uint64_t h = WordHash(value) ^ (static_cast<uint64_t>(kind) << 56);
  return h == 0 ? 1 : h;
}
}  // namespace

uint64_t StoryClusterer::ExactMatch(uint64_t key) const {
  if (key == 0) return kNone;
  auto it = exact_.find(key);
  if (it == exact_.end() || it->second < first_seq_) return kNone;
  const ArticleRec& rec = articles_[it->second - first_seq_];
  // Entries expire on Commit; until then the time says whether it is still in the window.
  if (rec.seen_ms < now_ms_ - options_.window_ms) return kNone;
  return it->second;
}

void StoryClusterer::SetKey(uint64_t key, uint64_t seq) {
  if (key == 0) return;
  auto [it, added] = exact_.try_emplace(key, seq);
  key_undo_.push_back({key, added ? kNone : it->second, false});
  it->second = seq;
}

Decision StoryClusterer::Assign(const ArticleKey& a, int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  Decision d;
  const uint64_t id_key = WordHash(a.id);
  if (auto it = by_id_.find(id_key); it != by_id_.end() && it->second >= first_seq_ &&
                                     articles_[it->second - first_seq_].id == a.id) {
    d.redelivery = true;
    const ArticleRec& rec = articles_[it->second - first_seq_];
    if (auto c = clusters_.find(rec.cluster); c != clusters_.end()) d.cluster = c->second.info;
    return d;
  }
  const std::string& body = a.text.empty() ? a.title : a.text;
  d.content_hash = a.content_hash.empty() ? ContentHash(body) : a.content_hash;
  thread_local std::vector<uint64_t> shingles, content;
  ShingleHashes(body, options_.shingle_words, &shingles);
  boilerplate_.KeepContent(shingles, &content);
  thread_local Fingerprint fp;
  MakeFingerprint(content, options_.sketch, &fp);

  const uint64_t seq = near_.next_seq();
  uint64_t cluster = seq;
  // Exact identity (URL, then content hash) wins over similarity.
  const uint64_t url_key = ExactKey('u', a.url), content_key = ExactKey('h', d.content_hash);
  uint64_t exact = ExactMatch(url_key);
  if (exact == kNone) exact = ExactMatch(content_key);
  if (exact != kNone) {
    const ArticleRec& rec = articles_[exact - first_seq_];
    d.duplicate_of = rec.id;
    d.similarity = 1;
    d.exact = true;
    cluster = rec.cluster;
  } else {
    // The earlier article with the highest estimate; ties go to the oldest.
    std::optional<NearIndex::Match> best;
    for (const NearIndex::Match& m : near_.Find(fp, now_ms_)) {
      if (!best || m.similarity.score > best->similarity.score ||
          (m.similarity.score == best->similarity.score && m.seq < best->seq)) {
        best = m;
      }
    }
    if (best) {
      const ArticleRec& rec = articles_[best->seq - first_seq_];
      d.duplicate_of = rec.id;
      d.similarity = best->similarity.score;
      cluster = rec.cluster;
    }
  }
  // A live member keeps its cluster alive, so the cluster is there; guard all the same.
  if (!d.duplicate_of.empty() && !clusters_.contains(cluster)) {
    d.duplicate_of.clear();
    d.similarity = 0;
    d.exact = false;
    cluster = seq;
  }
  auto [it, created] = clusters_.try_emplace(cluster);
  ClusterRec& c = it->second;
  cluster_undo_.push_back(
      {cluster, created, c.info.last_seen_ms, c.info.articles, c.info.sources.size()});
  if (created) {
    c.info.id = a.id;
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

  near_.Add(fp, now_ms_);
  SetKey(url_key, seq);
  SetKey(content_key, seq);
  if (auto [slot, added] = by_id_.try_emplace(id_key, seq); !added) {
    key_undo_.push_back({id_key, slot->second, true});  // a hash collision: keep the newest
    slot->second = seq;
  }
  articles_.push_back({a.id, cluster, url_key, content_key, now_ms_});
  ++uncommitted_articles_;
  if (created) {
    // A new story: what it shares with many other stories is boilerplate.
    std::sort(shingles.begin(), shingles.end());
    shingles.erase(std::unique(shingles.begin(), shingles.end()), shingles.end());
    boilerplate_.AddStory(shingles);
  }
  return d;
}

void StoryClusterer::ExpireCommitted() {
  // The index expired its entries by time on Commit; the articles follow, in step.
  while (!articles_.empty() && first_seq_ < near_.first_seq()) {
    const ArticleRec& rec = articles_.front();
    auto erase_if_mine = [&](absl::flat_hash_map<uint64_t, uint64_t>& map, uint64_t key) {
      if (auto it = map.find(key); it != map.end() && it->second == first_seq_) map.erase(it);
    };
    erase_if_mine(by_id_, WordHash(rec.id));
    if (rec.url_key) erase_if_mine(exact_, rec.url_key);
    if (rec.content_key) erase_if_mine(exact_, rec.content_key);
    if (auto c = clusters_.find(rec.cluster); c != clusters_.end()) {
      if (--c->second.live_articles == 0) clusters_.erase(c);
    }
    articles_.pop_front();
    ++first_seq_;
  }
}

void StoryClusterer::Commit() {
  near_.Commit(now_ms_);
  boilerplate_.Commit();
  cluster_undo_.clear();
  key_undo_.clear();
  uncommitted_articles_ = 0;
  committed_now_ms_ = now_ms_;
  ExpireCommitted();
}

void StoryClusterer::Rollback() {
  near_.Rollback();
  boilerplate_.Rollback();
  for (; uncommitted_articles_ > 0; --uncommitted_articles_) {
    const ArticleRec& rec = articles_.back();
    const uint64_t seq = first_seq_ + articles_.size() - 1;
    if (auto it = by_id_.find(WordHash(rec.id)); it != by_id_.end() && it->second == seq) {
      by_id_.erase(it);
    }
    articles_.pop_back();
  }
  for (auto it = key_undo_.rbegin(); it != key_undo_.rend(); ++it) {
    auto& map = it->id ? by_id_ : exact_;
    if (it->previous == kNone) {
      map.erase(it->key);
    } else {
      map[it->key] = it->previous;
    }
  }
  for (auto it = cluster_undo_.rbegin(); it != cluster_undo_.rend(); ++it) {
    if (it->created) {
      clusters_.erase(it->cluster);
      continue;
    }
    ClusterRec& c = clusters_[it->cluster];
    c.info.last_seen_ms = it->last_seen_ms;
    c.info.articles = it->articles;
    c.info.sources.resize(it->sources);
    --c.live_articles;
  }
  key_undo_.clear();
  cluster_undo_.clear();
  now_ms_ = committed_now_ms_;
}

}  // namespace ww::dedup
