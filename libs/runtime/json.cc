#include "libs/runtime/json.h"

#include "absl/strings/str_format.h"
// The project's one strict UTF-8 decoder (header-only: inline).
#include "libs/text/utf8.h"

namespace ww::runtime {

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      default: break;
    }
    if (c < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
      ++i;
      continue;
    }
    const text::DecodedCodePoint d = text::DecodeUtf8(s, i);
    if (d.cp == text::kReplacementChar && d.length == 1) {
      out += "\xEF\xBF\xBD";  // invalid: overlong, surrogate, > U+10FFFF, truncated, stray
    } else {
      out.append(s.substr(i, d.length));
    }
    i += d.length;
  }
  out += '"';
  return out;
}

}  // namespace ww::runtime
