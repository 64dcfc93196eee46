// Conformance of ww::feeds against two public corpora kept outside the repository, in
// $WW_SOURCE_DIR/../shared/data/feeds:
//   gofeed-testdata/parser/{atom,rss,json}: a feed and the parse gofeed expects, as JSON;
//   feedparser-tests/**.xml: a feed whose header comment says what feedparser expects
//     ("Expect: not bozo and entries[0]['title'] == u'...'").
// Only the fields Wirewatch models are compared (format, encoding, feed title and link, item
// title, link, id, date and text, and whether recovery was needed); every other expectation is
// counted as "not modelled". Text fields compare as clean text: the expected HTML goes through
// HtmlToText, since Wirewatch keeps text, not markup. The pass share of each field is printed;
// the test fails when a share drops below the floor recorded in BENCHMARKS.md.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/feeds/feed.h"

namespace ww::feeds {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string DataDir() {
  const char* src = std::getenv("WW_SOURCE_DIR");
  return absl::StrCat(src != nullptr ? src : ".", "/../shared/data/feeds");
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Pass/total per field, and a few failures per field for the verbose report.
class Tally {
 public:
  void Check(const std::string& field, bool pass, const std::string& where, const std::string& got,
             const std::string& want) {
    auto& [passed, total] = counts_[field];
    ++total;
    if (pass) {
      ++passed;
    } else if (failures_[field].size() < 400) {
      failures_[field].push_back(absl::StrCat(where, "\n      got:  ", got.substr(0, 200),
                                              "\n      want: ", want.substr(0, 200)));
    }
  }
  void NotModelled(const std::string& what) { ++not_modelled_[what]; }
  double Share(const std::string& field) const {
    auto it = counts_.find(field);
    if (it == counts_.end() || it->second.second == 0) return 1.0;
    return static_cast<double>(it->second.first) / it->second.second;
  }
  void Print(const std::string& title) const {
    std::cout << "\n" << title << "\n| field | pass | cases | share |\n| --- | --- | --- | --- |\n";
    int p = 0, t = 0;
    for (const auto& [field, c] : counts_) {
      std::cout << absl::StrFormat("| %s | %d | %d | %.1f%% |\n", field, c.first, c.second,
                                   100.0 * c.first / std::max(c.second, 1));
      p += c.first;
      t += c.second;
    }
    std::cout << absl::StrFormat("| **all modelled** | %d | %d | %.1f%% |\n", p, t,
                                 100.0 * p / std::max(t, 1));
    int skipped = 0;
    for (const auto& [what, n] : not_modelled_) skipped += n;
    std::cout << "not modelled (expectations on fields Wirewatch does not keep): " << skipped
              << "\n";
    if (std::getenv("WW_CONFORMANCE_VERBOSE") != nullptr) {
      for (const auto& [field, list] : failures_) {
        for (const auto& f : list) std::cout << "FAIL " << field << " " << f << "\n";
      }
      for (const auto& [what, n] : not_modelled_)
        std::cout << "  not modelled " << what << " " << n << "\n";
    }
  }

 private:
  std::map<std::string, std::pair<int, int>> counts_;
  std::map<std::string, std::vector<std::string>> failures_;
  std::map<std::string, int> not_modelled_;
};

std::string Collapse(absl::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
    } else {
      if (space) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
  }
  return out;
}

bool TextMatches(const std::string& got, const std::string& want) {
  std::string g = Collapse(got);
  return g == Collapse(want) || g == Collapse(HtmlToText(want));
}

bool LinkMatches(const std::string& got, const std::string& want) {
  if (got == CanonicalUrl(want)) return true;
  // A relative link with no base to resolve it against stays relative in both parsers.
  return !absl::StrContains(want, "://") && absl::EndsWith(got, want);
}

std::string Rfc3339(const std::optional<absl::Time>& t) {
  return t.has_value() ? FormatRfc3339(*t) : "(none)";
}

// ---------------------------------------------------------------------------------------------
// gofeed

std::string GofeedFormat(const std::string& kind, const std::string& version) {
  if (kind == "atom") return version == "0.3" ? "atom0.3" : "atom1.0";
  if (kind == "json") return version == "1.0" ? "json1.0" : "json1.1";
  if (version == "1.0") return "rss1.0";
  if (absl::StartsWith(version, "0.9")) return "rss0.9x";
  return "rss2.0";
}

std::string FirstAlternate(const Json& obj) {
  if (obj.contains("links") && obj["links"].is_array()) {
    for (const Json& l : obj["links"]) {
      if (!l.is_object()) continue;
      std::string rel = l.value("rel", "");
      if ((rel.empty() || rel == "alternate") && l.contains("href")) return l.value("href", "");
    }
  }
  if (obj.contains("link") && obj["link"].is_string()) return obj["link"];
  if (obj.contains("url") && obj["url"].is_string()) return obj["url"];
  return "";
}

std::string Str(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

void CompareGofeed(const std::string& kind, const std::string& name, const std::string& doc,
                   const Json& want, Tally* tally) {
  absl::StatusOr<Feed> got = ParseFeed(doc);
  tally->Check("parsed", got.ok(), name, got.ok() ? "ok" : got.status().ToString(), "ok");
  if (!got.ok()) return;
  std::string version = Str(want, "version");
  tally->Check("format", got->format == GofeedFormat(kind, version), name, got->format, version);
  if (want.contains("title")) {
    tally->Check("feed title", TextMatches(got->title, Str(want, "title")), name, got->title,
                 Str(want, "title"));
  }
  std::string link = kind == "json" ? Str(want, "home_page_url") : FirstAlternate(want);
  if (!link.empty()) {
    tally->Check("feed link", LinkMatches(got->link, link), name, got->link, link);
  }
  const char* items_key = kind == "atom" ? "entries" : "items";
  std::vector<Json> useful;
  if (want.contains(items_key)) {
    for (const Json& e : want[items_key]) {
      std::string text = kind == "atom"   ? Str(e.value("content", Json::object()), "value")
                         : kind == "json" ? Str(e, "content_html")
                                          : Str(e, "content");
      if (kind == "atom" && text.empty()) text = Str(e, "summary");
      if (kind == "rss" && text.empty()) text = Str(e, "description");
      if (kind == "json" && text.empty()) text = Str(e, "content_text");
      // Wirewatch drops an item with no title, link and text: nothing to publish.
      if (!Str(e, "title").empty() || !FirstAlternate(e).empty() ||
          !Collapse(HtmlToText(text)).empty()) {
        Json copy = e;
        copy["_text"] = text;
        useful.push_back(copy);
      }
    }
  }
  tally->Check("item count", got->items.size() == useful.size(), name,
               absl::StrCat(got->items.size()), absl::StrCat(useful.size()));
  for (size_t i = 0; i < useful.size() && i < got->items.size(); ++i) {
    const Json& e = useful[i];
    const FeedItem& item = got->items[i];
    std::string where = absl::StrCat(name, " item ", i);
    if (e.contains("title")) {
      tally->Check("item title", TextMatches(item.title, Str(e, "title")), where, item.title,
                   Str(e, "title"));
    }
    if (std::string l = FirstAlternate(e); !l.empty()) {
      tally->Check("item link", LinkMatches(item.url, l), where, item.url, l);
    }
    std::string id = kind == "rss" ? Str(e.value("guid", Json::object()), "value") : Str(e, "id");
    if (!id.empty()) tally->Check("item id", item.id == id, where, item.id, id);
    std::string date = kind == "rss"    ? Str(e, "pubDateParsed")
                       : kind == "json" ? Str(e, "date_published")
                                        : Str(e, "publishedParsed");
    if (date.empty() && kind == "atom") date = Str(e, "updatedParsed");
    if (!date.empty()) {
      absl::StatusOr<absl::Time> t = ParseFeedDate(date);
      std::string want_date = t.ok() ? FormatRfc3339(*t) : date;
      tally->Check("item date", Rfc3339(item.published) == want_date, where,
                   Rfc3339(item.published), want_date);
    }
    std::string text = Str(e, "_text");
    if (!text.empty()) {
      tally->Check("item text", TextMatches(item.text, text), where, item.text, text);
    }
  }
}

TEST(ConformanceTest, Gofeed) {
  fs::path root = fs::path(DataDir()) / "gofeed-testdata" / "parser";
  if (!fs::exists(root)) GTEST_SKIP() << root << " is absent: conformance data not available";
  Tally tally;
  int cases = 0;
  for (const char* kind : {"atom", "rss", "json"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(root / kind)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& p : files) {
      std::string stem = p.stem().string();
      fs::path expected;
      if (std::string(kind) == "json") {
        if (p.extension() != ".json" || absl::EndsWith(stem, "_expected")) continue;
        expected = p.parent_path() / (stem + "_expected.json");
      } else {
        if (p.extension() != ".xml") continue;
        expected = p.parent_path() / (stem + ".json");
      }
      if (!fs::exists(expected)) continue;
      Json want = Json::parse(Slurp(expected), nullptr, false);
      if (want.is_discarded()) continue;
      ++cases;
      CompareGofeed(kind, absl::StrCat(kind, "/", p.filename().string()), Slurp(p), want, &tally);
    }
  }
  std::cout << "gofeed cases: " << cases << "\n";
  tally.Print("gofeed-testdata (parser/atom, parser/rss, parser/json)");
  EXPECT_GE(cases, 433);
  EXPECT_GE(tally.Share("parsed"), 1.0);
  EXPECT_GE(tally.Share("format"), 0.99);
  EXPECT_GE(tally.Share("item title"), 0.9);
  EXPECT_GE(tally.Share("item link"), 0.85);
  EXPECT_GE(tally.Share("item text"), 0.9);
}

// ---------------------------------------------------------------------------------------------
// feedparser: a small reader of the Python expressions in "Expect:".

// A Python literal: string (u'', b'', '', ""), integer, or tuple of integers.
struct Literal {
  enum Kind { kString, kInt, kTuple, kOther } kind = kOther;
  std::string s;
  std::vector<int64_t> ints;
};

void AppendUtf8(uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

Literal ParseLiteral(absl::string_view v) {
  Literal lit;
  v = absl::StripAsciiWhitespace(v);
  if (!v.empty() && (v[0] == 'u' || v[0] == 'b' || v[0] == 'r')) v.remove_prefix(1);
  if (v.size() >= 2 && (v[0] == '\'' || v[0] == '"') && v.back() == v[0]) {
    lit.kind = Literal::kString;
    absl::string_view body = v.substr(1, v.size() - 2);
    for (size_t i = 0; i < body.size(); ++i) {
      char c = body[i];
      if (c != '\\' || i + 1 >= body.size()) {
        lit.s.push_back(c);
        continue;
      }
      char e = body[++i];
      auto hex = [&](int n) {
        uint32_t cp = 0;
        for (int k = 0; k < n && i + 1 < body.size(); ++k) {
          char h = body[++i];
          cp = cp * 16 + (absl::ascii_isdigit(h) ? h - '0' : (absl::ascii_tolower(h) - 'a' + 10));
        }
        AppendUtf8(cp, &lit.s);
      };
      switch (e) {
        case 'n':
          lit.s.push_back('\n');
          break;
        case 't':
          lit.s.push_back('\t');
          break;
        case 'r':
          lit.s.push_back('\r');
          break;
        case 'x':
          hex(2);
          break;
        case 'u':
          hex(4);
          break;
        case 'U':
          hex(8);
          break;
        default:
          lit.s.push_back(e);
          break;
      }
    }
    return lit;
  }
  int64_t n = 0;
  if (absl::SimpleAtoi(v, &n)) {
    lit.kind = Literal::kInt;
    lit.ints.push_back(n);
    return lit;
  }
  if (v.size() >= 2 && v[0] == '(' && v.back() == ')') {
    for (absl::string_view part : absl::StrSplit(v.substr(1, v.size() - 2), ',')) {
      if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(part), &n)) return lit;
      lit.ints.push_back(n);
    }
    lit.kind = Literal::kTuple;
  }
  return lit;
}

// Splits on " and " / "==" outside quotes and brackets.
std::vector<std::string> SplitTop(absl::string_view s, absl::string_view sep) {
  std::vector<std::string> out;
  int depth = 0;
  char quote = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote != 0) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    } else if (depth == 0 && s.substr(i, sep.size()) == sep) {
      out.emplace_back(s.substr(start, i - start));
      i += sep.size() - 1;
      start = i + 1;
    }
  }
  out.emplace_back(s.substr(start));
  return out;
}

// feed['title'] / entries[0].link / entries[0]['content'][0]['value'] -> {"feed","title"} ...
std::vector<std::string> PathOf(absl::string_view lhs) {
  std::vector<std::string> parts;
  std::string cur;
  for (size_t i = 0; i < lhs.size(); ++i) {
    char c = lhs[i];
    if (c == '[' || c == '.') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else if (c == ']' || c == '\'' || c == '"' || c == ' ') {
      continue;
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

std::string FeedparserVersion(const std::string& format) {
  if (format == "rss2.0") return "rss20";
  if (format == "rss1.0") return "rss10";
  if (format == "atom1.0") return "atom10";
  if (format == "atom0.3") return "atom03";
  if (format == "json1.0") return "json1";
  if (format == "json1.1") return "json11";
  return format;  // rss0.9x: compared by prefix below
}

void CheckClause(const std::string& name, const std::string& clause, const Feed& feed,
                 Tally* tally) {
  std::string c(absl::StripAsciiWhitespace(clause));
  if (c == "not bozo" || c == "bozo") {
    bool want = c == "bozo";
    bool got = !feed.warnings.empty();
    tally->Check("bozo (recovery reported)", got == want, name,
                 got ? absl::StrCat("bozo: ", feed.warnings[0]) : "not bozo", c);
    return;
  }
  std::vector<std::string> sides = SplitTop(c, "==");
  if (sides.size() != 2) {
    tally->NotModelled("expression");
    return;
  }
  std::vector<std::string> path = PathOf(absl::StripAsciiWhitespace(sides[0]));
  Literal want = ParseLiteral(sides[1]);
  if (path.empty() || want.kind == Literal::kOther) {
    tally->NotModelled("expression");
    return;
  }
  auto check_text = [&](const std::string& field, const std::string& got) {
    tally->Check(field, want.kind == Literal::kString && TextMatches(got, want.s), name, got,
                 want.s);
  };
  const std::string& head = path[0];
  if (head == "encoding" && path.size() == 1) {
    tally->Check("encoding", absl::EqualsIgnoreCase(feed.encoding, want.s), name, feed.encoding,
                 want.s);
    return;
  }
  if (head == "version" && path.size() == 1) {
    std::string got = FeedparserVersion(feed.format);
    bool pass = got == want.s || (got == "rss0.9x" && absl::StartsWith(want.s, "rss09"));
    tally->Check("format", pass, name, feed.format, want.s);
    return;
  }
  auto is = [&](std::initializer_list<const char*> names, size_t at) {
    if (path.size() <= at) return false;
    for (const char* n : names) {
      if (path[at] == n) return true;
    }
    return false;
  };
  if (head == "feed" && path.size() >= 2) {
    if ((path.size() == 2 && is({"title"}, 1)) ||
        (path.size() == 3 && is({"title_detail"}, 1) && is({"value"}, 2))) {
      check_text("feed title", feed.title);
      return;
    }
    if (path.size() == 2 && is({"link"}, 1)) {
      tally->Check("feed link", want.kind == Literal::kString && LinkMatches(feed.link, want.s),
                   name, feed.link, want.s);
      return;
    }
    tally->NotModelled("feed." + path[1]);
    return;
  }
  if (head == "entries" && path.size() >= 3) {
    size_t index = 0;
    if (!absl::SimpleAtoi(path[1], &index)) {
      tally->NotModelled("entries");
      return;
    }
    const FeedItem* item = index < feed.items.size() ? &feed.items[index] : nullptr;
    static const FeedItem kEmpty;
    const FeedItem& it = item != nullptr ? *item : kEmpty;
    bool title = (path.size() == 3 && is({"title"}, 2)) ||
                 (path.size() == 4 && is({"title_detail"}, 2) && is({"value"}, 3));
    bool text = (path.size() == 3 && is({"description", "summary"}, 2)) ||
                (path.size() == 4 && is({"summary_detail"}, 2) && is({"value"}, 3)) ||
                (path.size() == 5 && is({"content"}, 2) && path[3] == "0" && is({"value"}, 4));
    if (title) return check_text("item title", it.title);
    if (text) return check_text("item text", it.text);
    if (path.size() == 3 && is({"link"}, 2)) {
      tally->Check("item link", want.kind == Literal::kString && LinkMatches(it.url, want.s), name,
                   it.url, want.s);
      return;
    }
    if (path.size() == 3 && is({"id", "guid"}, 2)) {
      tally->Check("item id", want.kind == Literal::kString && it.id == want.s, name, it.id,
                   want.s);
      return;
    }
    if (path.size() == 3 && is({"published_parsed", "updated_parsed", "created_parsed",
                                "issued_parsed", "modified_parsed", "date_parsed"},
                               2)) {
      std::string want_date = "(none)";
      if (want.kind == Literal::kTuple && want.ints.size() >= 6) {
        absl::CivilSecond cs(want.ints[0], want.ints[1], want.ints[2], want.ints[3], want.ints[4],
                             want.ints[5]);
        want_date = FormatRfc3339(absl::FromCivil(cs, absl::UTCTimeZone()));
      }
      tally->Check("item date", Rfc3339(it.published) == want_date, name, Rfc3339(it.published),
                   want_date);
      return;
    }
    tally->NotModelled("entries." + path[2]);
    return;
  }
  tally->NotModelled(head);
}

TEST(ConformanceTest, Feedparser) {
  fs::path root = fs::path(DataDir()) / "feedparser-tests";
  if (!fs::exists(root)) GTEST_SKIP() << root << " is absent: conformance data not available";
  Tally tally;
  int cases = 0, crashes_or_refusals = 0;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".xml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    std::string bytes = Slurp(p);
    std::string ascii;  // the header comment of UTF-16/32 files, read as ASCII
    for (char c : bytes.substr(0, 8192)) {
      if (c != '\0') ascii.push_back(c);
    }
    std::string expect, content_type;
    for (absl::string_view line : absl::StrSplit(ascii, '\n')) {
      line = absl::StripAsciiWhitespace(line);
      if (absl::ConsumePrefix(&line, "Expect:"))
        expect = std::string(absl::StripAsciiWhitespace(line));
      if (absl::ConsumePrefix(&line, "Header:")) {
        line = absl::StripAsciiWhitespace(line);
        if (absl::StartsWithIgnoreCase(line, "content-type:")) {
          content_type = std::string(absl::StripAsciiWhitespace(line.substr(13)));
        }
      }
    }
    if (expect.empty()) continue;
    ++cases;
    std::string name = fs::relative(p, root).string();
    absl::StatusOr<Feed> feed = ParseFeed(bytes, content_type);
    if (!feed.ok()) {
      ++crashes_or_refusals;
      // A refusal is right only where feedparser expects nothing but bozo.
      tally.Check("parsed", expect == "bozo" || expect == "1", name, feed.status().ToString(),
                  expect);
      continue;
    }
    tally.Check("parsed", true, name, "ok", expect);
    for (const std::string& clause : SplitTop(expect, " and ")) {
      if (absl::StripAsciiWhitespace(clause) == "1") continue;
      CheckClause(name, clause, *feed, &tally);
    }
  }
  std::cout << "feedparser cases: " << cases << ", refused as not a feed: " << crashes_or_refusals
            << "\n";
  tally.Print("feedparser-tests (encoding, entities, illformed, wellformed)");
  EXPECT_GE(cases, 2000);
  EXPECT_GE(tally.Share("parsed"), 0.98);
  EXPECT_GE(tally.Share("bozo (recovery reported)"), 0.75);
  EXPECT_GE(tally.Share("item text"), 0.8);
  EXPECT_GE(tally.Share("feed title"), 0.8);
}

}  // namespace
}  // namespace ww::feeds
