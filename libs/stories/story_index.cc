#include "libs/stories/story_index.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ww::stories {
namespace {

// Terms kept per group of a report's vector: the leading ones by TF-IDF.
constexpr std::array<size_t, kGroups> kTermsPerGroup = {100, 50, 30, 40, 20};
// A centroid keeps at most this many terms a group (the heaviest), so that a story carried
// by hundreds of reports stays small.
constexpr size_t kCentroidTerms = 1024;
// Terms of a report that file it in the index: its leading names and words, its headline.
constexpr size_t kIndexNames = 6, kIndexWords = 6, kIndexTitle = 6;
constexpr size_t kPostingStories = 16;    // open stories a term offers (the latest)
constexpr uint64_t kExpireEvery = 16384;  // articles between scans for stories to forget

// Keeps the kCentroidTerms heaviest terms once there are twice as many; true when it did.
bool Cap(TermVector& v) {
  if (v.size() <= 2 * kCentroidTerms) return false;
  std::nth_element(v.begin(), v.begin() + kCentroidTerms, v.end(),
                   [](const Term& a, const Term& b) {
                     return a.weight != b.weight ? a.weight > b.weight : a.key < b.key;
                   });
  v.resize(kCentroidTerms);
  std::sort(v.begin(), v.end(), [](const Term& a, const Term& b) { return a.key < b.key; });
  return true;
}

// The `n` heaviest terms' keys (ties by key: keys are distinct, so the order is total and
// only the first `n` need ordering).
std::vector<uint64_t> Leading(const TermVector& v, size_t n) {
  thread_local TermVector t;
  t.assign(v.begin(), v.end());
  n = std::min(n, t.size());
  std::partial_sort(t.begin(), t.begin() + static_cast<ptrdiff_t>(n), t.end(),
                    [](const Term& a, const Term& b) {
                      return a.weight != b.weight ? a.weight > b.weight : a.key < b.key;
                    });
  std::vector<uint64_t> keys;
  keys.reserve(n);
  for (size_t i = 0; i < n; ++i) keys.push_back(t[i].key);
  return keys;
}

// A centroid's lookup (StoryIndex::Lookup): at most half full. Centroids hold at most
// 2 * kCentroidTerms terms (Cap), so an index fits the slot's low 16 bits.
static_assert(2 * kCentroidTerms < UINT16_MAX);
uint32_t Tag(uint64_t key) { return static_cast<uint32_t>(key >> 48) << 16; }

std::vector<uint32_t> MakeLookup(const TermVector& v) {
  if (v.empty()) return {};
  size_t capacity = 16;
  while (capacity < 2 * v.size()) capacity *= 2;
  std::vector<uint32_t> slots(capacity, 0);
  const size_t mask = capacity - 1;
  for (size_t k = 0; k < v.size(); ++k) {
    size_t i = v[k].key & mask;  // keys are mixed hashes: their low bits are uniform
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = Tag(v[k].key) | static_cast<uint32_t>(k + 1);
  }
  return slots;
}

// The dot product of `r` with the centroid `c` through its lookup. `r` is key-sorted, so
// the shared terms are added in key order, as a merge of the two vectors adds them: the
// same result to the bit.
double DotByLookup(const TermVector& r, const TermVector& c, const std::vector<uint32_t>& lookup) {
  if (lookup.empty()) return 0;
  const size_t mask = lookup.size() - 1;
  double s = 0;
  for (const Term& t : r) {
    const uint32_t tag = Tag(t.key);
    for (size_t i = t.key & mask; lookup[i] != 0; i = (i + 1) & mask) {
      if ((lookup[i] & 0xffff0000u) != tag) continue;
      const Term& x = c[(lookup[i] & 0xffffu) - 1];
      if (x.key == t.key) {
        s += static_cast<double>(t.weight) * x.weight;
        break;
      }
    }
  }
  return s;
}

bool Disjoint(const std::vector<uint16_t>& a, const std::vector<uint16_t>& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) return false;
    a[i] < b[j] ? ++i : ++j;
  }
  return true;
}

}  // namespace

// A report's weighted terms by key, for its dot products with many vectors: a probe a term
// of the other vector (open addressing) instead of a merge of both. Sums in the other
// vector's key order, as the merge does, so the results are the same to the bit.
// Keys and weights in arrays of their own, at most an eighth full, probed without wrapping
// round (the arrays run on past the mask's range): a probe is nearly always one load that
// finds the key or an empty slot, and an empty slot's weight is 0, so a miss adds +0 (sums
// are >= +0: the same bits) and the loop has no branch on whether the term was found.
class StoryIndex::TermTable {
 public:
  explicit TermTable(const std::array<TermVector, kGroups>& r) {
    size_t n = 0;
    for (const TermVector& g : r) n += g.size();
    size_t capacity = 64;
    while (capacity < 8 * n) capacity *= 2;
    mask_ = capacity - 1;
    // Every key may run on past the mask's range: n more slots, and one empty at the end.
    keys_.assign(capacity + n + 1, 0);
    weights_.assign(capacity + n + 1, 0.0f);
    sizes_ = {};
    for (int g = 0; g < kGroups; ++g) {
      sizes_[g] = r[g].size();
      for (const Term& t : r[g]) {
        if (t.key == 0) {  // 0 marks an empty slot: this key is kept apart (first wins,
          if (zero_weight_ == 0) zero_weight_ = t.weight;  // as a probe finds the first)
          continue;
        }
        size_t i = t.key & mask_;
        while (keys_[i] != 0) ++i;
        keys_[i] = t.key;
        weights_[i] = t.weight;
      }
    }
  }

  // The dot product of group `g` of the report with `v` (key-sorted).
  double Dot(int g, const TermVector& v, const TermVector& r_g) const {
    // Against a vector much longer than the report's group, galloping over it is cheaper.
    if (v.size() > 16 * sizes_[g]) return stories::Dot(r_g, v);
    double s = 0;
    for (const Term& t : v) {
      if (t.key == 0) {
        s += static_cast<double>(zero_weight_) * t.weight;
        continue;
      }
      size_t i = t.key & mask_;
      for (uint64_t k = keys_[i]; k != t.key && k != 0; k = keys_[++i]) {
      }
      s += static_cast<double>(weights_[i]) * t.weight;  // +0 when the slot is empty
    }
    return s;
  }

 private:
  std::vector<uint64_t> keys_;
  std::vector<float> weights_;
  float zero_weight_ = 0;
  size_t mask_ = 0;
  std::array<size_t, kGroups> sizes_{};
};

absl::StatusOr<StoryIndex> StoryIndex::Create(StoryOptions options) {
  if (options.quiet_ms <= 0 || options.window_ms < options.quiet_ms) {
    return absl::InvalidArgumentError(
        "stories: quiet must be positive and the window at least as long as quiet");
  }
  if (!(options.min_probability > 0 && options.min_probability < 1)) {
    return absl::InvalidArgumentError("stories: min_probability must be in (0, 1)");
  }
  if (options.max_candidates == 0 || options.member_vectors == 0 || options.max_sources == 0) {
    return absl::InvalidArgumentError("stories: candidates, members and sources must be > 0");
  }
  return StoryIndex(options);
}

StoryIndex::Evidence StoryIndex::Score(const std::array<TermVector, kGroups>& r,
                                       const TermTable& table, const std::vector<uint16_t>& years,
                                       const Vectors& s, double floor_z) const {
  Evidence e;
  std::array<double, kGroups> dots{};
  for (int g = 0; g < kGroups; ++g) {
    dots[g] = DotByLookup(r[g], s.centroid[g], s.lookup[g]);
    e.x[g] = s.norm[g] > 0 ? dots[g] / s.norm[g] : 0;
  }
  e.x[5] = !years.empty() && !s.years.empty() && Disjoint(years, s.years) ? 1 : 0;
  const auto& w = options_.model.weights;
  double z = options_.model.bias;
  for (size_t i = 0; i < 6; ++i) z += w[i] * e.x[i];
  // Evidence 7 (the best single report) costs most. Every weight of a report is in the
  // story's centroid (a sum of its reports' vectors) unless the centroid was capped, so a
  // report's dot with it bounds the dot with any of its reports; when even that bound cannot
  // lift this story to `floor_z`, it cannot be chosen and evidence 7 is not computed.
  double bound = 0;
  for (int g = 0; g < kMemberGroups; ++g) bound += s.capped[g] ? 1.0 : std::min(1.0, dots[g]);
  bound /= kMemberGroups;
  if (w[6] <= 0 || z + w[6] * bound >= floor_z - 1e-9) {
    double best = 0;
    for (const auto& m : s.members) {
      double sum = 0;
      for (int g = 0; g < kMemberGroups; ++g) sum += table.Dot(g, m[g], r[g]);
      best = std::max(best, sum / kMemberGroups);
    }
    e.x[6] = best;
    z += w[6] * best;
  }
  e.probability = 1 / (1 + std::exp(-z));
  return e;
}

StoryDecision StoryIndex::Join(uint64_t seq, const std::string& cluster, const std::string& source,
                               int64_t now_ms, bool new_report) {
  Story& story = stories_.at(seq);
  StoryInfo& info = story.info;
  info_undo_.push_back({seq, info.last_seen_ms, info.articles, info.reports, info.source_count,
                        static_cast<uint32_t>(info.sources.size())});
  ++info.articles;
  if (new_report) ++info.reports;
  info.last_seen_ms = std::max(info.last_seen_ms, now_ms);
  if (!source.empty() &&
      std::find(info.sources.begin(), info.sources.end(), source) == info.sources.end()) {
    // Past the cap, a source is counted once per article at most (no memory of which).
    ++info.source_count;
    if (info.sources.size() < options_.max_sources) info.sources.push_back(source);
  }
  if (new_report) {
    story.clusters.push_back(cluster);
    clusters_[cluster] = seq;
    undo_.push_back([seq, cluster](StoryIndex& self) {
      self.clusters_.erase(cluster);
      if (auto s = self.stories_.find(seq); s != self.stories_.end()) {
        auto& c = s->second.clusters;
        if (!c.empty() && c.back() == cluster) c.pop_back();
      }
    });
  }
  return {false, 0, info};
}

void StoryIndex::Advance(int64_t now_ms) {
  ++since_expiry_;
  if (now_ms <= now_ms_) return;
  undo_.push_back([old = now_ms_](StoryIndex& self) { self.now_ms_ = old; });
  now_ms_ = now_ms;
}

const StoryIndex::Story* StoryIndex::Live(const std::string& cluster, uint64_t* seq) const {
  auto known = clusters_.find(cluster);
  if (known == clusters_.end()) return nullptr;
  const Story& s = stories_.at(known->second);
  // Forgotten, whether or not Expire has run yet: the answer must not depend on when it did.
  if (now_ms_ - s.info.last_seen_ms > options_.window_ms) return nullptr;
  if (seq != nullptr) *seq = known->second;
  return &s;
}

StoryDecision StoryIndex::AddReport(const std::string& id, const std::string& source,
                                    std::string_view title, std::string_view text, int64_t now_ms) {
  return Decide(id, source, title, text, now_ms, nullptr, nullptr);
}

std::vector<std::pair<std::string, StoryIndex::Evidence>> StoryIndex::AddReportTo(
    const std::string& story, const std::string& id, const std::string& source,
    std::string_view title, std::string_view text, int64_t now_ms) {
  std::vector<std::pair<std::string, Evidence>> evidence;
  Decide(id, source, title, text, now_ms, &story, &evidence);
  return evidence;
}

StoryDecision StoryIndex::Decide(const std::string& id, const std::string& source,
                                 std::string_view title, std::string_view text, int64_t now_ms,
                                 const std::string* force,
                                 std::vector<std::pair<std::string, Evidence>>* evidence) {
  Advance(now_ms);
  now_ms = now_ms_;
  if (const Story* known = Live(id)) {
    // A redelivered report: already in its story.
    StoryDecision d;
    d.joined = true;
    d.story = known->info;
    return d;
  }
  auto terms = std::make_shared<ArticleTerms>(ExtractTerms(title, text));
  // Bounded memory, at points fixed by the sequence (so replays prune alike).
  if (vocabulary_.documents() % 65536 == 65535) vocabulary_.Prune(options_.max_terms);
  std::array<TermVector, kGroups> r = vocabulary_.AddAndWeigh(*terms, kTermsPerGroup);
  undo_.push_back([terms](StoryIndex& self) { self.vocabulary_.Remove(*terms); });
  // A headline another report already carried is a feed's or a format's, not this event's.
  if (terms->headline != 0 && vocabulary_.frequency(terms->headline) > 1) r[kTitle].clear();

  // Candidates: live stories filed under the report's leading names, words and headline.
  std::vector<uint64_t> keys = Leading(r[kNames], kIndexNames);
  for (uint64_t k : Leading(r[kWords], kIndexWords)) keys.push_back(k);
  for (uint64_t k : Leading(r[kTitle], kIndexTitle)) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  // Each term offers its latest kPostingStories open stories (a story is open while it has
  // had a report within `quiet`); which stories a list still holds past those does not
  // matter, so neither does when Expire ran.
  absl::flat_hash_map<uint64_t, uint32_t> hits;
  for (uint64_t k : keys) {
    auto p = postings_.find(k);
    if (p == postings_.end()) continue;
    size_t offered = 0;
    for (auto it = p->second.rbegin(); it != p->second.rend() && offered < kPostingStories; ++it) {
      auto s = stories_.find(*it);
      if (s == stories_.end() || now_ms - s->second.info.last_seen_ms > options_.quiet_ms) continue;
      ++hits[*it];
      ++offered;
    }
  }
  std::vector<std::pair<uint32_t, uint64_t>> ranked;  // (hits, seq)
  for (const auto& [seq, n] : hits) ranked.push_back({n, seq});
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (ranked.size() > options_.max_candidates) ranked.resize(options_.max_candidates);
  uint64_t best = 0;
  double best_p = 0;
  bool found = false;
  // The log-odds a story needs to be chosen: the threshold's, then the best one's so far.
  const TermTable table(r);
  const double threshold_z = std::log(options_.min_probability / (1 - options_.min_probability));
  for (const auto& [n, seq] : ranked) {
    double floor_z = -std::numeric_limits<double>::infinity();
    if (evidence == nullptr) {
      floor_z = found ? std::max(threshold_z, std::log(best_p / (1 - best_p))) : threshold_z;
    }
    const Evidence e = Score(r, table, terms->years, stories_.at(seq).vectors, floor_z);
    if (evidence != nullptr) evidence->push_back({stories_.at(seq).info.id, e});
    if (e.probability >= options_.min_probability &&
        (!found || e.probability > best_p || (e.probability == best_p && seq < best))) {
      best = seq;
      best_p = e.probability;
      found = true;
    }
  }
  if (force != nullptr) {
    found = false;
    for (const auto& [seq, st] : stories_) {
      if (st.info.id == *force) {
        best = seq;
        found = true;
      }
    }
  }

  uint64_t seq = best;
  if (!found) {
    seq = next_seq_++;
    Story& s = stories_[seq];
    s.info.id = id;
    s.info.headline = std::string(title);
    s.info.first_seen_ms = s.info.last_seen_ms = now_ms;
    undo_.push_back([seq](StoryIndex& self) {
      self.stories_.erase(seq);
      --self.next_seq_;
    });
  }
  // The story's old vectors move into the journal (the sums below are new vectors anyway),
  // so joining copies nothing and Rollback puts them back.
  Vectors& v = stories_.at(seq).vectors;
  auto old = std::make_shared<VectorsUndo>();
  for (int g = 0; g < kGroups; ++g) {
    TermVector sum = Sum(v.centroid[g], r[g]);
    old->centroid[g] = std::exchange(v.centroid[g], std::move(sum));
  }
  old->norm = v.norm;
  old->capped = v.capped;
  for (int g = 0; g < kGroups; ++g) {
    if (Cap(v.centroid[g])) v.capped[g] = true;
    v.norm[g] = Norm(v.centroid[g]);
    old->lookup[g] = std::exchange(v.lookup[g], MakeLookup(v.centroid[g]));
  }
  std::vector<uint16_t> years;
  std::set_union(v.years.begin(), v.years.end(), terms->years.begin(), terms->years.end(),
                 std::back_inserter(years));
  old->years = std::exchange(v.years, std::move(years));
  v.members.push_back(
      {std::move(r[kWords]), std::move(r[kBigrams]), std::move(r[kNames]), std::move(r[kNumbers])});
  if (v.members.size() > options_.member_vectors) {
    old->evicted = std::move(v.members.front());
    v.members.pop_front();
  }
  undo_.push_back([seq, old](StoryIndex& self) {
    auto it = self.stories_.find(seq);
    if (it == self.stories_.end()) return;
    Vectors& v = it->second.vectors;
    v.centroid = std::move(old->centroid);
    v.lookup = std::move(old->lookup);
    v.norm = old->norm;
    v.capped = old->capped;
    v.years = std::move(old->years);
    v.members.pop_back();
    if (old->evicted) v.members.push_front(std::move(*old->evicted));
  });
  for (uint64_t k : keys) {
    auto& list = postings_[k];
    if (!list.empty() && list.back() == seq) continue;
    list.push_back(seq);
    stories_.at(seq).keys.push_back(k);
    undo_.push_back([k, seq](StoryIndex& self) {
      if (auto s = self.stories_.find(seq); s != self.stories_.end()) {
        auto& keys = s->second.keys;
        if (!keys.empty() && keys.back() == k) keys.pop_back();
      }
      auto p = self.postings_.find(k);
      if (p == self.postings_.end() || p->second.empty() || p->second.back() != seq) return;
      p->second.pop_back();
      if (p->second.empty()) self.postings_.erase(p);
    });
  }
  StoryDecision d = Join(seq, id, source, now_ms, true);
  d.joined = found;
  d.probability = found ? best_p : 0;
  return d;
}

StoryDecision StoryIndex::AddCopy(const std::string& cluster_id, const std::string& source,
                                  int64_t now_ms) {
  Advance(now_ms);
  uint64_t known = 0;
  if (Live(cluster_id, &known) == nullptr) {
    // A report this index never saw: a story of its own, with no text to match others on.
    const uint64_t seq = next_seq_++;
    Story& s = stories_[seq];
    s.info.id = cluster_id;
    s.info.first_seen_ms = s.info.last_seen_ms = now_ms_;
    undo_.push_back([seq](StoryIndex& self) {
      self.stories_.erase(seq);
      --self.next_seq_;
    });
    StoryDecision d = Join(seq, cluster_id, source, now_ms_, true);
    return d;
  }
  StoryDecision d = Join(known, cluster_id, source, now_ms_, false);
  d.joined = true;
  return d;
}

void StoryIndex::Expire() {
  const int64_t horizon = now_ms_ - options_.window_ms;
  std::vector<uint64_t> old;
  for (const auto& [seq, s] : stories_) {
    if (s.info.last_seen_ms < horizon) old.push_back(seq);
  }
  // Only the terms the forgotten stories were filed under need their postings cleaned
  // (scanning every list took 3% of the whole deduper's time).
  absl::flat_hash_set<uint64_t> terms;
  for (uint64_t seq : old) {
    Story& s = stories_.at(seq);
    for (const std::string& c : s.clusters) {
      // A report may have started a new story since (its old one was past the window).
      if (auto it = clusters_.find(c); it != clusters_.end() && it->second == seq) {
        clusters_.erase(it);
      }
    }
    terms.insert(s.keys.begin(), s.keys.end());
    stories_.erase(seq);
  }
  for (uint64_t k : terms) {
    auto it = postings_.find(k);
    if (it == postings_.end()) continue;
    auto& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](uint64_t seq) { return !stories_.contains(seq); }),
               list.end());
    if (list.empty()) postings_.erase(it);
  }
}

void StoryIndex::Commit() {
  undo_.clear();
  info_undo_.clear();
  if (since_expiry_ >= kExpireEvery) {
    since_expiry_ = 0;
    Expire();
  }
}

void StoryIndex::Rollback() {
  // Joins first: each restores counts of a story that exists in the journal's state (a
  // story the rest of the journal erases is restored, then erased).
  for (auto it = info_undo_.rbegin(); it != info_undo_.rend(); ++it) {
    auto s = stories_.find(it->seq);
    if (s == stories_.end()) continue;
    StoryInfo& info = s->second.info;
    info.last_seen_ms = it->last_seen_ms;
    info.articles = it->articles;
    info.reports = it->reports;
    info.source_count = it->source_count;
    info.sources.resize(it->sources);
  }
  info_undo_.clear();
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)(*this);
  undo_.clear();
}

std::vector<StoryInfo> StoryIndex::Stories(int64_t since_ms) const {
  std::vector<StoryInfo> out;
  for (const auto& [seq, s] : stories_) {
    if (s.info.last_seen_ms >= since_ms) out.push_back(s.info);
  }
  std::sort(out.begin(), out.end(), [](const StoryInfo& a, const StoryInfo& b) {
    return a.articles != b.articles ? a.articles > b.articles : a.id < b.id;
  });
  return out;
}

}  // namespace ww::stories
