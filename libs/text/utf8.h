#pragma once
// UTF-8 decoding and the character classes the tagger needs (word characters, scripts
// written without spaces). All functions are pure and thread-safe. Invalid UTF-8 is never an
// error: an invalid byte decodes as U+FFFD with length 1, so callers always make progress.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ww::text {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// One code point decoded from UTF-8 and the number of bytes it occupied (1..4).
struct DecodedCodePoint {
  char32_t cp = 0;
  uint32_t length = 0;
};

// Decodes the code point that starts at byte `pos` (requires pos < utf8.size()). Overlong
// forms, surrogates, values above U+10FFFF, truncated sequences and stray continuation bytes
// give {U+FFFD, 1}.
inline DecodedCodePoint DecodeUtf8(std::string_view utf8, size_t pos);

// Decodes the code point that ends just before byte `pos` (requires 0 < pos <= size). If the
// bytes before `pos` are not a valid sequence ending there, gives {U+FFFD, 1}.
inline DecodedCodePoint DecodeUtf8Before(std::string_view utf8, size_t pos);

// Appends the UTF-8 encoding of `cp` (U+FFFD for surrogates and values above U+10FFFF).
void AppendUtf8(char32_t cp, std::string* out);

// True for bytes 0x80..0xBF, which never start a code point.
inline bool IsUtf8Continuation(char byte) { return (static_cast<uint8_t>(byte) & 0xC0) == 0x80; }

// A "word" character for token boundaries: any letter (L*), mark (M*) or number (N*).
// Apostrophes, hyphens, punctuation, symbols and spaces are not word characters.
inline bool IsWordChar(char32_t cp);

// Script classes that change how token boundaries work.
enum class ScriptClass {
  kHan,       // Chinese characters (also used in Japanese): no spaces between words.
  kHiragana,  // no spaces between words.
  kKatakana,  // no spaces between words; includes the prolonged sound mark U+30FC.
  kHangul,    // spaces between words, but particles attach to the end of nouns.
  kOther,
};

ScriptClass GetScriptClass(char32_t cp);

// True for Han, Hiragana and Katakana: scripts written without spaces between words, where
// a match needs no token boundary on that side.
bool IsSpacelessScript(char32_t cp);

// Simple (one code point) case mapping and test: ASCII inline, the rest through ICU.
bool IsUpperCase(char32_t cp);
char32_t ToLowerCase(char32_t cp);

// Implementation details below. ASCII, most of the bytes of most texts, is decided inline;
// the rest out of line (utf8.cc), so that the callers' loops stay small.

namespace internal {
DecodedCodePoint DecodeUtf8Multibyte(std::string_view utf8, size_t pos);
DecodedCodePoint DecodeUtf8BeforeMultibyte(std::string_view utf8, size_t pos);
bool IsWordCharNonAscii(char32_t cp);
}  // namespace internal

inline DecodedCodePoint DecodeUtf8(std::string_view utf8, size_t pos) {
  const auto b0 = static_cast<uint8_t>(utf8[pos]);
  if (b0 < 0x80) return {b0, 1};
  return internal::DecodeUtf8Multibyte(utf8, pos);
}

inline DecodedCodePoint DecodeUtf8Before(std::string_view utf8, size_t pos) {
  const auto b = static_cast<uint8_t>(utf8[pos - 1]);
  if (b < 0x80) return {b, 1};
  return internal::DecodeUtf8BeforeMultibyte(utf8, pos);
}

inline bool IsWordChar(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  }
  return internal::IsWordCharNonAscii(cp);
}

}  // namespace ww::text
