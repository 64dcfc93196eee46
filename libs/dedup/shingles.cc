#include "libs/dedup/shingles.h"

#include <emmintrin.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "libs/runtime/ids.h"
#include "libs/text/normalize.h"
#include "libs/text/utf8.h"

namespace ww::dedup {
namespace {

constexpr std::array<bool, 128> MakeAsciiWord() {
  std::array<bool, 128> t{};
  for (int c = 0; c < 128; ++c) {
    t[c] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
  }
  return t;
}
constexpr std::array<bool, 128> kAsciiWord = MakeAsciiWord();

// Calls word(begin, end) for every word of the folded text `s`.
template <typename Fn>
void ForEachWord(std::string_view s, Fn&& word) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      if (!kAsciiWord[p[i]]) {
        ++i;
        continue;
      }
    }
    // A word: ASCII letters and digits and non-ASCII word characters, up to a separator or
    // a character of a spaceless script, which is a word on its own.
    const size_t begin = i;
    while (i < n) {
      if (p[i] < 0x80) {
        if (!kAsciiWord[p[i]]) break;
        ++i;
        continue;
      }
      const text::DecodedCodePoint d = text::DecodeUtf8(s, i);
      if (text::IsSpacelessScript(d.cp)) {
        if (i > begin) break;  // ends the word before it
        i += d.length;         // the character alone
        break;
      }
      if (!text::IsWordChar(d.cp)) break;
      i += d.length;
    }
    if (i > begin) {
      word(s.substr(begin, i - begin));
    } else {
      i += text::DecodeUtf8(s, i).length;  // a non-word character
    }
  }
}

// Eight bytes at a time (little-endian), so most words take one mixing step. kPadded: the
// buffer is readable 8 bytes past the end, so the tail is one load; else byte by byte.
template <bool kPadded>
inline uint64_t HashBytes(const unsigned char* p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL ^ n;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t chunk;
    std::memcpy(&chunk, p, 8);
    h = runtime::Mix64(h ^ chunk);
  }
  uint64_t tail = 0;
  if constexpr (kPadded) {
    std::memcpy(&tail, p, 8);
    tail &= n == 0 ? 0 : ~uint64_t{0} >> (64 - 8 * n);
  } else {
    for (size_t j = 0; j < n; ++j) tail |= uint64_t{p[j]} << (8 * j);
  }
  return runtime::Mix64(h ^ tail ^ 0x100000001b3ULL);
}

// Bit i set when p[i] is an ASCII letter or digit, for 16 bytes. Bytes >= 0x80 are negative
// as signed bytes and fall outside every range.
inline uint32_t AsciiWordMask16(const unsigned char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const auto in = [&v](char lo, char hi) {
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
  };
  return static_cast<uint32_t>(
      _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(in('a', 'z'), in('A', 'Z')), in('0', '9'))));
}

// ForEachWord for ASCII text in a buffer with 64 zero bytes after its `n` bytes: words are
// runs of letters and digits, found 64 bytes at a time from a bit mask (no branch per
// byte). word(begin, length).
template <typename Fn>
void ForEachAsciiWord(const unsigned char* p, size_t n, Fn&& word) {
  size_t start = 0;
  uint64_t carry = 0;  // 1 when a word runs into the block
  for (size_t off = 0; off < n; off += 64) {
    const uint64_t m = uint64_t{AsciiWordMask16(p + off)} |
                       uint64_t{AsciiWordMask16(p + off + 16)} << 16 |
                       uint64_t{AsciiWordMask16(p + off + 32)} << 32 |
                       uint64_t{AsciiWordMask16(p + off + 48)} << 48;
    for (uint64_t edges = m ^ ((m << 1) | carry); edges != 0; edges &= edges - 1) {
      const int b = std::countr_zero(edges);
      if ((m >> b) & 1) {
        start = off + static_cast<size_t>(b);
      } else {
        word(start, off + static_cast<size_t>(b) - start);
      }
    }
    carry = m >> 63;
  }
  if (carry) word(start, n - start);
}

// The word hashes are mixed already: rotate each by its position, combine, mix once.
inline uint64_t ShingleOf(const uint64_t* words, int k) {
  uint64_t x = 0x9e3779b97f4a7c15ULL ^ static_cast<uint64_t>(k);
  for (int j = 0; j < k; ++j) x ^= std::rotl(words[j], (j * 21) & 63);
  return runtime::Mix64(x);
}

}  // namespace

uint64_t WordHash(std::string_view word) {
  return HashBytes<false>(reinterpret_cast<const unsigned char*>(word.data()), word.size());
}

void ShingleHashes(std::string_view text, int words, std::vector<uint64_t>* out) {
  thread_local text::Normalized folded;
  thread_local std::vector<uint64_t> window;  // the word hashes of the text
  thread_local std::vector<unsigned char> padded;
  out->clear();
  window.clear();
  const int k = std::max(1, words);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    text::NormalizeInto(line, &folded);
    const std::string& f = folded.text;
    // Copied with zero padding, so blocks and word tails are read whole; ASCII is the
    // common case and takes the fast path.
    padded.resize(f.size() + 64);
    std::memcpy(padded.data(), f.data(), f.size());
    std::memset(padded.data() + f.size(), 0, 64);
    uint32_t high = 0;
    for (size_t i = 0; i < f.size(); i += 16) {
      high |= static_cast<uint32_t>(
          _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(padded.data() + i))));
    }
    const auto add = [&](uint64_t word_hash) {
      window.push_back(word_hash);
      if (window.size() >= static_cast<size_t>(k)) {
        out->push_back(ShingleOf(window.data() + window.size() - k, k));
      }
    };
    if (high == 0) {
      ForEachAsciiWord(padded.data(), f.size(), [&](size_t begin, size_t length) {
        add(HashBytes<true>(padded.data() + begin, length));
      });
    } else {
      ForEachWord(f, [&](std::string_view w) {
        add(HashBytes<false>(reinterpret_cast<const unsigned char*>(w.data()), w.size()));
      });
    }
  }
  if (out->empty() && !window.empty()) {
    out->push_back(ShingleOf(window.data(), static_cast<int>(window.size())));
  }
}

}  // namespace ww::dedup
