#include "libs/text/utf8.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>

namespace ww::text {

namespace internal {

DecodedCodePoint DecodeUtf8Multibyte(std::string_view utf8, size_t pos) {
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data()) + pos;
  const size_t avail = utf8.size() - pos;
  const uint8_t b0 = s[0];
  constexpr DecodedCodePoint kInvalid{kReplacementChar, 1};
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (avail < 2 || (s[1] & 0xC0) != 0x80) return kInvalid;
    return {static_cast<char32_t>(((b0 & 0x1F) << 6) | (s[1] & 0x3F)), 2};
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return kInvalid;
    const char32_t cp = ((b0 & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalid;
    return {cp, 3};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (avail < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) {
      return kInvalid;
    }
    const char32_t cp =
        ((b0 & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    if (cp < 0x10000 || cp > 0x10FFFF) return kInvalid;
    return {cp, 4};
  }
  return kInvalid;
}

DecodedCodePoint DecodeUtf8BeforeMultibyte(std::string_view utf8, size_t pos) {
  size_t start = pos - 1;
  while (start > 0 && pos - start < 4 && IsUtf8Continuation(utf8[start])) --start;
  DecodedCodePoint d = DecodeUtf8(utf8, start);
  if (start + d.length == pos) return d;
  return {kReplacementChar, 1};
}

bool IsWordCharNonAscii(char32_t cp) {
  const uint32_t mask = U_GET_GC_MASK(static_cast<UChar32>(cp));
  return (mask & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK)) != 0;
}

}  // namespace internal

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
    return;
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacementChar;
  char buf[4];
  size_t len;
  if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 2;
  } else if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 3;
  } else {
    buf[0] = static_cast<char>(0xF0 | (cp >> 18));
    buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 4;
  }
  out->append(buf, len);
}

ScriptClass GetScriptClass(char32_t cp) {
  if (cp < 0x1100) return ScriptClass::kOther;  // below Hangul Jamo: none of the classes
  // Prolonged sound marks and (semi-)voiced sound marks have Script=Common but are kana.
  if (cp == 0x30FC || cp == 0xFF70) return ScriptClass::kKatakana;
  if (cp == 0x309B || cp == 0x309C) return ScriptClass::kHiragana;
  UErrorCode err = U_ZERO_ERROR;
  switch (uscript_getScript(static_cast<UChar32>(cp), &err)) {
    case USCRIPT_HAN:
      return ScriptClass::kHan;
    case USCRIPT_HIRAGANA:
      return ScriptClass::kHiragana;
    case USCRIPT_KATAKANA:
      return ScriptClass::kKatakana;
    case USCRIPT_HANGUL:
      return ScriptClass::kHangul;
    default:
      return ScriptClass::kOther;
  }
}

bool IsUpperCase(char32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z';
  return u_isupper(static_cast<UChar32>(cp)) != 0 || u_istitle(static_cast<UChar32>(cp)) != 0;
}

char32_t ToLowerCase(char32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + ('a' - 'A') : cp;
  return static_cast<char32_t>(u_tolower(static_cast<UChar32>(cp)));
}

bool IsSpacelessScript(char32_t cp) {
  const ScriptClass c = GetScriptClass(cp);
  return c == ScriptClass::kHan || c == ScriptClass::kHiragana || c == ScriptClass::kKatakana;
}

}  // namespace ww::text
