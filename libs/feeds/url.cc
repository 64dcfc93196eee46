#include "libs/feeds/url.h"

#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/url/url.h"

namespace ww::feeds {
namespace {

bool IsTrackingParam(absl::string_view key) {
  static constexpr absl::string_view kExact[] = {
      "fbclid",        "gclid",      "gclsrc",      "dclid",      "gbraid",   "wbraid",
      "msclkid",       "mc_cid",     "mc_eid",      "yclid",      "igshid",   "_ga",
      "_gl",           "_hsenc",     "_hsmi",       "__hssc",     "__hstc",   "__hsfp",
      "hsctatracking", "mkt_tok",    "oly_anon_id", "oly_enc_id", "vero_id",  "vero_conv",
      "wickedid",      "rb_clickid", "s_cid",       "twclid",     "ttclid",   "li_fat_id",
      "srsltid",       "_openstat",  "cmpid",       "ncid",       "sr_share",
  };
  std::string lower = absl::AsciiStrToLower(key);
  if (absl::StartsWith(lower, "utm_")) return true;
  for (absl::string_view k : kExact) {
    if (lower == k) return true;
  }
  return false;
}

// Uppercases the two hex digits of each %XX escape (RFC 3986 6.2.2.1).
std::string UpperEscapes(absl::string_view s) {
  std::string out(s);
  for (size_t i = 0; i + 2 < out.size(); ++i) {
    if (out[i] == '%' && absl::ascii_isxdigit(out[i + 1]) && absl::ascii_isxdigit(out[i + 2])) {
      out[i + 1] = absl::ascii_toupper(out[i + 1]);
      out[i + 2] = absl::ascii_toupper(out[i + 2]);
      i += 2;
    }
  }
  return out;
}

}  // namespace

std::string CanonicalUrl(std::string_view input) {
  std::string s;
  for (char c : absl::StripAsciiWhitespace(absl::string_view(input.data(), input.size()))) {
    if (c != '\t' && c != '\n' && c != '\r') s.push_back(c);
  }
  absl::StatusOr<url::Url> parsed = url::Url::Parse(s);
  if (!parsed.ok()) return s;  // "urn:...", a relative reference: nothing to canonicalise
  url::Url& u = *parsed;
  std::string host = absl::AsciiStrToLower(u.host());
  if (host.size() > 1 && host.back() == '.') host.pop_back();
  u.set_host(host);
  const std::string scheme = u.scheme(), port = u.port();
  if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) u.set_port("");
  u.set_fragment("");
  const std::string query = u.query();
  std::vector<absl::string_view> kept;
  for (absl::string_view param : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    if (!IsTrackingParam(param.substr(0, param.find('=')))) kept.push_back(param);
  }
  u.set_query(absl::StrJoin(kept, "&"));
  // After libcurl, which writes escapes in lowercase.
  return UpperEscapes(u.ToString());
}

}  // namespace ww::feeds
