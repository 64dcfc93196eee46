#include "libs/dedup/boilerplate.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ww::dedup {

absl::StatusOr<BoilerplateModel> BoilerplateModel::Create(const BoilerplateOptions& options) {
  if (options.min_stories < 2 || options.min_stories > 255) {
    return absl::InvalidArgumentError(
        absl::StrCat("boilerplate threshold ", options.min_stories, " stories is outside 2..255"));
  }
  if (options.generation_stories == 0) {
    return absl::InvalidArgumentError("a boilerplate generation needs at least one story");
  }
  if (options.table_bits < 10 || options.table_bits > 30) {
    return absl::InvalidArgumentError(absl::StrCat("boilerplate table of 2^", options.table_bits,
                                                   " cells is outside 2^10..2^30"));
  }
  return BoilerplateModel(options);
}

BoilerplateModel::BoilerplateModel(const BoilerplateOptions& options)
    : min_stories_(static_cast<uint32_t>(options.min_stories)),
      generation_stories_(options.generation_stories),
      line_bits_(options.table_bits - 5),
      cells_(size_t{1} << options.table_bits) {}

void BoilerplateModel::KeepContent(std::span<const uint64_t> in, std::vector<uint64_t>* out) const {
  out->clear();
  // The lines sit at random places in the table: ask for a stretch of them ahead of use so
  // that their cache misses overlap.
  constexpr size_t kAhead = 16;
  for (size_t i = 0; i < std::min(kAhead, in.size()); ++i) {
    __builtin_prefetch(&cells_[(in[i] >> (64 - line_bits_)) << 5]);
  }
  for (size_t i = 0; i < in.size(); ++i) {
    if (i + kAhead < in.size())
      __builtin_prefetch(&cells_[(in[i + kAhead] >> (64 - line_bits_)) << 5]);
    if (!Contains(in[i])) out->push_back(in[i]);
  }
}

void BoilerplateModel::AddStory(std::span<const uint64_t> distinct) {
  for (uint64_t s : distinct) {
    uint32_t a, b;
    Cells(s, &a, &b);
    // Conservative update: raise only the counters at the minimum, which is the estimate.
    const uint32_t low = std::min(cells_[a].total(), cells_[b].total());
    for (uint32_t c : {a, b}) {
      if (cells_[c].total() == low && cells_[c].cur < 255) {
        ++cells_[c].cur;
        journal_.push_back(c);
      }
    }
  }
  if (++stories_ == generation_stories_) NextGeneration();
}

void BoilerplateModel::NextGeneration() {
  std::vector<uint8_t> prev(cells_.size());
  for (size_t i = 0; i < cells_.size(); ++i) {
    prev[i] = cells_[i].prev;
    cells_[i].prev = cells_[i].cur;
    cells_[i].cur = 0;
  }
  saved_prev_.push_back(std::move(prev));
  journal_.push_back(kGenerationMark);
  stories_ = 0;
}

void BoilerplateModel::Commit() {
  journal_.clear();
  saved_prev_.clear();
  committed_stories_ = stories_;
}

void BoilerplateModel::Rollback() {
  for (auto it = journal_.rbegin(); it != journal_.rend(); ++it) {
    if (*it != kGenerationMark) {
      --cells_[*it].cur;
      continue;
    }
    // Undo a change of generation: the current counts are back to zero here (their
    // increments were undone first), so the old current ones are the previous ones.
    const std::vector<uint8_t>& prev = saved_prev_.back();
    for (size_t i = 0; i < cells_.size(); ++i) {
      cells_[i].cur = cells_[i].prev;
      cells_[i].prev = prev[i];
    }
    saved_prev_.pop_back();
  }
  journal_.clear();
  stories_ = committed_stories_;
}

}  // namespace ww::dedup
