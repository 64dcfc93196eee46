#pragma once
// Aho-Corasick automaton over byte strings, used by Matcher to find every alias occurrence
// in one pass over the folded text. Internal to ww::tagging but self-contained.
//
// Layout (compact, no pointers): nodes are numbered in breadth-first order of the trie
// built from the sorted patterns, so the children of node v are the consecutive nodes
// [first_child_[v], first_child_[v + 1]) and each node stores only its incoming byte
// (sorted among siblings). Per node: first child (4 B), label (1 B), failure link (4 B),
// pattern id (4 B), dictionary-suffix link (4 B) = 17 bytes.
//
// Speed: the shallow nodes, where a scan spends nearly all its time, also get a full DFA
// row (the transition for each of the 63 bytes most used in the patterns, already resolved
// through failure links, with an "has output" bit), so a scan over ordinary text is one
// table load per byte. The shallow nodes are a prefix of the breadth-first numbering, at
// most kMaxDenseDepth deep and within a memory budget of 16 bytes per pattern. Bytes that
// occur in no pattern form class 0 and send the scan straight back to the root. Deeper nodes
// and rarer bytes use a short linear scan or a binary search over the children's labels,
// then failure links.
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
  // non-empty and distinct (the caller dedupes). Total pattern bytes must stay below 2 GiB.
  static AhoCorasick Build(const std::vector<std::string_view>& patterns);

  // Calls on_match(pattern_id, end) for every occurrence of every pattern in `text`, where
  // `end` is the exclusive end offset; occurrences are reported in increasing `end` order
  // and, for the same `end`, longest pattern first. No allocation.
  template <typename OnMatch>
  void Scan(std::string_view text, OnMatch&& on_match) const;

  size_t pattern_count() const { return pattern_length_.size(); }
  size_t node_count() const { return label_.size(); }
  size_t dense_node_count() const { return dense_count_; }
  uint32_t pattern_length(uint32_t id) const { return pattern_length_[id]; }
  // Approximate heap bytes used by the automaton.
  size_t MemoryUsage() const;

 private:
  static constexpr uint32_t kOutputBit = 0x80000000u;
  static constexpr uint32_t kMaxDenseDepth = 6;
  // Dense rows cover class 0 and the 63 bytes most used in patterns; the other bytes of the
  // patterns (classes >= kDenseClasses) take the sparse path.
  static constexpr uint32_t kDenseClasses = 64;

  uint32_t Child(uint32_t node, uint8_t byte) const;
  bool HasOutput(uint32_t node) const { return pattern_[node] != kNoPattern || dict_[node] != 0; }

  std::array<uint16_t, 256> class_;      // byte -> class; 0: the byte is in no pattern
  std::array<uint32_t, 256> root_;       // root transitions | kOutputBit
  uint32_t dense_count_ = 1;             // nodes [0, dense_count_) have a row in dense_
  std::vector<uint32_t> dense_;          // row-major: next node | kOutputBit
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
  const uint32_t* dense = dense_.data();
  const uint32_t width = kDenseClasses;
  const uint32_t dense_count = dense_count_;
  uint32_t state = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t b = bytes[i];
    const uint32_t cls = class_[b];
    uint32_t next;
    if (cls < width && state < dense_count) {
      next = dense[state * width + cls];  // class 0 (byte in no pattern): row entry is root
    } else if (cls == 0) {
      state = 0;
      continue;
    } else {
      for (;;) {
        if (state == 0) {
          next = root_[b];
          break;
        }
        if (cls < width && state < dense_count) {
          next = dense[state * width + cls];
          break;
        }
        if (const uint32_t child = Child(state, b); child != 0) {
          next = child | (HasOutput(child) ? kOutputBit : 0);
          break;
        }
        state = fail_[state];
      }
    }
    state = next & ~kOutputBit;
    if ((next & kOutputBit) == 0) continue;
    uint32_t out = pattern_[state] != kNoPattern ? state : dict_[state];
    while (out != 0) {
      on_match(pattern_[out], i + 1);
      out = dict_[out];
    }
  }
}

}  // namespace ww::tagging
