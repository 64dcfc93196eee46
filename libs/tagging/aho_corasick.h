#pragma once
// Aho-Corasick automaton over byte strings, used by Matcher to find every alias occurrence
// in one pass over the folded text. Internal to ww::tagging but self-contained.
//
// Layout (compact, no pointers): nodes are numbered in breadth-first order of the trie
// built from the sorted patterns, so the children of node v are the consecutive nodes
// [first_child_[v], first_child_[v + 1]) and each node stores only its incoming byte
// (sorted among siblings). Per node: first child (4 B), label (1 B), failure link (4 B),
// pattern id (4 B), dictionary-suffix link (4 B) = 17 bytes; the root has a dense
// 256-entry table. A transition is a short linear scan or a binary search over labels.
//
// Immutable after Build; Scan is const and safe to call from many threads at once.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ww::tagging {

class AhoCorasick {
 public:
  static constexpr uint32_t kNoPattern = UINT32_MAX;

  AhoCorasick();

  // Builds the automaton. Pattern ids are indices into `patterns`; patterns must be
  // non-empty and distinct (the caller dedupes). Total pattern bytes must stay below 4 GiB.
  static AhoCorasick Build(const std::vector<std::string_view>& patterns);

  // Calls on_match(pattern_id, end) for every occurrence of every pattern in `text`, where
  // `end` is the exclusive end offset; occurrences are reported in increasing `end` order
  // and, for the same `end`, longest pattern first. No allocation.
  template <typename OnMatch>
  void Scan(std::string_view text, OnMatch&& on_match) const;

  size_t pattern_count() const { return pattern_length_.size(); }
  size_t node_count() const { return label_.size(); }
  uint32_t pattern_length(uint32_t id) const { return pattern_length_[id]; }
  // Approximate heap bytes used by the automaton.
  size_t MemoryUsage() const;

 private:
  uint32_t Child(uint32_t node, uint8_t byte) const;

  std::array<uint32_t, 256> root_next_;  // 0 = no child
  std::vector<uint32_t> first_child_;    // size node_count() + 1
  std::vector<uint8_t> label_;           // incoming byte of each node
  std::vector<uint32_t> fail_;
  std::vector<uint32_t> pattern_;        // pattern ending at the node, or kNoPattern
  std::vector<uint32_t> dict_;           // nearest proper suffix node with a pattern, or 0
  std::vector<uint32_t> pattern_length_;
};

inline uint32_t AhoCorasick::Child(uint32_t node, uint8_t byte) const {
  uint32_t lo = first_child_[node];
  uint32_t hi = first_child_[node + 1];
  const uint8_t* labels = label_.data();
  while (hi - lo > 8) {  // binary search down to a short run
    const uint32_t mid = lo + (hi - lo) / 2;
    if (labels[mid] < byte) {
      lo = mid + 1;
    } else {
      hi = mid + 1;
      if (labels[mid] == byte) return mid;
    }
  }
  for (; lo < hi; ++lo) {
    if (labels[lo] == byte) return lo;
  }
  return 0;
}

template <typename OnMatch>
void AhoCorasick::Scan(std::string_view text, OnMatch&& on_match) const {
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  uint32_t state = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t b = bytes[i];
    for (;;) {
      if (state == 0) {
        state = root_next_[b];
        break;
      }
      if (const uint32_t next = Child(state, b); next != 0) {
        state = next;
        break;
      }
      state = fail_[state];
    }
    if (state == 0) continue;
    uint32_t out = pattern_[state] != kNoPattern ? state : dict_[state];
    while (out != 0) {
      on_match(pattern_[out], i + 1);
      out = dict_[out];
    }
  }
}

}  // namespace ww::tagging
