#pragma once
// Boilerplate learned from the stream: a shingle is boilerplate once at least `min_stories`
// of the recent stories carried it. A footer that 200 stories carry, an outlet's "Updated 3
// hours ago" header, a newsletter prompt, and stock phrases such as "said in a statement"
// all qualify; a sentence that two articles share does not, so it stays evidence that one
// copies the other. No list of patterns: whatever many unrelated articles share.
//
// "Stories" are clusters: the caller adds the shingles of an article that starts a new
// cluster (AddStory), never those of a copy, so a wire story reprinted by fifty outlets
// counts once and does not make its own text boilerplate.
//
// How: a count-min sketch (two counters per shingle in one 64-byte line, conservative
// update) of saturating 8-bit counts in two generations. Counts go to the current
// generation; after `generation_stories` stories it becomes the previous one and the one
// before is forgotten, so a shingle's count covers the last 1-2 generations of stories. A
// shingle's count may be overestimated (never under), by collisions in the table:
// 2^table_bits cells sized for the shingles of a generation keep that rare.
//
// The state depends only on the sequence of AddStory calls (not on when Commit is called),
// so every replica that replays the same claims learns the same boilerplate.
//
// Transactions: every change since the last Commit is journalled; Rollback undoes it.
// Not thread-safe: owned by one clusterer.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"

namespace ww::dedup {

struct BoilerplateOptions {
  int min_stories = 8;                  // carried by this many recent stories: boilerplate
  uint32_t generation_stories = 16384;  // stories per generation (the memory of the model)
  int table_bits = 22;                  // 2^table_bits counters of 2 bytes (8 MiB)
};

class BoilerplateModel {
 public:
  // InvalidArgument unless 2 <= min_stories <= 255, generation_stories > 0 and
  // 10 <= table_bits <= 30.
  static absl::StatusOr<BoilerplateModel> Create(const BoilerplateOptions& options);

  // True when `shingle` is boilerplate now.
  bool Contains(uint64_t shingle) const { return Count(shingle) >= min_stories_; }

  // Replaces *out with the shingles of `in` that are not boilerplate, in order.
  void KeepContent(std::span<const uint64_t> in, std::vector<uint64_t>* out) const;

  // Counts the distinct shingles of a story that starts a new cluster. `distinct` must hold
  // each shingle once.
  void AddStory(std::span<const uint64_t> distinct);

  void Commit();
  void Rollback();

  uint32_t Count(uint64_t shingle) const {
    uint32_t a, b;
    Cells(shingle, &a, &b);
    return std::min(cells_[a].total(), cells_[b].total());
  }
  size_t MemoryBytes() const { return cells_.capacity() * sizeof(Cell); }

 private:
  struct Cell {
    uint8_t cur = 0;
    uint8_t prev = 0;
    uint32_t total() const { return uint32_t{cur} + prev; }
  };
  BoilerplateModel(const BoilerplateOptions& options);
  // The two counters of a shingle: one 64-byte line of 32 cells, two cells within it.
  void Cells(uint64_t shingle, uint32_t* a, uint32_t* b) const {
    const uint32_t line = static_cast<uint32_t>(shingle >> (64 - line_bits_));
    const uint32_t i = static_cast<uint32_t>(shingle) & 31;
    uint32_t j = static_cast<uint32_t>(shingle >> 5) & 31;
    if (j == i) j ^= 1;
    *a = (line << 5) | i;
    *b = (line << 5) | j;
  }
  void NextGeneration();

  uint32_t min_stories_;
  uint32_t generation_stories_;
  int line_bits_;
  std::vector<Cell> cells_;
  uint32_t stories_ = 0;  // in the current generation
  uint32_t committed_stories_ = 0;
  // Since the last Commit: indexes of incremented cells, and kGenerationMark for a change of
  // generation, whose previous counts are in saved_prev_ (last one last).
  static constexpr uint32_t kGenerationMark = ~uint32_t{0};
  std::vector<uint32_t> journal_;
  std::vector<std::vector<uint8_t>> saved_prev_;
};

}  // namespace ww::dedup
