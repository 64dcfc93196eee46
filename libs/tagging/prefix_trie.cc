#include "libs/tagging/prefix_trie.h"

#include <algorithm>
#include <numeric>

namespace ww::tagging {
PrefixTrie::PrefixTrie() {
  class_.fill(0);
  root_.fill(0);
  dense_.assign(kDenseClasses, 0);
  word_bits_.assign(4, 0);
  word_shift_ = 63;
  nodes_ = {Node{1, kNone, kNone}, Node{1, kNone, kNone}};
  label_ = {0};
}

namespace {

// Pattern ids in byte order. Sorts by the first 8 bytes (big-endian, zero-padded) and only
// compares whole patterns where those tie: most comparisons then touch no pattern bytes.
std::vector<uint32_t> SortedOrder(const std::vector<std::string_view>& patterns) {
  struct Keyed {
    uint64_t prefix;
    uint32_t id;
  };
  std::vector<Keyed> keyed(patterns.size());
  for (uint32_t i = 0; i < patterns.size(); ++i) {
    uint64_t prefix = 0;
    const std::string_view p = patterns[i];
    for (size_t j = 0; j < 8; ++j) {
      prefix = (prefix << 8) | (j < p.size() ? static_cast<uint8_t>(p[j]) : 0u);
    }
    keyed[i] = {prefix, i};
  }
  std::sort(keyed.begin(), keyed.end(), [&](const Keyed& a, const Keyed& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return patterns[a.id] < patterns[b.id];  // char_traits<char> compares bytes as unsigned
  });
  std::vector<uint32_t> order(patterns.size());
  for (size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].id;
  return order;
}

}  // namespace

PrefixTrie PrefixTrie::Build(const std::vector<std::string_view>& patterns,
                             const std::vector<bool>& lowercase_ok) {
  PrefixTrie trie;
  trie.pattern_count_ = patterns.size();
  trie.BuildNodes(patterns, SortedOrder(patterns));
  trie.AssignByteClasses();
  trie.BuildDenseRows();
  trie.BuildWordFilter(patterns, lowercase_ok);
  trie.nodes_.shrink_to_fit();
  trie.label_.shrink_to_fit();
  trie.tails_.shrink_to_fit();
  return trie;
}

// Breadth-first construction: each queued node covers the sorted patterns [lo, hi) that
// share its depth-long prefix. Node ids are assigned in queue order, so each node's
// children get consecutive ids. A node left with one longer pattern keeps its rest as a tail.
void PrefixTrie::BuildNodes(const std::vector<std::string_view>& patterns,
                            const std::vector<uint32_t>& order) {
  const auto length_of = [&](uint32_t k) { return patterns[order[k]].size(); };
  const auto byte_at = [&](uint32_t k, size_t depth) {
    return static_cast<uint8_t>(patterns[order[k]][depth]);
  };
  struct Range {
    uint32_t lo, hi, depth;
  };
  std::vector<Range> queue;
  queue.push_back({0, static_cast<uint32_t>(order.size()), 0});
  nodes_.assign(1, Node{0, kNone, kNone});
  label_.assign(1, 0);
  for (size_t v = 0; v < queue.size(); ++v) {
    const Range r = queue[v];
    Node& node = nodes_[v];
    node.first_child = static_cast<uint32_t>(queue.size());
    uint32_t k = r.lo;
    if (k < r.hi && length_of(k) == r.depth) {
      node.pattern = order[k];  // shortest (= this prefix) sorts first
      ++k;
    }
    if (r.depth > 0 && r.hi - k == 1) {
      const std::string_view rest = patterns[order[k]].substr(r.depth);
      const uint32_t header[2] = {order[k], static_cast<uint32_t>(rest.size())};
      node.tail = static_cast<uint32_t>(tails_.size());
      tails_.append(reinterpret_cast<const char*>(header), sizeof(header));
      tails_.append(rest);
      ++tail_count_;
      continue;
    }
    while (k < r.hi) {
      const uint8_t b = byte_at(k, r.depth);
      uint32_t end = k + 1;
      while (end < r.hi && byte_at(end, r.depth) == b) ++end;
      queue.push_back({k, end, r.depth + 1});
      label_.push_back(b);
      nodes_.push_back(Node{0, kNone, kNone});  // `node` is not used past this point
      k = end;
    }
  }
  // Sentinel: the end of the last node's children.
  nodes_.push_back(Node{static_cast<uint32_t>(queue.size()), kNone, kNone});
}

// Byte classes: the most used labels first (1, 2, ...), class 0 for bytes in no label; and
// the root's row, by byte.
void PrefixTrie::AssignByteClasses() {
  const uint32_t node_count = static_cast<uint32_t>(nodes_.size() - 1);
  std::array<uint64_t, 256> uses{};
  for (uint32_t v = 1; v < node_count; ++v) ++uses[label_[v]];
  std::array<int, 256> by_use;
  std::iota(by_use.begin(), by_use.end(), 0);
  std::stable_sort(by_use.begin(), by_use.end(), [&](int a, int b) { return uses[a] > uses[b]; });
  uint16_t next_class = 1;
  for (int b : by_use) class_[b] = uses[b] > 0 ? next_class++ : 0;
  for (uint32_t c = nodes_[0].first_child; c < nodes_[1].first_child; ++c) {
    root_[label_[c]] = Entry(c);
  }
}

// Dense rows for a breadth-first prefix of the nodes, within a budget of 16 bytes per
// pattern (at least 1 MiB).
void PrefixTrie::BuildDenseRows() {
  const uint32_t node_count = static_cast<uint32_t>(nodes_.size() - 1);
  constexpr uint32_t width = kDenseClasses;
  const size_t budget_rows = std::max<size_t>(1 << 20, 16 * pattern_count_) / (size_t{4} * width);
  dense_count_ = static_cast<uint32_t>(std::min<size_t>(node_count, budget_rows));
  dense_.assign(static_cast<size_t>(dense_count_) * width, 0);
  for (uint32_t v = 0; v < dense_count_; ++v) {
    uint32_t* row = &dense_[static_cast<size_t>(v) * width];
    for (uint32_t c = nodes_[v].first_child; c < nodes_[v + 1].first_child; ++c) {
      const uint32_t cls = class_[label_[c]];
      if (cls < width) row[cls] = Entry(c);
    }
  }
}

// The filters of MayStartWithWord: 8 to 16 bits per pattern each (at least 4096), two bits
// of a 64-bit word per pattern. 8 measured as fast as 16 at 119k aliases (the bitmaps then
// fit in L2), and the scan much faster than without a filter.
void PrefixTrie::BuildWordFilter(const std::vector<std::string_view>& patterns,
                                 const std::vector<bool>& lowercase_ok) {
  size_t bits = 4096;
  while (bits < 8 * patterns.size()) bits *= 2;
  word_bits_.assign(bits / 64 * 2, 0);
  word_shift_ = 64 - static_cast<uint32_t>(std::countr_zero(bits / 64));
  for (size_t id = 0; id < patterns.size(); ++id) {
    const std::string_view p = patterns[id];
    const size_t run = AsciiWordEnd(reinterpret_cast<const uint8_t*>(p.data()), 0, p.size());
    if (run > 0) SetBit(WordHash(p, 0, run), lowercase_ok.empty() || lowercase_ok[id]);
  }
}

size_t PrefixTrie::MemoryUsage() const {
  return sizeof(*this) + dense_.capacity() * 4 + nodes_.capacity() * sizeof(Node) +
         label_.capacity() + tails_.capacity() + word_bits_.capacity() * 8;
}

}  // namespace ww::tagging
