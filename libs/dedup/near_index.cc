#include "libs/dedup/near_index.h"

#include "absl/strings/str_cat.h"

namespace ww::dedup {
namespace {
constexpr uint32_t kNone = 0xffffffffu;  // never Live: see NearIndex::Live
inline uint32_t Seconds(int64_t ms) { return ms <= 0 ? 0 : static_cast<uint32_t>(ms / 1000); }
}  // namespace

absl::StatusOr<NearIndex> NearIndex::Create(int max_distance, int64_t window_ms) {
  if (max_distance < 0 || max_distance > kMaxDistance) {
    return absl::InvalidArgumentError(absl::StrCat("near-duplicate threshold ", max_distance,
                                                   " bits is outside 0..", kMaxDistance));
  }
  if (window_ms <= 0) return absl::InvalidArgumentError("the dedup window must be positive");
  return NearIndex(max_distance, window_ms);
}

NearIndex::NearIndex(int max_distance, int64_t window_ms)
    : max_distance_(max_distance),
      window_s_(std::max<int64_t>(1, window_ms / 1000)),
      ring_(1024),
      heads_(4 * 65536, kNone) {}

size_t NearIndex::MemoryBytes() const {
  return ring_.capacity() * sizeof(Entry) + heads_.capacity() * sizeof(uint32_t);
}

void NearIndex::Grow() {
  std::vector<Entry> bigger(ring_.size() * 2);
  for (uint32_t i = 0; i < size_; ++i) {
    uint32_t seq = next_seq_ - static_cast<uint32_t>(size_) + i;
    bigger[seq & (bigger.size() - 1)] = At(seq);
  }
  ring_ = std::move(bigger);
}

void NearIndex::Add(uint64_t fp, int64_t seen_ms, uint32_t payload) {
  if (size_ == ring_.size()) Grow();
  const uint32_t seq = next_seq_++;
  Entry& e = At(seq);
  e.fp = fp;
  e.seen_s = Seconds(seen_ms);
  e.payload = payload;
  for (int b = 0; b < 4; ++b) {
    uint32_t& head = heads_[b * 65536 + Block(fp, b)];
    e.next[b] = head;
    head = seq;
  }
  ++size_;
  ++uncommitted_;
}

std::vector<NearIndex::Match> NearIndex::Find(uint64_t fp, int64_t now_ms) const {
  std::vector<Match> out;
  const int64_t oldest = static_cast<int64_t>(Seconds(now_ms)) - window_s_;
  for (int b = 0; b < 4; ++b) {
    const uint32_t block = Block(fp, b);
    for (uint32_t seq = heads_[b * 65536 + block]; Live(seq); seq = At(seq).next[b]) {
      const Entry& e = At(seq);
      if (static_cast<int64_t>(e.seen_s) < oldest) break;  // the rest of the chain is older
      const int d = __builtin_popcountll(fp ^ e.fp);
      if (d > max_distance_) continue;
      bool reported = false;  // by an earlier block's chain
      for (int c = 0; c < b && !reported; ++c) reported = Block(fp, c) == Block(e.fp, c);
      if (!reported) out.push_back({e.payload, d, int64_t{e.seen_s} * 1000});
    }
  }
  return out;
}

std::vector<uint32_t> NearIndex::Commit(int64_t now_ms) {
  uncommitted_ = 0;
  std::vector<uint32_t> dropped;
  const int64_t oldest = static_cast<int64_t>(Seconds(now_ms)) - window_s_;
  while (size_ > 0) {
    const Entry& e = At(next_seq_ - static_cast<uint32_t>(size_));
    if (static_cast<int64_t>(e.seen_s) >= oldest) break;
    dropped.push_back(e.payload);
    --size_;  // its links become dead: Live() no longer holds for its sequence
  }
  return dropped;
}

void NearIndex::Rollback() {
  for (; uncommitted_ > 0; --uncommitted_) {
    const uint32_t seq = next_seq_ - 1;
    const Entry& e = At(seq);
    for (int b = 0; b < 4; ++b) heads_[b * 65536 + Block(e.fp, b)] = e.next[b];
    --next_seq_;
    --size_;
  }
}

}  // namespace ww::dedup
