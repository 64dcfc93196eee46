#pragma once
// The matching fold: turns UTF-8 text into a canonical form in which spelling variants that
// readers consider the same name compare equal byte for byte, and keeps a map from every
// folded byte back to the original bytes so matches can be reported on the original text.
//
// Fold applied, in this order, code point by code point (combining sequences together):
//   * U+00AD soft hyphen and other default-ignorable code points (ZWSP, ZWJ, BOM ...) removed;
//   * all apostrophes and single quotes (’ ‘ ‚ ‛ ʼ ʻ ′ ‵ ` ´ ＇ ‹ ›) become ', all double quotes
//     (“ ” „ ‟ « » ″ ＂ 〝 〞) become ";
//   * all hyphens and dashes (- and every Dash_Punctuation character: U+2010..U+2015, U+FE58,
//     U+FE63, U+FF0D, ...) and U+2212 minus become a SPACE. Deliberate: the folded text has
//     a single separator, so "Kim Jong-un", "Kim Jong‐un" and "Kim Jong Un" fold alike;
//   * whitespace (White_Space) and control characters become a space;
//   * NFKC with full case folding (ICU's NFKC_Casefold): full-width forms, ligatures,
//     compatibility characters and case all fold, e.g. "ＰＵＴＩＮ" -> "putin", "ß" -> "ss";
//   * diacritics removed from Latin, Greek and Cyrillic letters (é->e, ё->е, й->и, ά->α),
//     plus ł->l, ø->o, đ->d, ħ->h, ŧ->t, ı->i, which have no decomposition;
//   * runs of spaces collapsed to one ' ' (a leading or trailing space is kept, as one).
// Invalid UTF-8 bytes become U+FFFD, one per byte. Other scripts (Han, Kana, Hangul,
// Arabic ...) keep their composed NFKC form.
//
// Thread-safe: the fold tables are built lazily, once per 256-code-point block, and are
// immutable afterwards. Inputs must be shorter than 4 GiB (offsets are 32-bit).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ww::text {

// Folded form of a UTF-8 string used for matching, with a map back to the original bytes.
struct Normalized {
  // Folded UTF-8 (always valid UTF-8).
  std::string text;
  // origin[i]: byte offset in the input of the code point that produced folded byte i; when
  // a combining sequence folds as a unit (e.g. "e" + U+0301 -> "e"), all its output bytes map
  // to the sequence's first code point. Non-decreasing. origin.size() == text.size() + 1 and
  // origin.back() == input size, so [origin[a], origin[b]) is the original span of folded
  // bytes [a, b) including anything dropped between them; use SegmentEnd() for a tight end.
  std::vector<uint32_t> origin;
};

// Folds `utf8` as described above. Never fails.
Normalized Normalize(std::string_view utf8);

// Same as Normalize, into `out` (overwritten), reusing its buffers: no allocation once
// `out` has held a text this long. For hot loops.
void NormalizeInto(std::string_view utf8, Normalized* out);

// Convenience: Normalize(utf8).text.
std::string NormalizeText(std::string_view utf8);

// End (exclusive byte offset) of the unit Normalize folds together that starts at byte
// `pos` of `utf8`: the code point at `pos` plus following code points that combine with it
// (combining marks, Hangul jamo). For a match whose last folded byte is j, the original span
// ends at SegmentEnd(input, origin[j]). Requires pos < utf8.size().
size_t SegmentEnd(std::string_view utf8, size_t pos);

// The fold above WITHOUT the diacritic removal: quotes, hyphens, whitespace, ignorables,
// NFKC and case folding as Normalize, but "Gómez" stays "gómez" (in NFC). For checking
// aliases that must keep their diacritics; slower than Normalize (one ICU call per string).
std::string FoldKeepingDiacritics(std::string_view utf8);

// Case of the cased letters of `utf8`, in order: 'U' for an upper- or title-case letter, 'l'
// for a lower-case one; other code points are skipped. "US" -> "UU", "Us" -> "Ul", "U.S." ->
// "UU", "金" -> "". Used to check case-sensitive aliases on the original text.
std::string CaseSignature(std::string_view utf8);

// CaseSignature as bits, without allocating: bit i of `upper` is set when the i-th cased
// letter is upper- or title-case (the first 64 letters); `letters` counts all cased letters.
// `initial`: bit i set when the i-th cased letter begins a word (first in the string or
// after white space; a hyphen or an apostrophe does not begin one: "Jong-un").
struct CaseBits {
  uint64_t upper = 0;
  uint64_t initial = 0;
  uint32_t letters = 0;
};
CaseBits CaseBitsOf(std::string_view utf8);

}  // namespace ww::text
