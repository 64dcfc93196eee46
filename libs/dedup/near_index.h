#pragma once
// Sliding-window index of article sketches (sketch.h) that finds the earlier articles an
// article copies or is copied by: candidates through their keys, then each verified on its
// sketch.
//
// Layout: entries (the sketch and the time it was added) sit in arrival order in chunks of
// 4,096, freed as they expire. Keys are filed in 2^bucket_bits buckets (picked by the key's
// hash), each a contiguous array of 32-bit slots in arrival order; a slot holds the entry's
// sequence number modulo 2^23 and 9 more bits of its key, which rule out most other keys
// without touching the entry. A lookup reads the buckets of its probe keys, newest slot first,
// and verifies every live entry they name on the whole sketch.
//
// Expired slots are not removed one by one: they are dropped from the front of a bucket when
// the bucket is next written, and a sweep visits a few buckets on every Add, so that no slot
// stays long enough for its 23-bit sequence number to name a live entry again (that needs
// fewer than 2^22 live entries). Until then a lookup recognises them by their sequence.
// Lookups also filter by time, so expiring on Commit or later gives exactly the same
// answers, and rolling back and replaying a batch does too.
//
// Memory per article: 7 slots (28 B, plus growth slack and swept-late expired slots), the
// entry's time (4 B), the bucket headers (6 MiB at 2^18) in the index proper; and the sketch
// (164 B) that verifies a candidate. MemoryBytes and SketchBytes say which is which.
//
// Transactions: Add() is journalled until Commit(); Rollback() undoes every Add since the
// last Commit, newest first. Not thread-safe: owned by one stage loop (or one tool).
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/dedup/sketch.h"

namespace ww::dedup {

class NearIndex {
 public:
  static constexpr size_t kMaxLive = size_t{1} << 22;

  // InvalidArgument unless window_ms > 0 and 8 <= bucket_bits <= 24.
  static absl::StatusOr<NearIndex> Create(int64_t window_ms, MatchOptions match,
                                          int bucket_bits = 18);

  // An earlier entry that `fp` copies or is copied by (the sketches say "copy").
  struct Match {
    uint64_t seq;  // the entry's sequence number (Add's return value)
    Similarity similarity;
    int64_t seen_ms;
  };

  // Every entry added no earlier than now_ms - window whose sketch makes a copy with `fp`'s,
  // each once, newest first; at most `max_candidates` entries are verified (the newest).
  std::vector<Match> Find(const Fingerprint& fp, int64_t now_ms) const;

  // Adds an entry seen at `seen_ms` (callers keep it non-decreasing) and returns its
  // sequence number: 0, 1, 2... in call order, never reused (rolled-back ones are).
  // An invalid sketch gets a number and no keys: it is never found. Aborts beyond kMaxLive
  // live entries (a clear crash for a broken invariant: the window holds too many).
  uint64_t Add(const Fingerprint& fp, int64_t seen_ms);

  // Makes the Adds since the last Commit permanent and expires entries older than the
  // window relative to `now_ms` (from the oldest; the first live sequence grows).
  void Commit(int64_t now_ms);
  // Undoes every Add since the last Commit.
  void Rollback();

  uint64_t first_seq() const { return first_; }  // oldest live entry
  uint64_t next_seq() const { return next_; }
  size_t size() const { return static_cast<size_t>(next_ - first_); }

  // Bytes of the index proper: buckets (capacity and headers) and entry times.
  size_t MemoryBytes() const;
  // Bytes of the sketches kept to verify candidates.
  size_t SketchBytes() const;

  size_t max_candidates = 256;

 private:
  NearIndex(int64_t window_ms, MatchOptions match, int bucket_bits);
  static constexpr int kSeqBits = 23;
  static constexpr uint32_t kSeqMask = (uint32_t{1} << kSeqBits) - 1;
  static constexpr int kChunkBits = 12;
  static constexpr size_t kChunk = size_t{1} << kChunkBits;
  struct Chunk {
    uint32_t seen_s[kChunk];
    Sketch sketch[kChunk];
  };
  uint32_t BucketOf(uint32_t key) const;
  static uint32_t CheckOf(uint32_t key);
  // The live sequence a slot names, or nullopt-like UINT64_MAX for an expired slot.
  uint64_t LiveSeq(uint32_t slot) const;
  const Chunk& ChunkOf(uint64_t seq) const { return *chunks_[(seq >> kChunkBits) - first_chunk_]; }
  Chunk& ChunkOf(uint64_t seq) { return *chunks_[(seq >> kChunkBits) - first_chunk_]; }
  void DropExpiredFront(std::vector<uint32_t>& bucket) const;

  int64_t window_s_;
  MatchOptions match_;
  int bucket_bits_;
  std::vector<std::vector<uint32_t>> buckets_;
  std::deque<std::unique_ptr<Chunk>> chunks_;  // chunk i holds seqs [i << 12, (i + 1) << 12)
  uint64_t first_chunk_ = 0;
  uint64_t first_ = 0;  // oldest live sequence
  uint64_t next_ = 0;   // next sequence to give
  uint32_t sweep_ = 0;  // next bucket the sweep visits
  // Keys of the Adds since the last Commit, oldest first, to take their slots back.
  struct Filed {
    std::array<uint32_t, kStoredWholeKeys + kStoredLeadKeys> keys;
    uint8_t count;
  };
  std::vector<Filed> uncommitted_;
};

}  // namespace ww::dedup
