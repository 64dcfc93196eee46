// URL canonicalisation, so that the same article reached through different links compares equal.
#ifndef WW_LIBS_FEEDS_URL_H_
#define WW_LIBS_FEEDS_URL_H_

#include <string>
#include <string_view>

namespace ww::feeds {

// Canonical form of an absolute URL (parsed by ww::url, libcurl's URL API): surrounding
// whitespace and embedded tabs/newlines removed, scheme and host lowercased, dot segments
// removed ("/a/../b" is "/b"), a trailing dot on the host dropped, default port dropped (80 for
// http, 443 for https), empty http(s) path becomes "/", percent escapes uppercased, fragment
// dropped, tracking query parameters dropped (utm_*, fbclid, gclid, gclsrc, dclid, gbraid,
// wbraid, msclkid, mc_cid, mc_eid, yclid, igshid, _ga, _gl, _hsenc, _hsmi, mkt_tok, ...), the
// remaining parameters kept in their order. What is not an absolute URL with an authority
// ("urn:...", "mailto:...", a relative reference) is returned trimmed but otherwise unchanged.
// Never fails; pure and thread-safe.
std::string CanonicalUrl(std::string_view url);

}  // namespace ww::feeds

#endif  // WW_LIBS_FEEDS_URL_H_
