// Feed parsing for Wirewatch: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.0/1.1 documents to
// plain items.
//
// Pure code: no network, no file system, no global state that callers must manage. Including this
// header also brings in the helpers the parser is built from (dates, URLs, HTML to text), so that
// "libs/feeds/feed.h" is the one include a caller needs.
#ifndef WW_LIBS_FEEDS_FEED_H_
#define WW_LIBS_FEEDS_FEED_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/feeds/date.h"
#include "libs/feeds/html_text.h"
#include "libs/feeds/url.h"

namespace ww::feeds {

// One entry of a feed (RSS <item>, Atom <entry>), reduced to what the pipeline uses.
struct FeedItem {
  // RSS <guid> / Atom <id> as written (trimmed); else the canonical `url`; else
  // "sha256:" + lowercase hex SHA-256 of title + '\0' + text. Stable across fetches.
  std::string id;
  // Plain text: entities decoded, tags stripped, whitespace collapsed to single spaces.
  std::string title;
  // Canonical absolute link (CanonicalUrl); relative links are resolved against xml:base and then
  // the feed's own link. Empty when the item has no link.
  std::string url;
  // pubDate / published / updated / dc:date in UTC; nullopt when absent or unparseable (the
  // latter adds a warning to Feed::warnings).
  std::optional<absl::Time> published;
  // Clean text of content:encoded / content, else description / summary (HtmlToText rules):
  // paragraphs and other blocks separated by "\n".
  std::string text;
};

struct Feed {
  // "rss2.0", "rss0.9x", "rss1.0" (RDF), "atom1.0", "atom0.3", "json1.0", "json1.1"
  std::string format;
  std::string title;            // plain text
  std::string link;             // canonical absolute site link, empty when absent
  std::vector<FeedItem> items;  // document order; items with no title, link and text are skipped
  // What was recovered from, like feedparser's "bozo": "line 12: Opening and ending tag
  // mismatch: title line 11 and item (recovered)", "item 3: unparseable date 'Foo'". Empty for
  // a clean feed.
  std::vector<std::string> warnings;
  // The character encoding the document was read in, lowercased as named by its source (BOM,
  // content type, XML declaration), e.g. "utf-8", "windows-1251", "shift_jis", "utf-16le".
  std::string encoding;
};

// Parses a feed document. The format is detected from the content (a JSON object is a JSON
// Feed; otherwise the XML root element and namespace), never from a file name or the content
// type. JSON Feed: "items" with id, url (else external_url), title, content_html (else
// content_text, else summary), date_published (else date_modified); version 1.0 and 1.1.
//
// Encoding: a byte order mark wins; else the charset parameter of `content_type` when given
// (RFC 7303); else the XML declaration; else UTF-8. ISO-8859-1 and US-ASCII are read as
// windows-1252 (as browsers do). Everything is converted to UTF-8; invalid bytes become U+FFFD.
//
// Safety: the DOCTYPE is removed before parsing, so no DTD, external entity (XXE, file://) or
// entity expansion (billion laughs) is ever processed; the parser runs with XML_PARSE_NONET and
// without XML_PARSE_NOENT/DTDLOAD as a second line of defence. Input larger than `max_bytes` is
// refused before any work is done.
//
// Malformed feeds: bare '&', HTML named entities (&nbsp; &rsquo; ...) and control characters
// are repaired before parsing, then libxml2's recover mode handles broken markup; every repair
// is reported in Feed::warnings.
//
// Blocks only for CPU (linear in the input). Thread-safe; no shared mutable state.
// Errors: InvalidArgument "not a feed: <why>" when the document is not XML or its root is not
// an RSS/RDF/Atom element, or is JSON that is not a JSON Feed (no recovery is attempted for
// broken JSON); ResourceExhausted when bytes.size() > max_bytes.
absl::StatusOr<Feed> ParseFeed(std::string_view bytes, std::string_view content_type = "",
                               size_t max_bytes = 32 << 20);

}  // namespace ww::feeds

#endif  // WW_LIBS_FEEDS_FEED_H_
