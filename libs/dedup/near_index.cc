#include "libs/dedup/near_index.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace ww::dedup {
namespace {
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
      ring_(1024),  // 2^ring_bits_
      buckets_(4 * 65536) {}

size_t NearIndex::MemoryBytes() const {
  size_t bytes = ring_.capacity() * sizeof(Entry) + buckets_.capacity() * sizeof(buckets_[0]);
  for (const std::vector<uint32_t>& b : buckets_) bytes += b.capacity() * sizeof(uint32_t);
  return bytes;
}

void NearIndex::PutInBuckets(uint32_t seq, uint64_t fp) {
  for (int b = 0; b < 4; ++b) {
    std::vector<uint32_t>& bucket = Bucket(fp, b);
    // Grow by a quarter, not double: sizes only vary around n / 65,536, and doubling's
    // slack would be paid on every one of the 262,144 buckets.
    if (bucket.size() == bucket.capacity()) bucket.reserve(bucket.size() + bucket.size() / 4 + 4);
    bucket.push_back(Slot(seq, fp, b));
  }
}

void NearIndex::Grow() {
  // 2^32 entries would leave no check bits and overflow the slots; far beyond memory anyway.
  if (ring_bits_ >= 31) std::abort();
  std::vector<Entry> bigger(ring_.size() * 2);
  for (uint32_t i = 0; i < size_; ++i) {
    uint32_t seq = next_seq_ - static_cast<uint32_t>(size_) + i;
    bigger[seq & (bigger.size() - 1)] = At(seq);
  }
  ring_ = std::move(bigger);
  ++ring_bits_;
  // Slots encode the ring position: rewrite them all, in arrival order.
  for (std::vector<uint32_t>& bucket : buckets_) bucket.clear();
  for (uint32_t i = 0; i < size_; ++i) {
    const uint32_t seq = next_seq_ - static_cast<uint32_t>(size_) + i;
    PutInBuckets(seq, At(seq).fp);
  }
}

void NearIndex::Add(uint64_t fp, int64_t seen_ms, uint32_t payload) {
  if (size_ == ring_.size()) Grow();
  const uint32_t seq = next_seq_++;
  At(seq) = {fp, Seconds(seen_ms), payload};
  PutInBuckets(seq, fp);
  ++size_;
  ++uncommitted_;
}

namespace {
// popcount(x) <= max, without a popcount instruction (not in baseline x86-64): clear the
// lowest set bit `max` times.
inline bool AtMostBits(uint32_t x, int max) {
  for (int i = 0; i < max; ++i) x &= x - 1;
  return x == 0;
}
}  // namespace

std::vector<NearIndex::Match> NearIndex::Find(uint64_t fp, int64_t now_ms) const {
  std::vector<Match> out;
  const int64_t oldest = static_cast<int64_t>(Seconds(now_ms)) - window_s_;
  const uint32_t ring_mask = static_cast<uint32_t>(ring_.size()) - 1;
  const std::vector<uint32_t>* buckets[4];
  uint32_t check[4];
  for (int b = 0; b < 4; ++b) {
    buckets[b] = &Bucket(fp, b);
    check[b] = Check(fp, b);
  }
  // Candidates sit at random places in the ring: ask for all of them before reading any, so
  // their cache misses overlap instead of adding up.
  for (int b = 0; b < 4; ++b) {
    for (uint32_t slot : *buckets[b]) {
      if (AtMostBits((slot >> ring_bits_) ^ check[b], max_distance_)) {
        __builtin_prefetch(&ring_[slot & ring_mask]);
      }
    }
  }
  for (int b = 0; b < 4; ++b) {
    const std::vector<uint32_t>& bucket = *buckets[b];
    for (auto it = bucket.rbegin(); it != bucket.rend(); ++it) {  // newest first
      if (!AtMostBits((*it >> ring_bits_) ^ check[b], max_distance_)) continue;
      const Entry& e = ring_[*it & ring_mask];
      if (static_cast<int64_t>(e.seen_s) < oldest) break;  // the rest of the bucket is older
      const int d = __builtin_popcountll(fp ^ e.fp);
      if (d > max_distance_) continue;
      bool reported = false;  // by an earlier block's bucket
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
    const uint32_t seq = next_seq_ - static_cast<uint32_t>(size_);
    const Entry& e = At(seq);
    if (static_cast<int64_t>(e.seen_s) >= oldest) break;
    for (int b = 0; b < 4; ++b) {
      std::vector<uint32_t>& bucket = Bucket(e.fp, b);
      bucket.erase(bucket.begin());  // the oldest live entry is first in each of its buckets
      // Give back what a past peak left: otherwise every bucket ends up with the capacity of
      // the largest size it ever had, ~20% above the typical one.
      if (bucket.capacity() > 2 * bucket.size() + 8) bucket.shrink_to_fit();
    }
    dropped.push_back(e.payload);
    --size_;
  }
  return dropped;
}

void NearIndex::Rollback() {
  for (; uncommitted_ > 0; --uncommitted_) {
    const Entry& e = At(next_seq_ - 1);
    for (int b = 0; b < 4; ++b) Bucket(e.fp, b).pop_back();  // the newest is last
    --next_seq_;
    --size_;
  }
}

}  // namespace ww::dedup
