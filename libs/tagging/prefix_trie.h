#pragma once
// A byte trie over the folded aliases, walked by Matcher from each position where a match may
// start: Walk reports every pattern that is a prefix of the text at that position, shortest
// first. No failure links: the matcher only starts walks at token starts (see matcher.h), so
// a walk is bounded by the longest pattern and touches a handful of nodes. Internal to
// ww::tagging but self-contained.
//
// Layout (compact, no pointers): nodes are numbered in breadth-first order of the trie built
// from the sorted patterns, so the children of node v are the consecutive nodes
// [first_child, next node's first_child) and each node's incoming byte sits in label_
// (sorted among siblings). A node whose subtree holds a single longer pattern has no children:
// it keeps the rest of that pattern as a "tail" (compared 8 bytes at a time), which
// removes the long single-pattern chains that make up most of a trie over names.
// Per node: 12 bytes (first child, pattern, tail) + 1 byte label; per tail 8 bytes (pattern,
// length) + its bytes, stored together so a walk reaches a tail with one more cache miss.
//
// Speed: MayStartWithWord rejects most starts in spaced scripts without touching the trie.
// The root has a 256-entry table, and the shallow nodes (a breadth-first prefix,
// within a budget of 16 bytes per pattern, at least 1 MiB) a dense row over the 63 bytes most
// used in the patterns, so the first steps of a walk, where nearly all walks end, are one
// table load each. Deeper nodes and rarer bytes take a short linear scan or a binary search
// over the children's labels.
//
// Immutable after Build; Walk is const and safe to call from many threads at once.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ww::tagging {

// The first byte at or after `i` that is not an ASCII letter or digit (absl::ascii_isalnum:
// the word characters whose runs MayStartWithWord looks at), or n.
inline size_t AsciiWordEnd(const uint8_t* bytes, size_t i, size_t n) {
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) {  // 16 bytes at a time: words are short, one step is usual
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i));
    // Unsigned range tests x - lo < width, as signed compares after a shift by 128.
    const __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    const __m128i letter = _mm_cmplt_epi8(_mm_sub_epi8(lower, _mm_set1_epi8('a' ^ 0x80)),
                                          _mm_set1_epi8(static_cast<char>(26 ^ 0x80)));
    const __m128i digit = _mm_cmplt_epi8(_mm_sub_epi8(v, _mm_set1_epi8('0' ^ 0x80)),
                                         _mm_set1_epi8(static_cast<char>(10 ^ 0x80)));
    const uint32_t other =
        ~static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(letter, digit))) & 0xFFFFu;
    if (other != 0) return i + static_cast<size_t>(std::countr_zero(other));
  }
#endif
  while (i < n && absl::ascii_isalnum(bytes[i])) ++i;
  return i;
}

class PrefixTrie {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  PrefixTrie();

  // Builds the trie. Pattern ids are indices into `patterns`; patterns must be non-empty and
  // distinct (the caller dedupes). Total pattern bytes must stay below 2 GiB (node ids and
  // tail offsets are 31 and 32 bits). `lowercase_ok[id]`: the pattern may match text written
  // with a lowercase first letter (see MayStartWithWord); empty: every pattern may.
  static PrefixTrie Build(const std::vector<std::string_view>& patterns,
                          const std::vector<bool>& lowercase_ok = {});

  // True if some pattern starts with `byte`: a cheap test before Walk.
  bool MayStartWith(uint8_t byte) const { return root_[byte] != 0; }

  // For a start at an ASCII letter or digit, given `hash` = WordHash(text, start, end) where
  // text[start, end) is the maximal run of ASCII letters and digits there (AsciiWordEnd).
  // False if no pattern can match at that start, because every pattern that starts with an
  // ASCII letter or digit starts with a different such run (a pattern goes on after its run
  // with another byte, or ends and then needs a boundary there). May be true when no pattern
  // matches (a hashed bitmap of the patterns' leading runs, a few % false positives): a
  // cache-resident test that spares most walks in spaced scripts. (Also testing the first
  // two runs measured no faster at 100k-119k aliases.)
  // `lowercase`: the text is written with a lowercase first letter there; then also false
  // when no pattern with this leading run is marked `lowercase_ok` at Build (a big
  // watchlist's names lead with "of", "the", "said": as prose writes them, they are no
  // names, and a third of a text's words would otherwise be walked).
  // The hash is the caller's so that a scan can PrefetchWord the next run's line first.
  bool MayStartWithWord(uint64_t hash, bool lowercase = false) const {
    const uint64_t mask = WordMask(hash);
    const uint64_t* pair = &word_bits_[(hash >> word_shift_) * 2];
    return (pair[0] & mask) == mask && (!lowercase || (pair[1] & mask) == mask);
  }
  void PrefetchWord(uint64_t hash) const {
    __builtin_prefetch(&word_bits_[(hash >> word_shift_) * 2]);
  }

  // Hash of text[start, end) from its first 16 bytes and its length (MayStartWithWord).
  static uint64_t WordHash(std::string_view text, size_t start, size_t end) {
    uint64_t lo = 0, hi = 0;
    if (text.size() - start >= 16) {  // the usual case: two fixed-size loads
      std::memcpy(&lo, text.data() + start, 8);
      std::memcpy(&hi, text.data() + start + 8, 8);
    } else {
      char buffer[16] = {};
      std::memcpy(buffer, text.data() + start, text.size() - start);
      std::memcpy(&lo, buffer, 8);
      std::memcpy(&hi, buffer + 8, 8);
    }
    const size_t len = end - start;
    const size_t kept = len < 16 ? len : 16;  // bytes of the word among the 16 loaded
    lo &= kLowMask[kept];
    hi &= kLowMask[kept < 8 ? 0 : kept - 8];
    return ((lo * 0x9E3779B97F4A7C15ull) ^ (hi * 0xC2B2AE3D27D4EB4Full) ^ len) *
           0xFF51AFD7ED558CCDull;
  }
  // Calls on_prefix(pattern_id, end) for every pattern equal to text[start, end), in
  // increasing `end` order. Requires start < text.size(). No allocation.
  template <typename OnPrefix>
  void Walk(std::string_view text, size_t start, OnPrefix&& on_prefix) const;

  size_t pattern_count() const { return pattern_count_; }
  size_t node_count() const { return label_.size(); }
  size_t tail_count() const { return tail_count_; }
  // Approximate heap bytes used by the trie.
  size_t MemoryUsage() const;

 private:
  // Build's phases, in order.
  void BuildNodes(const std::vector<std::string_view>& patterns,
                  const std::vector<uint32_t>& order);
  void AssignByteClasses();
  void BuildDenseRows();
  void BuildWordFilter(const std::vector<std::string_view>& patterns,
                       const std::vector<bool>& lowercase_ok);

  static constexpr uint32_t kDenseClasses = 64;
  // In root_ and dense_ entries, above the node id: the node ends a pattern or has a tail, so
  // the walk must read it. Other nodes are only passed through.
  static constexpr uint32_t kReadBit = 0x80000000u;
  static constexpr uint32_t kIdMask = ~kReadBit;

  // Two blocked Bloom filters, interleaved: a WordHash's top bits pick a pair of 64-bit
  // words (one cache line), the next twelve two bits in each: the first of the pair holds
  // every pattern's leading run, the second those of the lowercase_ok patterns. (2 bits
  // rather than 1 per pattern: ~5% false positives instead of ~12% at the same size.)
  uint64_t WordMask(uint64_t hash) const {
    return (uint64_t{1} << ((hash >> (word_shift_ - 6)) & 63)) |
           (uint64_t{1} << ((hash >> (word_shift_ - 12)) & 63));
  }
  void SetBit(uint64_t hash, bool lowercase_ok) {
    uint64_t* pair = &word_bits_[(hash >> word_shift_) * 2];
    pair[0] |= WordMask(hash);
    if (lowercase_ok) pair[1] |= WordMask(hash);
  }
  // kLowMask[k]: the low k bytes of a little-endian load (k >= 8: all).
  static constexpr std::array<uint64_t, 17> kLowMask = [] {
    std::array<uint64_t, 17> m{};
    for (size_t k = 0; k < m.size(); ++k) {
      m[k] = k >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * k)) - 1;
    }
    return m;
  }();

  // Entry for node v in root_/dense_: the id, and kReadBit if the walk must read the node.
  uint32_t Entry(uint32_t v) const {
    return v | (nodes_[v].pattern != kNone || nodes_[v].tail != kNone ? kReadBit : 0);
  }

  struct Node {
    uint32_t first_child;  // children: [first_child, nodes_[v + 1].first_child)
    uint32_t pattern;      // pattern ending at this node, or kNone
    uint32_t tail;         // offset of its tail in tails_, or kNone (then no children)
  };

  uint32_t Child(uint32_t node, uint8_t byte) const;
  // memcmp(a, b, len) == 0 for short tails, without a library call.
  static bool SameBytes(const uint8_t* a, const char* b, size_t len) {
    for (; len >= 8; a += 8, b += 8, len -= 8) {
      uint64_t x, y;
      std::memcpy(&x, a, 8);
      std::memcpy(&y, b, 8);
      if (x != y) return false;
    }
    for (size_t k = 0; k < len; ++k) {
      if (a[k] != static_cast<uint8_t>(b[k])) return false;
    }
    return true;
  }

  std::array<uint16_t, 256> class_;  // byte -> class; 0: the byte is in no label
  std::array<uint32_t, 256> root_;   // Entry of the root's child for each byte, 0 if none
  uint32_t dense_count_ = 1;         // nodes [0, dense_count_) have a row in dense_
  std::vector<uint32_t> dense_;      // row-major: Entry of the child, 0 if none
  std::vector<uint64_t> word_bits_;  // the filters of MayStartWithWord (SetBit)
  uint32_t word_shift_ = 63;         // the top 64 - word_shift_ bits of a hash pick a pair
  std::vector<Node> nodes_;          // node_count() + 1 (a sentinel with the children end)
  std::vector<uint8_t> label_;       // incoming byte of each node
  std::string tails_;                // per tail: pattern id (4 bytes), length (4), the bytes
  size_t tail_count_ = 0;
  size_t pattern_count_ = 0;
};

inline uint32_t PrefixTrie::Child(uint32_t node, uint8_t byte) const {
  uint32_t lo = nodes_[node].first_child;
  uint32_t hi = nodes_[node + 1].first_child;
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

template <typename OnPrefix>
void PrefixTrie::Walk(std::string_view text, size_t start, OnPrefix&& on_prefix) const {
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  const uint32_t* dense = dense_.data();
  uint32_t entry = root_[bytes[start]];
  size_t pos = start + 1;
  while (entry != 0) {
    const uint32_t v = entry & kIdMask;
    if (entry & kReadBit) {
      const Node& node = nodes_[v];
      if (node.pattern != kNone) on_prefix(node.pattern, pos);
      if (node.tail != kNone) {
        const char* tail = tails_.data() + node.tail;
        uint32_t pattern, len;
        std::memcpy(&pattern, tail, 4);
        std::memcpy(&len, tail + 4, 4);
        if (n - pos >= len && SameBytes(bytes + pos, tail + 8, len)) on_prefix(pattern, pos + len);
        return;
      }
    }
    if (pos == n) return;
    const uint8_t b = bytes[pos++];
    const uint32_t cls = class_[b];
    if (cls == 0) return;
    if (cls < kDenseClasses && v < dense_count_) {
      entry = dense[static_cast<size_t>(v) * kDenseClasses + cls];
    } else {
      const uint32_t child = Child(v, b);
      entry = child == 0 ? 0 : Entry(child);
    }
  }
}

}  // namespace ww::tagging
