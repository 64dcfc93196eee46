#include "libs/dedup/near_index.h"

#include <emmintrin.h>

#include <algorithm>
#include <bit>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "libs/runtime/ids.h"

namespace ww::dedup {
namespace {
inline uint32_t Seconds(int64_t ms) { return ms <= 0 ? 0 : static_cast<uint32_t>(ms / 1000); }
constexpr uint64_t kNone = ~uint64_t{0};
constexpr int kSweepPerAdd = 2;
}  // namespace

absl::StatusOr<NearIndex> NearIndex::Create(int64_t window_ms, MatchOptions match,
                                            int bucket_bits) {
  if (window_ms <= 0) return absl::InvalidArgumentError("the dedup window must be positive");
  if (!(match.min_containment > 0 && match.min_containment <= 1) ||
      !(match.min_lead > 0 && match.min_lead <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("near-copy thresholds must be in (0, 1]: containment ", match.min_containment,
                     ", lead ", match.min_lead));
  }
  if (!(match.confidence_z >= 0 && match.confidence_z <= 5)) {
    return absl::InvalidArgumentError(
        absl::StrCat("confidence z ", match.confidence_z, " is outside 0..5"));
  }
  if (bucket_bits < 8 || bucket_bits > 24) {
    return absl::InvalidArgumentError(
        absl::StrCat("2^", bucket_bits, " buckets is outside 2^8..2^24"));
  }
  return NearIndex(window_ms, match, bucket_bits);
}

NearIndex::NearIndex(int64_t window_ms, MatchOptions match, int bucket_bits)
    : window_s_(std::max<int64_t>(1, window_ms / 1000)),
      match_(match),
      bucket_bits_(bucket_bits),
      buckets_(size_t{1} << bucket_bits) {}

uint32_t NearIndex::BucketOf(uint32_t key) const {
  return static_cast<uint32_t>(runtime::Mix64(key) >> (64 - bucket_bits_));
}

uint32_t NearIndex::CheckOf(uint32_t key) {
  return static_cast<uint32_t>(runtime::Mix64(key)) >> kSeqBits;  // the 9 low-word top bits
}

uint64_t NearIndex::LiveSeq(uint32_t slot) const {
  if (next_ == 0) return kNone;
  const uint64_t last = next_ - 1;
  const uint64_t seq = last - ((last - (slot & kSeqMask)) & kSeqMask);
  return seq >= first_ ? seq : kNone;
}

void NearIndex::DropExpiredFront(std::vector<uint32_t>& bucket) const {
  size_t n = 0;
  while (n < bucket.size() && LiveSeq(bucket[n]) == kNone) ++n;
  if (n == 0) return;
  bucket.erase(bucket.begin(), bucket.begin() + static_cast<ptrdiff_t>(n));
  // Give back what a past peak left, or every bucket keeps its largest size ever.
  if (bucket.capacity() > 2 * bucket.size() + 8) bucket.shrink_to_fit();
}

size_t NearIndex::MemoryBytes() const {
  size_t bytes = buckets_.capacity() * sizeof(std::vector<uint32_t>);
  for (const std::vector<uint32_t>& b : buckets_) bytes += b.capacity() * sizeof(uint32_t);
  return bytes + chunks_.size() * sizeof(Chunk::seen_s);
}

size_t NearIndex::SketchBytes() const { return chunks_.size() * sizeof(Chunk::sketch); }

std::vector<NearIndex::Match> NearIndex::Find(const Fingerprint& fp, int64_t now_ms) const {
  std::vector<Match> out;
  if (!fp.sketch.valid() || next_ == first_) return out;
  const int64_t oldest = static_cast<int64_t>(Seconds(now_ms)) - window_s_;
  uint32_t bucket[kProbeWholeKeys + kProbeLeadKeys];
  uint32_t check[kProbeWholeKeys + kProbeLeadKeys];
  for (int i = 0; i < fp.probe_count; ++i) {
    bucket[i] = BucketOf(fp.probes[i]);
    check[i] = CheckOf(fp.probes[i]);
    __builtin_prefetch(&buckets_[bucket[i]]);
  }
  for (int i = 0; i < fp.probe_count; ++i) __builtin_prefetch(buckets_[bucket[i]].data());
  thread_local std::vector<uint64_t> candidates;
  candidates.clear();
  for (int i = 0; i < fp.probe_count; ++i) {
    const std::vector<uint32_t>& b = buckets_[bucket[i]];
    // Newest first, four slots to a compare of their check bits; a slot that matches but
    // names an expired entry ends the bucket (the rest is older).
    const __m128i want = _mm_set1_epi32(static_cast<int>(check[i]));
    size_t end = b.size();
    bool expired = false;
    for (; end >= 4 && !expired; end -= 4) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.data() + end - 4));
      int hits =
          _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(_mm_srli_epi32(v, kSeqBits), want)));
      while (hits != 0) {
        const int lane = 31 - std::countl_zero(static_cast<uint32_t>(hits));  // newest first
        hits &= ~(1 << lane);
        const uint64_t seq = LiveSeq(b[end - 4 + static_cast<size_t>(lane)]);
        if (seq == kNone) {
          expired = true;
          break;
        }
        candidates.push_back(seq);
      }
    }
    for (; end > 0 && !expired; --end) {
      if ((b[end - 1] >> kSeqBits) != check[i]) continue;
      const uint64_t seq = LiveSeq(b[end - 1]);
      if (seq == kNone) break;
      candidates.push_back(seq);
    }
  }
  std::sort(candidates.begin(), candidates.end(), std::greater<>());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  if (candidates.size() > max_candidates) candidates.resize(max_candidates);
  for (uint64_t seq : candidates) {
    const Chunk& c = ChunkOf(seq);
    __builtin_prefetch(&c.sketch[seq & (kChunk - 1)]);
  }
  for (uint64_t seq : candidates) {
    const Chunk& c = ChunkOf(seq);
    const size_t at = seq & (kChunk - 1);
    if (static_cast<int64_t>(c.seen_s[at]) < oldest) continue;
    const Similarity sim = Compare(fp.sketch, c.sketch[at], match_);
    if (sim.copy) out.push_back({seq, sim, int64_t{c.seen_s[at]} * 1000});
  }
  return out;
}

uint64_t NearIndex::Add(const Fingerprint& fp, int64_t seen_ms) {
  if (size() >= kMaxLive) std::abort();  // slots could no longer name their entries
  const uint64_t seq = next_++;
  if ((seq >> kChunkBits) - first_chunk_ == chunks_.size()) {
    chunks_.push_back(std::make_unique<Chunk>());
  }
  Chunk& c = ChunkOf(seq);
  c.seen_s[seq & (kChunk - 1)] = Seconds(seen_ms);
  c.sketch[seq & (kChunk - 1)] = fp.sketch;
  Filed filed{fp.keys, fp.sketch.valid() ? fp.key_count : uint8_t{0}};
  const uint32_t seq_bits = static_cast<uint32_t>(seq) & kSeqMask;
  for (int i = 0; i < filed.count; ++i) {
    std::vector<uint32_t>& b = buckets_[BucketOf(filed.keys[i])];
    DropExpiredFront(b);
    // Grow by a quarter, not double: sizes stay near n * 7 / buckets, and doubling's slack
    // would be paid on every bucket.
    if (b.size() == b.capacity()) b.reserve(b.size() + b.size() / 4 + 4);
    b.push_back(seq_bits | (CheckOf(filed.keys[i]) << kSeqBits));
  }
  uncommitted_.push_back(filed);
  for (int i = 0; i < kSweepPerAdd; ++i) {
    DropExpiredFront(buckets_[sweep_]);
    sweep_ = (sweep_ + 1) & (static_cast<uint32_t>(buckets_.size()) - 1);
  }
  return seq;
}

void NearIndex::Commit(int64_t now_ms) {
  uncommitted_.clear();
  const int64_t oldest = static_cast<int64_t>(Seconds(now_ms)) - window_s_;
  while (first_ < next_ &&
         static_cast<int64_t>(ChunkOf(first_).seen_s[first_ & (kChunk - 1)]) < oldest) {
    ++first_;
  }
  while (!chunks_.empty() && ((first_chunk_ + 1) << kChunkBits) <= first_) {
    chunks_.pop_front();
    ++first_chunk_;
  }
}

void NearIndex::Rollback() {
  for (auto it = uncommitted_.rbegin(); it != uncommitted_.rend(); ++it) {
    for (int i = it->count - 1; i >= 0; --i)
      buckets_[BucketOf(it->keys[i])].pop_back();  // newest last
    --next_;
  }
  uncommitted_.clear();
  const uint64_t end_chunk = std::max(first_chunk_, (next_ + kChunk - 1) >> kChunkBits);
  while (first_chunk_ + chunks_.size() > end_chunk) chunks_.pop_back();
}

}  // namespace ww::dedup
