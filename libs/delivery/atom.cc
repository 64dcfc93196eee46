#include "libs/delivery/atom.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/delivery/payload.h"
#include "libs/text/utf8.h"

namespace ww::delivery {
namespace {

// XML 1.0 character data: &, <, > and quotes escaped; code points XML does not allow (C0
// controls other than tab, LF and CR; U+FFFE, U+FFFF) dropped; invalid UTF-8 as U+FFFD (the
// project's one decoder, libs/text).
std::string Xml(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size();) {
    const text::DecodedCodePoint d = text::DecodeUtf8(s, i);
    i += d.length;
    switch (d.cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if ((d.cp < 0x20 && d.cp != '\t' && d.cp != '\n' && d.cp != '\r') || d.cp == 0xFFFE ||
            d.cp == 0xFFFF) {
          break;
        }
        text::AppendUtf8(d.cp, &out);
    }
  }
  return out;
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::Time Raised(const ww::v1::Alert& a) {
  return a.raised_unix_ms() > 0 ? absl::FromUnixMillis(a.raised_unix_ms()) : absl::UnixEpoch();
}
absl::Time Updated(const ww::v1::Alert& a) {
  return a.updated_unix_ms() > 0 ? absl::FromUnixMillis(a.updated_unix_ms()) : Raised(a);
}

std::string Entry(const ww::v1::Alert& a) {
  std::string e = "  <entry>\n";
  absl::StrAppend(&e, "    <id>urn:wirewatch:alert:", Xml(a.id()), "</id>\n");
  absl::StrAppend(&e, "    <title>", Xml(Headline(a)), "</title>\n");
  if (!a.url().empty()) {
    absl::StrAppend(&e, "    <link rel=\"alternate\" href=\"", Xml(a.url()), "\"/>\n");
  }
  absl::StrAppend(&e, "    <published>", Rfc3339(Raised(a)), "</published>\n");
  absl::StrAppend(&e, "    <updated>", Rfc3339(Updated(a)), "</updated>\n");
  const std::string author = a.outlets_size() > 0
                                 ? a.outlets(0)
                                 : (a.source().empty() ? std::string("Wirewatch") : a.source());
  absl::StrAppend(&e, "    <author><name>", Xml(author), "</name></author>\n");
  std::vector<std::string> entities(a.entity_ids().begin(), a.entity_ids().end());
  if (entities.empty() && !a.entity_id().empty()) entities.push_back(a.entity_id());
  for (const std::string& id : entities) {
    absl::StrAppend(&e, "    <category term=\"", Xml(id), "\"/>\n");
  }
  if (!a.snippet().empty()) absl::StrAppend(&e, "    <summary>", Xml(a.snippet()), "</summary>\n");
  std::string details =
      absl::StrCat("Entity: ", EntityOf(a), "\nRule: ", RuleOf(a), "\nSeverity: ", a.severity());
  if (a.outlets_size() > 0) {
    absl::StrAppend(&details, "\nOutlets (", std::max<int64_t>(a.outlet_count(), a.outlets_size()),
                    "): ", absl::StrJoin(a.outlets(), ", "));
  }
  if (!a.why().empty()) absl::StrAppend(&details, "\nWhy: ", a.why());
  if (a.version() > 1) absl::StrAppend(&details, "\nVersion: ", a.version());
  absl::StrAppend(&e, "    <content type=\"text\">", Xml(details), "</content>\n");
  absl::StrAppend(&e, "  </entry>\n");
  return e;
}

}  // namespace

std::string AtomFeed(const std::vector<ww::v1::Alert>& alerts, const AtomFeedInfo& info) {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  absl::StrAppend(&out, "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
  absl::StrAppend(&out, "  <id>", Xml(info.id), "</id>\n");
  absl::StrAppend(&out, "  <title>", Xml(info.title), "</title>\n");
  absl::StrAppend(&out, "  <updated>", Rfc3339(info.updated), "</updated>\n");
  absl::StrAppend(&out, "  <author><name>Wirewatch</name></author>\n");
  absl::StrAppend(&out, "  <generator>Wirewatch</generator>\n");
  if (!info.self_url.empty()) {
    absl::StrAppend(&out, "  <link rel=\"self\" type=\"application/atom+xml\" href=\"",
                    Xml(info.self_url), "\"/>\n");
  }
  for (const ww::v1::Alert& a : alerts) out += Entry(a);
  absl::StrAppend(&out, "</feed>\n");
  return out;
}

}  // namespace ww::delivery
