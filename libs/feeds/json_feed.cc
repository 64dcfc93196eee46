// JSON Feed 1.0 / 1.1 (https://www.jsonfeed.org/version/1.1/) with nlohmann::json.
#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/feeds/feed.h"
#include "libs/feeds/html_text.h"
#include "libs/feeds/internal/dom_text.h"
#include "libs/feeds/internal/items.h"
#include "libs/feeds/url.h"

namespace ww::feeds::internal {
namespace {

using Json = nlohmann::json;

constexpr int kMaxDepth = 256;

// nlohmann's parser is iterative, but a bound keeps hostile nesting cheap everywhere else.
bool NestingWithin(absl::string_view s, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

// A string member, or "" when absent or of another type. Numbers are accepted for ids.
std::string Str(const Json& obj, const char* key, bool numbers = false) {
  auto it = obj.find(key);
  if (it == obj.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (numbers && it->is_number_integer()) return std::to_string(it->get<int64_t>());
  if (numbers && it->is_number()) return it->dump();
  return "";
}

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

std::string Link(absl::string_view base, const std::string& raw) {
  std::string ref(absl::StripAsciiWhitespace(raw));
  if (ref.empty()) return "";
  return CanonicalUrl(ResolveUrl(base, ref));
}

}  // namespace

absl::Status ParseJsonFeed(absl::string_view utf8, Feed* feed) {
  if (!NestingWithin(utf8, kMaxDepth)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a feed: JSON nested deeper than ", kMaxDepth, " levels"));
  }
  Json doc = Json::parse(utf8.begin(), utf8.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("not a feed: malformed JSON");
  if (!doc.is_object()) return absl::InvalidArgumentError("not a feed: JSON is not an object");
  std::string version = Str(doc, "version");
  auto items = doc.find("items");
  bool versioned = absl::StartsWith(version, "https://jsonfeed.org/version/") ||
                   absl::StartsWith(version, "http://jsonfeed.org/version/");
  bool bare = version == "1" || version == "1.0" || version == "1.1";  // seen in the wild
  if (!versioned && !bare) {
    return absl::InvalidArgumentError(
        "not a feed: JSON without a \"version\" of https://jsonfeed.org/version/1 or /1.1");
  }
  if (bare) {
    feed->warnings.push_back(absl::StrCat("JSON Feed version '", version, "' is not a URL"));
    version = version == "1.1" ? "/1.1" : "/1";
  }
  feed->format = absl::EndsWith(version, "/1") ? "json1.0" : "json1.1";
  feed->title = OneLine(CollapseText(Str(doc, "title"), false));
  feed->link = Link("", Str(doc, "home_page_url"));
  if (items == doc.end() || !items->is_array()) {
    if (items != doc.end()) feed->warnings.push_back("\"items\" is not an array; ignored");
    return absl::OkStatus();
  }
  int index = 0;
  for (const Json& entry : *items) {
    ++index;
    if (!entry.is_object()) {
      feed->warnings.push_back(absl::StrCat("item ", index, ": not an object; skipped"));
      continue;
    }
    FeedItem item;
    item.id = std::string(absl::StripAsciiWhitespace(Str(entry, "id", /*numbers=*/true)));
    std::string url = Str(entry, "url");
    if (url.empty()) url = Str(entry, "external_url");
    item.url = Link(feed->link, url);
    std::string title = Str(entry, "title");
    item.title = OneLine(HtmlToText(title));
    std::string html = Str(entry, "content_html");
    if (!html.empty()) item.text = HtmlToText(html);
    if (item.text.empty()) item.text = CollapseText(Str(entry, "content_text"), true);
    if (item.text.empty()) item.text = CollapseText(Str(entry, "summary"), true);
    std::string date = Str(entry, "date_published");
    if (date.empty()) date = Str(entry, "date_modified");
    FinishItem(std::move(item), date, feed);
  }
  return absl::OkStatus();
}

}  // namespace ww::feeds::internal
