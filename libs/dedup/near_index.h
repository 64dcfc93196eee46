#pragma once
// Sliding-window index of 64-bit SimHash fingerprints that finds every earlier entry within
// a Hamming distance of at most 3 bits, in sub-linear time.
//
// How: the 64 bits are cut into four 16-bit blocks. Two fingerprints that differ in at most
// 3 bits agree exactly on at least one block (pigeonhole), so a lookup reads the four
// buckets (one per block, 4 x 65,536 in all) that hold the query's block values. A bucket
// is a contiguous array of 32-bit slots in arrival order (on average n / 65,536 of them: 15
// at a million). A slot holds the entry's place in a power-of-two ring of entries (the low
// bits) and, in the bits left over, some of the entry's fingerprint bits outside the
// bucket's block (12 of them at a million entries). A slot whose check bits alone already
// differ from the query's in more than max_distance bits is skipped without touching the
// ring (93% of random entries at a million); the others are prefetched together, then
// checked on the full fingerprint with one popcount. A walk runs newest first and stops at
// the first entry older than the window. Expired entries are dropped from the front of
// their buckets on Commit, rolled-back ones from the back; when the ring doubles, the slots
// are rewritten (one more ring bit, one check bit fewer).
//
// Memory: 16 bytes per entry in the ring (fingerprint, time in seconds, a 32-bit payload the
// caller gives meaning to), 4 x 4 bytes in the buckets (plus their growth slack: they grow
// by a quarter and give back what a past peak left) and 6 MiB of bucket headers: 47 bytes
// per entry at a million in steady state, 51 with malloc's overhead; no per-entry
// allocation.
//
// Transactions: Add() is journalled until Commit(); Rollback() undoes every Add since the
// last Commit, newest first. Expired entries are only dropped on Commit, and lookups filter
// by time, so rolling back and replaying a batch gives exactly the same answers.
//
// Not thread-safe: owned by one stage loop (or one tool).
#include <bit>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace ww::dedup {

class NearIndex {
 public:
  static constexpr int kMaxDistance = 3;

  // InvalidArgument unless 0 <= max_distance <= kMaxDistance and window_ms > 0.
  static absl::StatusOr<NearIndex> Create(int max_distance, int64_t window_ms);

  // A match of Find: the entry's payload, its distance to the query, when it was added.
  struct Match {
    uint32_t payload;
    int distance;
    int64_t seen_ms;
  };

  // Every entry within max_distance of `fp` added no earlier than now_ms - window, each
  // once, newest first within a block's bucket (callers pick by distance, then age).
  std::vector<Match> Find(uint64_t fp, int64_t now_ms) const;

  // Adds an entry seen at `seen_ms` (callers keep it non-decreasing).
  void Add(uint64_t fp, int64_t seen_ms, uint32_t payload);

  // Makes the Adds since the last Commit permanent and drops entries older than the window
  // relative to `now_ms`. Returns the payloads of the dropped entries, oldest first, so the
  // caller can free what they refer to.
  std::vector<uint32_t> Commit(int64_t now_ms);
  // Undoes every Add since the last Commit.
  void Rollback();

  size_t size() const { return size_; }
  // Bytes held: the ring and the buckets (capacities and headers), not malloc's overhead.
  size_t MemoryBytes() const;
  int max_distance() const { return max_distance_; }

 private:
  NearIndex(int max_distance, int64_t window_ms);
  struct Entry {
    uint64_t fp;
    uint32_t seen_s;
    uint32_t payload;
  };
  static uint32_t Block(uint64_t fp, int b) { return static_cast<uint32_t>(fp >> (16 * b)) & 0xffff; }
  std::vector<uint32_t>& Bucket(uint64_t fp, int b) { return buckets_[b * 65536 + Block(fp, b)]; }
  const std::vector<uint32_t>& Bucket(uint64_t fp, int b) const {
    return buckets_[b * 65536 + Block(fp, b)];
  }
  // Sequence numbers are uint32 and wrap; the live ones are [next_seq_ - size_, next_seq_).
  Entry& At(uint32_t seq) { return ring_[seq & (ring_.size() - 1)]; }
  const Entry& At(uint32_t seq) const { return ring_[seq & (ring_.size() - 1)]; }
  // The check bits of `fp` for block b's buckets: the low 32 - ring_bits_ bits of the 48
  // bits above block b (wrapping round).
  uint32_t Check(uint64_t fp, int b) const {
    const uint64_t rest = std::rotr(fp, 16 * (b + 1));
    return static_cast<uint32_t>(rest) & ((uint32_t{1} << (32 - ring_bits_)) - 1);
  }
  uint32_t Slot(uint32_t seq, uint64_t fp, int b) const {
    return (seq & (static_cast<uint32_t>(ring_.size()) - 1)) | (Check(fp, b) << ring_bits_);
  }
  void PutInBuckets(uint32_t seq, uint64_t fp);
  void Grow();

  int max_distance_;
  int64_t window_s_;
  std::vector<Entry> ring_;                    // capacity 2^ring_bits_
  int ring_bits_ = 10;
  std::vector<std::vector<uint32_t>> buckets_;  // 4 x 65,536: slots of live entries, oldest first
  uint32_t next_seq_ = 0;                      // sequence of the next Add
  size_t size_ = 0;                            // live entries: [next_seq_ - size_, next_seq_)
  size_t uncommitted_ = 0;                     // Adds since the last Commit
};

}  // namespace ww::dedup
