#include "libs/delivery/email.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "libs/delivery/payload.h"

namespace ww::delivery {
namespace {

absl::string_view AsAbsl(std::string_view s) { return {s.data(), s.size()}; }

std::string DomainOf(std::string_view address) {
  const size_t at = address.rfind('@');
  std::string domain(at == std::string_view::npos ? "wirewatch.invalid" : address.substr(at + 1));
  domain.erase(std::remove_if(domain.begin(), domain.end(),
                              [](char c) {
                                return c == '>' || c == '<' ||
                                       absl::ascii_isspace(static_cast<unsigned char>(c));
                              }),
               domain.end());
  return domain.empty() ? "wirewatch.invalid" : domain;
}

// Base64 in lines of 76 characters (RFC 2045 6.8).
std::string Base64Lines(std::string_view bytes) {
  const std::string b64 = absl::Base64Escape(AsAbsl(bytes));
  std::string out;
  for (size_t i = 0; i < b64.size(); i += 76) absl::StrAppend(&out, b64.substr(i, 76), "\r\n");
  return out;
}

std::string Html(std::string_view s) {
  return absl::StrReplaceAll(
      AsAbsl(s), {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

std::string Published(const ww::v1::Alert& a) {
  if (a.published_unix_ms() <= 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::FromUnixMillis(a.published_unix_ms()),
                          absl::UTCTimeZone());
}

std::string Outlets(const ww::v1::Alert& a) {
  std::string list = absl::StrJoin(a.outlets(), ", ");
  const int64_t count = std::max<int64_t>(a.outlet_count(), a.outlets_size());
  if (count > a.outlets_size()) absl::StrAppend(&list, " and ", count - a.outlets_size(), " more");
  return list;
}

std::string TextPart(const ww::v1::Alert& a) {
  std::string out = absl::StrCat(TitleOf(a), "\n");
  if (!a.url().empty()) absl::StrAppend(&out, a.url(), "\n");
  absl::StrAppend(&out, "\nEntity:   ", EntityOf(a), "\nRule:     ", RuleOf(a),
                  "\nSeverity: ", a.severity(), "\n");
  if (a.outlets_size() > 0) absl::StrAppend(&out, "Outlets:  ", Outlets(a), "\n");
  if (const std::string p = Published(a); !p.empty()) absl::StrAppend(&out, "Published: ", p, "\n");
  if (!a.snippet().empty()) absl::StrAppend(&out, "\n", a.snippet(), "\n");
  if (!a.why().empty()) absl::StrAppend(&out, "\nWhy: ", a.why(), "\n");
  absl::StrAppend(&out, "\n-- \nWirewatch alert ", a.id(), ", version ", a.version(), "\n");
  return out;
}

std::string HtmlPart(const ww::v1::Alert& a) {
  const std::string title = Html(TitleOf(a));
  std::string out = "<!DOCTYPE html><html><body>\n";
  absl::StrAppend(
      &out, "<h2>",
      a.url().empty() ? title : absl::StrCat("<a href=\"", Html(a.url()), "\">", title, "</a>"),
      "</h2>\n<table>\n");
  auto row = [&out](std::string_view name, const std::string& value) {
    if (!value.empty())
      absl::StrAppend(&out, "<tr><th align=\"left\">", AsAbsl(name), "</th><td>", Html(value),
                      "</td></tr>\n");
  };
  row("Entity", EntityOf(a));
  row("Rule", RuleOf(a));
  row("Severity", a.severity());
  row("Outlets", Outlets(a));
  row("Published", Published(a));
  absl::StrAppend(&out, "</table>\n");
  if (!a.snippet().empty()) absl::StrAppend(&out, "<p>", Html(a.snippet()), "</p>\n");
  if (!a.why().empty()) absl::StrAppend(&out, "<p><small>Why: ", Html(a.why()), "</small></p>\n");
  absl::StrAppend(&out, "<p><small>Wirewatch alert ", Html(a.id()), ", version ", a.version(),
                  "</small></p>\n</body></html>\n");
  return out;
}

}  // namespace

std::string EncodeHeader(std::string_view value) {
  std::string clean(value);
  for (char& c : clean) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  bool plain = true;
  for (unsigned char c : clean) plain = plain && c >= 0x20 && c < 0x7f;
  if (plain) return clean;
  // Encoded words of at most 75 characters: 45 bytes of UTF-8 make 60 of base64, plus the
  // 12 of "=?UTF-8?B?" and "?=". A word never splits a character.
  std::vector<std::string> words;
  size_t start = 0;
  while (start < clean.size()) {
    size_t end = std::min(start + 45, clean.size());
    while (end < clean.size() && end > start &&
           (static_cast<unsigned char>(clean[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (end == start) end = std::min(start + 45, clean.size());  // not UTF-8: cut anyway
    words.push_back(absl::StrCat(
        "=?UTF-8?B?", absl::Base64Escape(absl::string_view(clean).substr(start, end - start)),
        "?="));
    start = end;
  }
  return absl::StrJoin(words, "\r\n ");
}

namespace {

std::string MessageId(const ww::v1::Alert& a, int64_t version, const std::string& domain) {
  ww::v1::Alert at;
  at.set_id(a.id());
  at.set_version(version);
  return absl::StrCat("<", WebhookId(at), "@", domain, ">");
}

struct Envelope {
  std::string subject, message_id;
  std::vector<std::string> references;  // the first is also In-Reply-To
};

std::string Mime(const Destination& d, std::string_view from, absl::Time now, const Envelope& e,
                 const std::string& boundary, const std::string& text, const std::string& html) {
  std::string m;
  absl::StrAppend(&m, "From: ", AsAbsl(from), "\r\n");
  absl::StrAppend(&m, "To: ", absl::StrJoin(d.to, ", "), "\r\n");
  absl::StrAppend(&m, "Subject: ", EncodeHeader(e.subject), "\r\n");
  absl::StrAppend(
      &m, "Date: ", absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", now, absl::UTCTimeZone()),
      "\r\n");
  absl::StrAppend(&m, "Message-ID: ", e.message_id, "\r\n");
  if (!e.references.empty()) {  // folded, one id a line (RFC 5322 2.2.3)
    absl::StrAppend(&m, "In-Reply-To: ", e.references.front(),
                    "\r\nReferences: ", absl::StrJoin(e.references, "\r\n "), "\r\n");
  }
  absl::StrAppend(&m, "Auto-Submitted: auto-generated\r\n");  // RFC 3834: no vacation replies
  absl::StrAppend(&m, "MIME-Version: 1.0\r\n");
  absl::StrAppend(&m, "Content-Type: multipart/alternative; boundary=\"", boundary, "\"\r\n\r\n");
  for (const auto& [type, body] :
       {std::pair<const char*, const std::string*>{"text/plain", &text}, {"text/html", &html}}) {
    absl::StrAppend(&m, "--", boundary, "\r\nContent-Type: ", type,
                    "; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                    Base64Lines(*body));
  }
  absl::StrAppend(&m, "--", boundary, "--\r\n");
  return m;
}

std::string StoryOf(const ww::v1::Alert& a) {
  return a.cluster_id().empty() ? a.id() : a.cluster_id();
}

}  // namespace

std::string EmailMessage(const Destination& d, const ww::v1::Alert& a, std::string_view from,
                         absl::Time now) {
  const std::string domain = DomainOf(from);
  Envelope e;
  e.subject = Headline(a);
  if (a.version() > 1) e.subject = absl::StrCat("Re: ", e.subject);
  e.message_id = MessageId(a, a.version(), domain);
  if (a.version() > 1) e.references = {MessageId(a, 1, domain)};
  return Mime(d, from, now, e, absl::StrCat("=_wirewatch_", WebhookId(a)), TextPart(a),
              HtmlPart(a));
}

std::string DigestMessage(const Destination& d, const std::vector<ww::v1::Alert>& alerts,
                          std::string_view from, absl::Time now) {
  const std::string domain = DomainOf(from);
  // Stories in the order their first alert comes; each story's alerts in order.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const ww::v1::Alert*>> stories;
  for (const ww::v1::Alert& a : alerts) {
    auto& list = stories[StoryOf(a)];
    if (list.empty()) order.push_back(StoryOf(a));
    list.push_back(&a);
  }
  Envelope e;
  const std::string first = alerts.empty() ? "" : TitleOf(alerts[0]);
  e.subject = absl::StrCat("[Wirewatch] ", alerts.size(),
                           alerts.size() == 1 ? " alert: " : " alerts: ", first);
  if (order.size() > 1) absl::StrAppend(&e.subject, " and ", order.size() - 1, " more stories");
  const std::string head_id = alerts.empty() ? "empty" : WebhookId(alerts[0]);
  e.message_id = absl::StrCat("<digest_", head_id, "_n", alerts.size(), "@", domain, ">");
  for (const std::string& story : order) {
    e.references.push_back(MessageId(*stories[story].front(), 1, domain));
    if (e.references.size() == 20) break;  // a References header of reasonable length
  }

  std::string text = absl::StrCat(alerts.size(), alerts.size() == 1 ? " alert" : " alerts", " in ",
                                  order.size(), order.size() == 1 ? " story" : " stories", "\n");
  std::string html = absl::StrCat("<!DOCTYPE html><html><body>\n<p>", Html(text), "</p>\n");
  for (const std::string& story : order) {
    const ww::v1::Alert& lead = *stories[story].front();
    const std::string title = TitleOf(lead);
    absl::StrAppend(&text, "\n== ", title, "\n");
    if (!lead.url().empty()) absl::StrAppend(&text, lead.url(), "\n");
    absl::StrAppend(&html, "<h3>",
                    lead.url().empty()
                        ? Html(title)
                        : absl::StrCat("<a href=\"", Html(lead.url()), "\">", Html(title), "</a>"),
                    "</h3>\n<ul>\n");
    for (const ww::v1::Alert* a : stories[story]) {
      const std::string line = absl::StrCat(
          "[", absl::AsciiStrToUpper(a->severity()), "] ", RuleOf(*a), " - ", EntityOf(*a),
          a->outlets_size() > 0 ? absl::StrCat(" (", Outlets(*a), ")") : "",
          a->version() > 1 ? absl::StrCat(", update ", a->version()) : "");
      absl::StrAppend(&text, "  - ", line, "\n    alert ", a->id(), "\n");
      absl::StrAppend(&html, "<li>", Html(line), "</li>\n");
    }
    if (!lead.snippet().empty()) {
      absl::StrAppend(&text, "  ", lead.snippet(), "\n");
      absl::StrAppend(&html, "</ul>\n<p>", Html(lead.snippet()), "</p>\n");
    } else {
      absl::StrAppend(&html, "</ul>\n");
    }
  }
  absl::StrAppend(&text, "\n-- \nWirewatch digest for ", d.id, "\n");
  absl::StrAppend(&html, "<p><small>Wirewatch digest for ", Html(d.id),
                  "</small></p>\n</body></html>\n");
  return Mime(d, from, now, e, absl::StrCat("=_wirewatch_digest_", head_id), text, html);
}

}  // namespace ww::delivery
