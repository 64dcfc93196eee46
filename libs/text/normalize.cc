#include "libs/text/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <memory>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "libs/text/utf8.h"

namespace ww::text {
namespace {

// Normalizer singletons; owned by ICU, created once, thread-safe for concurrent use.
const icu::Normalizer2* NfkcCasefold() {
  static const icu::Normalizer2* const instance = [] {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCCasefoldInstance(err);
    return U_SUCCESS(err) ? n : nullptr;
  }();
  return instance;
}

const icu::Normalizer2* Nfd() {
  static const icu::Normalizer2* const instance = [] {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFDInstance(err);
    return U_SUCCESS(err) ? n : nullptr;
  }();
  return instance;
}

constexpr UChar32 kKeep = -1;
constexpr UChar32 kDrop = -2;

// The punctuation and whitespace part of the fold; applied before and after NFKC_Casefold.
UChar32 PreMap(UChar32 c) {
  switch (c) {
    case 0x0060:
    case 0x00B4:
    case 0x02B9:
    case 0x02BB:
    case 0x02BC:
    case 0x02BD:
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032:
    case 0x2035:
    case 0x2039:
    case 0x203A:
    case 0x05F3:
    case 0xFF07:
    case 0xFF40:
      return '\'';
    case 0x00AB:
    case 0x00BB:
    case 0x02BA:
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x2033:
    case 0x2036:
    case 0x05F4:
    case 0x301D:
    case 0x301E:
    case 0x301F:
    case 0xFF02:
      return '"';
    case 0x00AD:
      return kDrop;
    case '-':
    case 0x2212:
      return ' ';
    default:
      break;
  }
  if (c < 0x80) {
    return (c < 0x20 || c == 0x7F || c == ' ') ? ' ' : kKeep;
  }
  const uint32_t mask = U_GET_GC_MASK(c);
  if ((mask & (U_GC_PD_MASK | U_GC_CC_MASK | U_GC_ZS_MASK | U_GC_ZL_MASK | U_GC_ZP_MASK)) ||
      u_isUWhiteSpace(c)) {
    return ' ';
  }
  return kKeep;
}

// Latin letters with a stroke or similar, which have no canonical decomposition.
UChar32 StripUndecomposable(UChar32 c) {
  switch (c) {
    case 0x0142:
      return 'l';  // ł
    case 0x00F8:
      return 'o';  // ø
    case 0x0111:
      return 'd';  // đ
    case 0x0127:
      return 'h';  // ħ
    case 0x0167:
      return 't';  // ŧ
    case 0x0131:
      return 'i';  // ı
    default:
      return c;
  }
}

bool IsLatinGreekCyrillic(UChar32 c) {
  if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
  UErrorCode err = U_ZERO_ERROR;
  const UScriptCode sc = uscript_getScript(c, &err);
  return sc == USCRIPT_LATIN || sc == USCRIPT_GREEK || sc == USCRIPT_CYRILLIC;
}

bool IsMark(UChar32 c) { return (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0; }

// True if no normalisation interaction crosses the position before `c`.
bool HasBoundaryBefore(char32_t c) {
  if (c < 0x300) return true;  // nothing below the combining diacritics block combines back
  const icu::Normalizer2* n = NfkcCasefold();
  return n == nullptr || n->hasBoundaryBefore(static_cast<UChar32>(c));
}

// Folds one normalisation segment (code points between two boundaries); appends UTF-8.
void FoldSegment(const icu::UnicodeString& segment, std::string* out) {
  icu::UnicodeString pre;
  for (int32_t k = 0; k < segment.length();) {
    const UChar32 c = segment.char32At(k);
    k += U16_LENGTH(c);
    const UChar32 m = PreMap(c);
    if (m == kDrop) continue;
    pre.append(m == kKeep ? c : m);
  }
  icu::UnicodeString folded;
  UErrorCode err = U_ZERO_ERROR;
  if (const icu::Normalizer2* n = NfkcCasefold(); n != nullptr) {
    n->normalize(pre, folded, err);
  }
  if (U_FAILURE(err) || NfkcCasefold() == nullptr) folded = pre.foldCase();

  const icu::Normalizer2* nfd = Nfd();
  bool strip_marks = false;  // the preceding base is Latin/Greek/Cyrillic or a space
  for (int32_t k = 0; k < folded.length();) {
    UChar32 c = folded.char32At(k);
    k += U16_LENGTH(c);
    const UChar32 m = PreMap(c);
    if (m == kDrop) continue;
    if (m != kKeep) c = m;
    if (IsMark(c)) {
      if (!strip_marks) AppendUtf8(static_cast<char32_t>(c), out);
      continue;
    }
    const bool lgc = IsLatinGreekCyrillic(c);
    if (lgc && c >= 0x80) {
      c = StripUndecomposable(c);
      icu::UnicodeString decomposition;
      if (nfd != nullptr && nfd->getDecomposition(c, decomposition)) {
        for (int32_t d = 0; d < decomposition.length();) {
          const UChar32 dc = decomposition.char32At(d);
          d += U16_LENGTH(dc);
          if (!IsMark(dc)) AppendUtf8(static_cast<char32_t>(StripUndecomposable(dc)), out);
        }
      } else {
        AppendUtf8(static_cast<char32_t>(c), out);
      }
    } else {
      AppendUtf8(static_cast<char32_t>(c), out);
    }
    strip_marks = lgc || c == ' ';
  }
}

// Folded forms of 256 consecutive code points, each folded as a segment on its own.
// Also caches hasBoundaryBefore, the other per-code-point question of the hot loop.
struct Block {
  std::array<uint16_t, 257> offset;         // entry k is bytes[offset[k], offset[k + 1])
  std::array<uint64_t, 4> boundary_before;  // bit k: code point k has a boundary before it
  std::string bytes;
};

constexpr size_t kBlockCount = 0x110000 >> 8;
std::atomic<const Block*> g_blocks[kBlockCount];

const Block* BuildBlock(size_t index) {
  auto block = std::make_unique<Block>();
  block->boundary_before.fill(0);
  for (uint32_t k = 0; k < 256; ++k) {
    block->offset[k] = static_cast<uint16_t>(block->bytes.size());
    UChar32 c = static_cast<UChar32>((index << 8) | k);
    if (c >= 0xD800 && c <= 0xDFFF) c = kReplacementChar;  // never decoded; keep defined
    FoldSegment(icu::UnicodeString(c), &block->bytes);
    if (HasBoundaryBefore(static_cast<char32_t>(c))) {
      block->boundary_before[k >> 6] |= uint64_t{1} << (k & 63);
    }
  }
  block->offset[256] = static_cast<uint16_t>(block->bytes.size());
  return block.release();
}

const Block& GetBlock(char32_t cp) {
  const size_t index = cp >> 8;
  const Block* block = g_blocks[index].load(std::memory_order_acquire);
  if (block == nullptr) {
    const Block* built = BuildBlock(index);
    if (g_blocks[index].compare_exchange_strong(block, built, std::memory_order_acq_rel)) {
      block = built;  // blocks live for the rest of the process
    } else {
      delete built;  // another thread won; `block` now holds its pointer
    }
  }
  return *block;
}

// Returns the folded UTF-8 of `cp` when it forms a segment on its own.
std::string_view FoldedCodePoint(char32_t cp) {
  const Block& block = GetBlock(cp);
  const uint32_t k = cp & 0xFF;
  return std::string_view(block.bytes)
      .substr(block.offset[k], block.offset[k + 1] - block.offset[k]);
}

bool CachedBoundaryBefore(char32_t cp) {
  if (cp < 0x300) return true;
  const Block& block = GetBlock(cp);
  const uint32_t k = cp & 0xFF;
  return (block.boundary_before[k >> 6] >> (k & 63)) & 1;
}

// End of the run of ASCII bytes that starts at or before `i` (the first byte >= 0x80 at or
// after `i`, or n).
size_t AsciiRunEnd(const uint8_t* s, size_t i, size_t n) {
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) {
    const auto high = static_cast<uint32_t>(
        _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i))));
    if (high != 0) return i + static_cast<size_t>(std::countr_zero(high));
  }
#endif
  while (i < n && s[i] < 0x80) ++i;
  return i;
}

// Growable output for Normalize: writes through raw pointers, collapsing runs of spaces.
class Output {
 public:
  Output(Normalized& result, size_t expected) : text_(result.text), origin_(result.origin) {
    Grow(expected + 16);
  }
  // Makes room for `extra` more bytes.
  void Reserve(size_t extra) {
    if (len_ + extra > cap_) Grow(std::max(cap_ * 2, len_ + extra + 16));
  }
  // Requires Reserve(1) beforehand.
  void Put(char c, uint32_t from) {
    if (c == ' ' && last_space_) return;
    last_space_ = c == ' ';
    text_ptr_[len_] = c;
    origin_ptr_[len_] = from;
    ++len_;
  }
  // Appends ASCII input bytes [from, from + count) of `input`, folded as kAsciiFold does
  // (`fold`). Requires Reserve(count). Blocks of 16 bytes without a space to collapse are
  // folded and stored with SSE2; the rest byte by byte, branch-free (a test for spaces would
  // mispredict on every word).
  void PutAscii(const uint8_t* input, uint32_t from, size_t count,
                const std::array<char, 128>& fold) {
    char* text = text_ptr_ + len_;
    uint32_t* origin = origin_ptr_ + len_;
    size_t k = 0;
    bool last_space = last_space_;
    size_t j = 0;
#if defined(__SSE2__)
    const __m128i offsets = _mm_setr_epi32(0, 1, 2, 3);
    for (; j + 16 <= count; j += 16) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(input + j));
      // All bytes are ASCII (< 0x80), so signed compares are unsigned ones.
      const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                          _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
      v = _mm_add_epi8(v, _mm_and_si128(upper, _mm_set1_epi8('a' - 'A')));
      const __m128i control = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                           _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
      const __m128i space =
          _mm_or_si128(control, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
                                             _mm_cmpeq_epi8(v, _mm_set1_epi8(' '))));
      const auto spaces = static_cast<uint32_t>(_mm_movemask_epi8(space));
      if ((spaces & ((spaces << 1) | (last_space ? 1u : 0u))) != 0) {  // a run to collapse
        PutAsciiBytes(input + j, from + static_cast<uint32_t>(j), 16, fold, text, origin, k,
                      last_space);
        continue;
      }
      v = _mm_or_si128(_mm_andnot_si128(space, v), _mm_and_si128(space, _mm_set1_epi8(' ')));
      const __m128i grave = _mm_cmpeq_epi8(v, _mm_set1_epi8('`'));
      v = _mm_or_si128(_mm_andnot_si128(grave, v), _mm_and_si128(grave, _mm_set1_epi8('\'')));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(text + k), v);
      const __m128i base = _mm_add_epi32(_mm_set1_epi32(static_cast<int>(from + j)), offsets);
      for (int q = 0; q < 4; ++q) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(origin + k + ptrdiff_t{4} * q),
                         _mm_add_epi32(base, _mm_set1_epi32(4 * q)));
      }
      k += 16;
      last_space = (spaces >> 15) != 0;
    }
#endif
    PutAsciiBytes(input + j, from + static_cast<uint32_t>(j), count - j, fold, text, origin, k,
                  last_space);
    len_ += k;
    last_space_ = last_space;
  }
  void Put(std::string_view bytes, uint32_t from) {
    Reserve(bytes.size());
    for (char c : bytes) Put(c, from);
  }
  void Finish(uint32_t input_size) {
    text_.resize(len_);
    origin_.resize(len_ + 1);
    origin_[len_] = input_size;
  }

 private:
  static void PutAsciiBytes(const uint8_t* input, uint32_t from, size_t count,
                            const std::array<char, 128>& fold, char* text, uint32_t* origin,
                            size_t& k, bool& last_space) {
    for (size_t j = 0; j < count; ++j) {
      const char c = fold[input[j]];
      const bool space = c == ' ';
      text[k] = c;
      origin[k] = from + static_cast<uint32_t>(j);
      k += !(space & last_space);
      last_space = space;
    }
  }

  void Grow(size_t cap) {
    cap_ = cap;
    text_.resize(cap_);
    origin_.resize(cap_ + 1);
    text_ptr_ = text_.data();
    origin_ptr_ = origin_.data();
  }

  std::string& text_;
  std::vector<uint32_t>& origin_;
  char* text_ptr_ = nullptr;
  uint32_t* origin_ptr_ = nullptr;
  size_t len_ = 0;
  size_t cap_ = 0;
  bool last_space_ = false;
};

// Fold of the ASCII characters (must agree with FoldSegment): lower case, controls and '-'
// to space, '`' to apostrophe.
constexpr std::array<char, 128> MakeAsciiFold() {
  std::array<char, 128> t{};
  for (int c = 0; c < 128; ++c) {
    char f = static_cast<char>(c);
    if (c < 0x20 || c == 0x7F || c == '-') f = ' ';
    if (c >= 'A' && c <= 'Z') f = static_cast<char>(c + ('a' - 'A'));
    if (c == '`') f = '\'';
    t[c] = f;
  }
  return t;
}
constexpr std::array<char, 128> kAsciiFold = MakeAsciiFold();

}  // namespace

size_t SegmentEnd(std::string_view utf8, size_t pos) {
  size_t end = pos + DecodeUtf8(utf8, pos).length;
  while (end < utf8.size() && static_cast<uint8_t>(utf8[end]) >= 0xCC) {
    const DecodedCodePoint next = DecodeUtf8(utf8, end);
    if (CachedBoundaryBefore(next.cp)) break;
    end += next.length;
  }
  return end;
}

Normalized Normalize(std::string_view utf8) {
  Normalized result;
  NormalizeInto(utf8, &result);
  return result;
}

void NormalizeInto(std::string_view utf8, Normalized* out_ptr) {
  Normalized& result = *out_ptr;
  const size_t n = utf8.size();
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  Output out(result, n);
  size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      // Run of ASCII. Lead bytes below 0xCC encode code points below U+0300, which never
      // combine with what precedes them, so only the run's last byte may need the slow path.
      const size_t end = AsciiRunEnd(s, i + 1, n);
      const size_t fold_end =
          end < n && s[end] >= 0xCC && !CachedBoundaryBefore(DecodeUtf8(utf8, end).cp) ? end - 1
                                                                                       : end;
      out.Reserve(fold_end - i);
      out.PutAscii(s + i, static_cast<uint32_t>(i), fold_end - i, kAsciiFold);
      i = fold_end;
      if (i == n) break;
    }
    const DecodedCodePoint d = DecodeUtf8(utf8, i);
    size_t end = i + d.length;
    if (end < n && s[end] >= 0xCC) {
      DecodedCodePoint next = DecodeUtf8(utf8, end);
      if (!CachedBoundaryBefore(next.cp)) {
        // Combining sequence: fold the whole segment together through ICU.
        icu::UnicodeString segment(static_cast<UChar32>(d.cp));
        do {
          segment.append(static_cast<UChar32>(next.cp));
          end += next.length;
          if (end >= n) break;
          next = DecodeUtf8(utf8, end);
        } while (!CachedBoundaryBefore(next.cp));
        std::string folded;
        FoldSegment(segment, &folded);
        out.Put(folded, static_cast<uint32_t>(i));
        i = end;
        continue;
      }
    }
    out.Put(FoldedCodePoint(d.cp), static_cast<uint32_t>(i));
    i = end;
  }
  out.Finish(static_cast<uint32_t>(n));
}

std::string NormalizeText(std::string_view utf8) { return Normalize(utf8).text; }

std::string FoldKeepingDiacritics(std::string_view utf8) {
  icu::UnicodeString pre;
  for (size_t i = 0; i < utf8.size();) {
    const DecodedCodePoint d = DecodeUtf8(utf8, i);
    i += d.length;
    const UChar32 m = PreMap(static_cast<UChar32>(d.cp));
    if (m != kDrop) pre.append(m == kKeep ? static_cast<UChar32>(d.cp) : m);
  }
  icu::UnicodeString folded;
  UErrorCode err = U_ZERO_ERROR;
  if (const icu::Normalizer2* n = NfkcCasefold(); n != nullptr) n->normalize(pre, folded, err);
  if (U_FAILURE(err) || NfkcCasefold() == nullptr) folded = pre.foldCase();
  std::string out;
  bool last_space = false;
  for (int32_t k = 0; k < folded.length();) {
    UChar32 c = folded.char32At(k);
    k += U16_LENGTH(c);
    const UChar32 m = PreMap(c);
    if (m == kDrop) continue;
    if (m != kKeep) c = m;
    if (c == ' ' && last_space) continue;
    last_space = c == ' ';
    AppendUtf8(static_cast<char32_t>(c), &out);
  }
  return out;
}

std::string CaseSignature(std::string_view utf8) {
  std::string out;
  for (size_t i = 0; i < utf8.size();) {
    const DecodedCodePoint d = DecodeUtf8(utf8, i);
    i += d.length;
    const UChar32 c = static_cast<UChar32>(d.cp);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') out.push_back('U');
      if (c >= 'a' && c <= 'z') out.push_back('l');
    } else if (u_isupper(c) || u_istitle(c)) {
      out.push_back('U');
    } else if (u_islower(c)) {
      out.push_back('l');
    }
  }
  return out;
}

CaseBits CaseBitsOf(std::string_view utf8) {
  CaseBits out;
  bool word_start = true;
  auto letter = [&](bool upper) {
    if (out.letters < 64) {
      if (upper) out.upper |= uint64_t{1} << out.letters;
      if (word_start) out.initial |= uint64_t{1} << out.letters;
    }
    ++out.letters;
    word_start = false;
  };
  for (size_t i = 0; i < utf8.size();) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    if (b < 0x80) {
      if (b >= 'A' && b <= 'Z') letter(true);
      if (b >= 'a' && b <= 'z') letter(false);
      if (b == ' ' || b == '\t' || b == '\n' || b == '\r') word_start = true;
      ++i;
      continue;
    }
    const DecodedCodePoint d = DecodeUtf8(utf8, i);
    i += d.length;
    const UChar32 c = static_cast<UChar32>(d.cp);
    if (u_isupper(c) || u_istitle(c)) {
      letter(true);
    } else if (u_islower(c)) {
      letter(false);
    } else if (u_isUWhiteSpace(c)) {
      word_start = true;
    }
  }
  return out;
}

}  // namespace ww::text
