#include "libs/delivery/atom.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libs/feeds/feed.h"

namespace ww::delivery {
namespace {

ww::v1::Alert Alert(const std::string& id, const std::string& title, int64_t raised_ms) {
  ww::v1::Alert a;
  a.set_id(id);
  a.set_rule_id("kim-putin-summit");
  a.set_rule_name("Kim meets Putin");
  a.set_entity_id("kim-jong-un");
  a.add_entity_ids("kim-jong-un");
  a.add_entity_ids("vladimir-putin");
  a.set_entity_name("Kim Jong Un");
  a.set_title(title);
  a.set_url("https://news.example.com/kim?a=1&b=2");
  a.set_severity("high");
  a.set_snippet("The armoured train crossed the Tumen river.");
  a.add_outlets("Yonhap");
  a.set_outlet_count(3);
  a.set_version(1);
  a.set_raised_unix_ms(raised_ms);
  return a;
}

AtomFeedInfo Info() {
  return {"urn:wirewatch:alerts:default", "Wirewatch alerts: default",
          "http://127.0.0.1:9205/alerts.atom?entity=kim-jong-un&min_severity=high",
          absl::FromUnixSeconds(1'790'000'200)};
}

// libxml2 without recovery: any well-formedness error fails; then RFC 4287's must-haves by
// XPath (atom:feed has id, title, updated; every atom:entry has id, title, updated).
void ExpectStrictAtom(const std::string& xml, int entries) {
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "feed.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  ASSERT_NE(doc, nullptr) << "not well-formed XML:\n" << xml;
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
  xmlXPathRegisterNs(ctx, BAD_CAST "a", BAD_CAST "http://www.w3.org/2005/Atom");
  auto count = [&](const char* path) {
    xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST path, ctx);
    const int n = r != nullptr ? static_cast<int>(xmlXPathCastToNumber(r)) : -1;
    xmlXPathFreeObject(r);
    return n;
  };
  EXPECT_EQ(count("count(/a:feed/a:id)"), 1);
  EXPECT_EQ(count("count(/a:feed/a:title)"), 1);
  EXPECT_EQ(count("count(/a:feed/a:updated)"), 1);
  EXPECT_EQ(count("count(/a:feed/a:author/a:name)"), 1) << "a feed whose entries need no author";
  EXPECT_EQ(count("count(/a:feed/a:entry)"), entries);
  EXPECT_EQ(count("count(/a:feed/a:entry[a:id and a:title and a:updated])"), entries);
  xmlXPathFreeContext(ctx);
  xmlFreeDoc(doc);
}

TEST(AtomFeedTest, NewestFirstReadByOurOwnFeedParser) {
  const std::vector<ww::v1::Alert> alerts = {
      Alert("al-2", "Putin greets Kim at Vladivostok station", 1'790'000'100'000),
      Alert("al-1", "Kim's train <arrives> & waits", 1'790'000'000'000)};
  const std::string xml = AtomFeed(alerts, Info());
  ExpectStrictAtom(xml, 2);
  absl::StatusOr<feeds::Feed> feed = feeds::ParseFeed(xml, "application/atom+xml");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->format, "atom1.0");
  EXPECT_TRUE(feed->warnings.empty()) << feed->warnings.front();
  EXPECT_EQ(feed->title, "Wirewatch alerts: default");
  ASSERT_EQ(feed->items.size(), 2u);
  EXPECT_EQ(feed->items[0].id, "urn:wirewatch:alert:al-2");
  EXPECT_EQ(feed->items[1].id, "urn:wirewatch:alert:al-1");
  EXPECT_EQ(feed->items[1].title, "[HIGH] Kim meets Putin: Kim's train <arrives> & waits");
  EXPECT_EQ(feed->items[1].url, "https://news.example.com/kim?a=1&b=2");
  ASSERT_TRUE(feed->items[1].published.has_value());
  EXPECT_EQ(*feed->items[1].published, absl::FromUnixSeconds(1'790'000'000));
  EXPECT_TRUE(absl::StrContains(xml, "<category term=\"vladimir-putin\"/>"));
  EXPECT_TRUE(absl::StrContains(xml, "<author><name>Yonhap</name></author>"));
}

TEST(AtomFeedTest, AnUpdateIsTheSameEntryWithANewerUpdated) {
  ww::v1::Alert v1 = Alert("al-1", "Kim arrives", 1'790'000'000'000);
  ww::v1::Alert v3 = v1;
  v3.set_version(3);
  v3.set_updated_unix_ms(1'790'000'600'000);
  const std::string a = AtomFeed({v1}, Info()), b = AtomFeed({v3}, Info());
  auto fa = feeds::ParseFeed(a), fb = feeds::ParseFeed(b);
  ASSERT_TRUE(fa.ok() && fb.ok());
  EXPECT_EQ(fa->items[0].id, fb->items[0].id) << "readers must not show an update as new";
  EXPECT_TRUE(absl::StrContains(b, "<updated>2026-09-21T14:23:20Z</updated>")) << b;
  EXPECT_TRUE(absl::StrContains(b, "<published>2026-09-21T14:13:20Z</published>")) << b;
}

TEST(AtomFeedTest, HostileTextStaysWellFormed) {
  // Markup, a control character XML forbids, a byte that is not UTF-8, U+FFFF.
  const std::string hostile = "a<b>&amp;</b>\x01 \xff end \xEF\xBF\xBF!";
  ww::v1::Alert a = Alert("al-\"x\"", hostile, 1'790'000'000'000);
  a.set_snippet(hostile);
  a.set_url("https://x.example/?q=\"><script>");
  const std::string xml = AtomFeed({a}, Info());
  ExpectStrictAtom(xml, 1);
  auto feed = feeds::ParseFeed(xml);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->items[0].title, "[HIGH] Kim meets Putin: a<b>&amp;</b> \xEF\xBF\xBD end !");
  EXPECT_EQ(feed->items[0].id, "urn:wirewatch:alert:al-\"x\"");
}

TEST(AtomFeedTest, AnEmptyFeedIsStillAFeed) {
  const std::string xml = AtomFeed({}, Info());
  ExpectStrictAtom(xml, 0);
  auto feed = feeds::ParseFeed(xml);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_TRUE(feed->items.empty());
}

}  // namespace
}  // namespace ww::delivery
