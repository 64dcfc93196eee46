#pragma once
// Sliding-window index of 64-bit SimHash fingerprints that finds every earlier entry within
// a Hamming distance of at most 3 bits, in sub-linear time.
//
// How: the 64 bits are cut into four 16-bit blocks. Two fingerprints that differ in at most
// 3 bits agree exactly on at least one block (pigeonhole), so each block value heads a
// chain (one per block, four chains per entry) of the entries that have it. A lookup
// walks four chains of, on average, n / 65,536 entries each (15 at a million) and checks
// each candidate with one popcount. Chains are linked newest first, so a walk stops at the
// first entry older than the window, and entries are dropped from the old end.
//
// Memory: 32 bytes per entry (fingerprint, four 32-bit links, time in seconds, a 32-bit
// payload the caller gives meaning to) plus 1 MiB of chain heads; no per-entry allocation.
//
// Transactions: Add() is journalled until Commit(); Rollback() undoes every Add since the
// last Commit, newest first. Expired entries are only dropped on Commit, and lookups filter
// by time, so rolling back and replaying a batch gives exactly the same answers.
//
// Not thread-safe: owned by one stage loop (or one tool).
#include <array>
#include <cstdint>
#include <functional>
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
  // once, newest first within a block chain (callers pick by distance, then age).
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
  // Bytes held: entries (capacity) and chain heads.
  size_t MemoryBytes() const;
  int max_distance() const { return max_distance_; }

 private:
  NearIndex(int max_distance, int64_t window_ms);
  struct Entry {
    uint64_t fp;
    std::array<uint32_t, 4> next;  // older entry with the same block value, by sequence
    uint32_t seen_s;
    uint32_t payload;
  };
  static uint32_t Block(uint64_t fp, int b) { return static_cast<uint32_t>(fp >> (16 * b)) & 0xffff; }
  // Sequence numbers are uint32 and wrap; `seq` is live when it is among the last size_.
  bool Live(uint32_t seq) const { return next_seq_ - seq - 1 < size_; }
  Entry& At(uint32_t seq) { return ring_[seq & (ring_.size() - 1)]; }
  const Entry& At(uint32_t seq) const { return ring_[seq & (ring_.size() - 1)]; }
  void Grow();

  int max_distance_;
  int64_t window_s_;
  std::vector<Entry> ring_;                    // power-of-two capacity
  std::vector<uint32_t> heads_;                // 4 x 65,536 chain heads
  uint32_t next_seq_ = 0;                      // sequence of the next Add
  size_t size_ = 0;                            // live entries: [next_seq_ - size_, next_seq_)
  size_t uncommitted_ = 0;                     // Adds since the last Commit
};

}  // namespace ww::dedup
