#include "libs/tagging/aho_corasick.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace ww::tagging {

AhoCorasick::AhoCorasick() {
  class_.fill(0);
  root_.fill(0);
  dense_.assign(kDenseClasses, 0);
  first_child_ = {1, 1};
  label_ = {0};
  fail_ = {0};
  pattern_ = {kNoPattern};
  dict_ = {0};
}

AhoCorasick AhoCorasick::Build(const std::vector<std::string_view>& patterns) {
  AhoCorasick ac;
  ac.pattern_length_.reserve(patterns.size());
  for (std::string_view p : patterns) ac.pattern_length_.push_back(static_cast<uint32_t>(p.size()));

  // Sort by the first 8 bytes (big-endian, zero-padded) and only compare whole patterns
  // where those tie: most comparisons then touch no pattern bytes.
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
  // The sorted patterns, copied end to end: the breadth-first pass below sweeps them in
  // order once per depth, which is then a sequential read.
  std::vector<uint32_t> start(patterns.size() + 1, 0);
  for (size_t i = 0; i < order.size(); ++i) {
    start[i + 1] = start[i] + static_cast<uint32_t>(patterns[order[i]].size());
  }
  std::string sorted(start.back(), '\0');
  for (size_t i = 0; i < order.size(); ++i) {
    const std::string_view p = patterns[order[i]];
    std::copy(p.begin(), p.end(), sorted.begin() + start[i]);
  }
  // keyed, start and sorted are released only when Build returns: freed here, their memory
  // went to the automaton's arrays and the 1M-alias scan in ww_tagging_bench ran ~20% slower
  // (allocator placement, not a different automaton).
  const auto length_of = [&](uint32_t k) { return start[k + 1] - start[k]; };
  const auto byte_at = [&](uint32_t k, uint32_t depth) {
    return static_cast<uint8_t>(sorted[start[k] + depth]);
  };

  // Breadth-first construction: each queued node covers the sorted patterns [lo, hi) that
  // share its depth-long prefix. Node ids are assigned in queue order, so each node's
  // children get consecutive ids.
  struct Range {
    uint32_t lo, hi, depth;
  };
  std::vector<Range> queue;
  queue.push_back({0, static_cast<uint32_t>(order.size()), 0});
  ac.first_child_.clear();
  ac.label_.assign(1, 0);
  ac.pattern_.assign(1, kNoPattern);
  std::vector<uint32_t> depth_end;  // depth_end[d]: first node id deeper than d
  for (size_t v = 0; v < queue.size(); ++v) {
    const Range r = queue[v];
    if (depth_end.size() <= r.depth) depth_end.push_back(static_cast<uint32_t>(v));
    uint32_t k = r.lo;
    if (k < r.hi && length_of(k) == r.depth) {
      ac.pattern_[v] = order[k];  // shortest (= this prefix) sorts first
      ++k;
    }
    ac.first_child_.push_back(static_cast<uint32_t>(queue.size()));
    while (k < r.hi) {
      const uint8_t b = byte_at(k, r.depth);
      uint32_t end = k + 1;
      while (end < r.hi && byte_at(end, r.depth) == b) ++end;
      queue.push_back({k, end, r.depth + 1});
      ac.label_.push_back(b);
      ac.pattern_.push_back(kNoPattern);
      k = end;
    }
  }
  const uint32_t node_count = static_cast<uint32_t>(queue.size());
  ac.first_child_.push_back(node_count);
  queue.clear();
  queue.shrink_to_fit();
  order.clear();
  order.shrink_to_fit();

  // Byte classes: the most used bytes first (1, 2, ...), class 0 for bytes in no pattern.
  std::array<uint64_t, 256> uses{};
  for (uint32_t v = 1; v < node_count; ++v) ++uses[ac.label_[v]];
  std::array<int, 256> by_use;
  std::iota(by_use.begin(), by_use.end(), 0);
  std::stable_sort(by_use.begin(), by_use.end(), [&](int a, int b) { return uses[a] > uses[b]; });
  uint16_t next_class = 1;
  for (int b : by_use) ac.class_[b] = uses[b] > 0 ? next_class++ : 0;

  // Root transitions, used while computing failure links.
  std::array<uint32_t, 256> root_next{};
  for (uint32_t c = ac.first_child_[0]; c < ac.first_child_[1]; ++c) {
    root_next[ac.label_[c]] = c;
  }
  ac.fail_.assign(node_count, 0);
  ac.dict_.assign(node_count, 0);
  // Failure and dictionary links, parents before children (ids are breadth-first).
  for (uint32_t v = 1; v < node_count; ++v) {
    for (uint32_t c = ac.first_child_[v]; c < ac.first_child_[v + 1]; ++c) {
      const uint8_t b = ac.label_[c];
      uint32_t f = ac.fail_[v];
      uint32_t target = 0;
      for (;;) {
        if (f == 0) {
          target = root_next[b];
          break;
        }
        if (const uint32_t next = ac.Child(f, b); next != 0) {
          target = next;
          break;
        }
        f = ac.fail_[f];
      }
      ac.fail_[c] = target;
      ac.dict_[c] = ac.pattern_[target] != kNoPattern ? target : ac.dict_[target];
    }
  }

  for (int b = 0; b < 256; ++b) {
    const uint32_t c = root_next[b];
    ac.root_[b] = c == 0 ? 0 : (c | (ac.HasOutput(c) ? kOutputBit : 0));
  }

  // Dense rows for the shallow nodes: a breadth-first prefix, within the depth limit and a
  // budget of 16 bytes per pattern (at least 1 MiB).
  constexpr uint32_t width = kDenseClasses;
  const size_t budget_rows = std::max<size_t>(1 << 20, 16 * patterns.size()) / (4 * width);
  uint32_t dense = 1;
  for (uint32_t d = 1; d < depth_end.size() && d <= kMaxDenseDepth; ++d) {
    const uint32_t end = d + 1 < depth_end.size() ? depth_end[d + 1] : node_count;
    if (end > budget_rows) break;
    dense = end;
  }
  ac.dense_count_ = dense;
  ac.dense_.assign(static_cast<size_t>(dense) * width, 0);
  for (uint32_t v = 0; v < dense; ++v) {
    uint32_t* row = &ac.dense_[static_cast<size_t>(v) * width];
    // Inherit the failure state's row (shallower, so already filled), then the own children.
    if (v != 0) {
      const uint32_t* fail_row = &ac.dense_[static_cast<size_t>(ac.fail_[v]) * width];
      std::copy(fail_row, fail_row + width, row);
    }
    for (uint32_t c = ac.first_child_[v]; c < ac.first_child_[v + 1]; ++c) {
      const uint32_t cls = ac.class_[ac.label_[c]];
      if (cls < width) row[cls] = c | (ac.HasOutput(c) ? kOutputBit : 0);
    }
  }
  ac.first_child_.shrink_to_fit();
  ac.label_.shrink_to_fit();
  ac.pattern_.shrink_to_fit();
  return ac;
}

size_t AhoCorasick::MemoryUsage() const {
  return sizeof(*this) + dense_.capacity() * 4 + first_child_.capacity() * 4 +
         label_.capacity() + fail_.capacity() * 4 + pattern_.capacity() * 4 +
         dict_.capacity() * 4 + pattern_length_.capacity() * 4;
}

}  // namespace ww::tagging
