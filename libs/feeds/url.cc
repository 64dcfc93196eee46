#include "libs/feeds/url.h"

#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ww::feeds {
namespace {

bool IsTrackingParam(absl::string_view key) {
  static constexpr absl::string_view kExact[] = {
      "fbclid",    "gclid",      "gclsrc",     "dclid",    "gbraid",    "wbraid",
      "msclkid",   "mc_cid",     "mc_eid",     "yclid",    "igshid",    "_ga",
      "_gl",       "_hsenc",     "_hsmi",      "__hssc",   "__hstc",    "__hsfp",
      "hsctatracking", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv",
      "wickedid",  "rb_clickid", "s_cid",      "twclid",   "ttclid",    "li_fat_id",
      "srsltid",   "_openstat",  "cmpid",      "ncid",     "sr_share",
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
  absl::string_view url(input.data(), input.size());
  std::string s;
  for (char c : absl::StripAsciiWhitespace(url)) {
    if (c != '\t' && c != '\n' && c != '\r') s.push_back(c);
  }
  // Scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
  size_t colon = s.find(':');
  if (colon == std::string::npos || colon == 0 || !absl::ascii_isalpha(s[0])) return s;
  for (size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!absl::ascii_isalnum(c) && c != '+' && c != '-' && c != '.') return s;
  }
  std::string scheme = absl::AsciiStrToLower(absl::string_view(s).substr(0, colon));
  absl::string_view rest = absl::string_view(s).substr(colon + 1);
  if (size_t hash = rest.find('#'); hash != absl::string_view::npos) rest = rest.substr(0, hash);

  std::string out = scheme + ":";
  bool http = scheme == "http" || scheme == "https";
  if (absl::StartsWith(rest, "//")) {
    rest.remove_prefix(2);
    size_t end = rest.find_first_of("/?");
    absl::string_view authority = rest.substr(0, end);
    rest = end == absl::string_view::npos ? absl::string_view() : rest.substr(end);
    std::string userinfo;
    if (size_t at = authority.rfind('@'); at != absl::string_view::npos) {
      userinfo = std::string(authority.substr(0, at + 1));
      authority.remove_prefix(at + 1);
    }
    absl::string_view host = authority;
    absl::string_view port;
    size_t port_colon = authority.rfind(':');
    size_t bracket = authority.rfind(']');
    if (port_colon != absl::string_view::npos &&
        (bracket == absl::string_view::npos || port_colon > bracket)) {
      host = authority.substr(0, port_colon);
      port = authority.substr(port_colon + 1);
    }
    std::string lhost = absl::AsciiStrToLower(host);
    if (lhost.size() > 1 && lhost.back() == '.') lhost.pop_back();
    while (port.size() > 1 && port[0] == '0') port.remove_prefix(1);
    bool default_port = port.empty() || (scheme == "http" && port == "80") ||
                        (scheme == "https" && port == "443");
    out += "//" + userinfo + lhost;
    if (!default_port) out += ":" + std::string(port);
  }
  absl::string_view path = rest;
  absl::string_view query;
  bool has_query = false;
  if (size_t q = rest.find('?'); q != absl::string_view::npos) {
    path = rest.substr(0, q);
    query = rest.substr(q + 1);
    has_query = true;
  }
  if (path.empty() && http) {
    out += "/";
  } else {
    out += UpperEscapes(path);
  }
  if (has_query) {
    std::vector<absl::string_view> kept;
    for (absl::string_view param : absl::StrSplit(query, '&', absl::SkipEmpty())) {
      absl::string_view key = param.substr(0, param.find('='));
      if (!IsTrackingParam(key)) kept.push_back(param);
    }
    if (!kept.empty()) out += "?" + UpperEscapes(absl::StrJoin(kept, "&"));
  }
  return out;
}

}  // namespace ww::feeds
