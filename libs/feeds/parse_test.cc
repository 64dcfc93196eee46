#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/feeds/feed.h"
#include "libs/runtime/ids.h"

namespace ww::feeds {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::string Joined(const Feed& feed) { return absl::StrJoin(feed.warnings, " | "); }

constexpr std::string_view kRss2 = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Example &amp; Co News</title>
    <link>https://News.Example.com/</link>
    <atom:link href="https://news.example.com/feed.xml" rel="self" type="application/rss+xml"/>
    <description>All the news</description>
    <item>
      <title><![CDATA[Markets rally as AT&T <b>beats</b> forecasts]]></title>
      <link>https://news.example.com/2025/09/markets?utm_source=rss&amp;utm_medium=feed&amp;id=42#top</link>
      <guid isPermaLink="false">news-42</guid>
      <pubDate>Tue, 02 Sep 2025 14:05:00 GMT</pubDate>
      <description>Short &lt;b&gt;summary&lt;/b&gt; &amp;amp; more</description>
      <content:encoded><![CDATA[<p>Stocks rose&nbsp;sharply on Tuesday&#8230;</p>
<script>track()</script><p>Analysts said it&rsquo;s &quot;a relief&quot;.</p>]]></content:encoded>
    </item>
    <item>
      <title>Caf&#233; opens &#8212; locals cheer</title>
      <link>/2025/09/cafe</link>
      <dc:date>2025-09-01T08:00:00+02:00</dc:date>
      <description><![CDATA[<p>A new caf&eacute; &amp; bakery.</p><p>Second paragraph.</p>]]></description>
    </item>
    <item>
      <title>No link, no guid</title>
      <description>Just text.</description>
      <pubDate>Foo</pubDate>
    </item>
  </channel>
</rss>)";

TEST(ParseFeedTest, Rss2WithCdataAndEntities) {
  absl::StatusOr<Feed> feed = ParseFeed(kRss2);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->format, "rss2.0");
  EXPECT_EQ(feed->title, "Example & Co News");
  EXPECT_EQ(feed->link, "https://news.example.com/");
  ASSERT_THAT(feed->items, SizeIs(3));

  const FeedItem& a = feed->items[0];
  EXPECT_EQ(a.id, "news-42");
  EXPECT_EQ(a.title, "Markets rally as AT&T beats forecasts");
  EXPECT_EQ(a.url, "https://news.example.com/2025/09/markets?id=42");
  ASSERT_TRUE(a.published.has_value());
  EXPECT_EQ(FormatRfc3339(*a.published), "2025-09-02T14:05:00Z");
  EXPECT_EQ(a.text, "Stocks rose sharply on Tuesday\u2026\nAnalysts said it\u2019s \"a relief\".");

  const FeedItem& b = feed->items[1];
  EXPECT_EQ(b.title, "Caf\u00e9 opens \u2014 locals cheer");
  EXPECT_EQ(b.url, "https://news.example.com/2025/09/cafe");  // resolved against channel link
  EXPECT_EQ(b.id, b.url);                                     // no guid: canonical link
  ASSERT_TRUE(b.published.has_value());
  EXPECT_EQ(FormatRfc3339(*b.published), "2025-09-01T06:00:00Z");  // dc:date
  EXPECT_EQ(b.text, "A new caf\u00e9 & bakery.\nSecond paragraph.");

  const FeedItem& c = feed->items[2];
  EXPECT_EQ(c.url, "");
  EXPECT_TRUE(absl::StartsWith(c.id, "sha256:")) << c.id;
  EXPECT_EQ(c.id.size(), 7u + 64u);
  EXPECT_FALSE(c.published.has_value());
  EXPECT_THAT(feed->warnings, ElementsAre("item 3: unparseable date 'Foo'"));

  // Same content, same id: the hash is stable across parses.
  absl::StatusOr<Feed> again = ParseFeed(kRss2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->items[2].id, c.id);
}

TEST(ParseFeedTest, RssDescriptionFallbackAndDoubleEscapedTitle) {
  absl::StatusOr<Feed> feed = ParseFeed(R"(<rss version="2.0"><channel><title>T</title>
    <item><title>Q&amp;amp;A: &lt;i&gt;why&lt;/i&gt;</title>
      <guid>https://example.com/qa?fbclid=123</guid>
      <description>Short &lt;b&gt;summary&lt;/b&gt; &amp;amp; more</description></item>
    </channel></rss>)");
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_THAT(feed->items, SizeIs(1));
  EXPECT_EQ(feed->items[0].title, "Q&A: why");
  EXPECT_EQ(feed->items[0].text, "Short summary & more");
  EXPECT_EQ(feed->items[0].id, "https://example.com/qa?fbclid=123");  // guid as written
  EXPECT_EQ(feed->items[0].url, "https://example.com/qa");            // permalink guid, canonical
  EXPECT_THAT(feed->warnings, IsEmpty());
}

constexpr std::string_view kAtom = R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example.org/">
  <title type="html">Dev &lt;em&gt;Blog&lt;/em&gt;</title>
  <link rel="self" href="/feed.atom"/>
  <link rel="alternate" type="text/html" href="/"/>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2025-09-02T12:00:00Z</updated>
  <entry xml:base="posts/2025/">
    <title type="text">Release 2.0 &amp; beyond</title>
    <link rel="alternate" href="release-2.html?utm_campaign=atom"/>
    <link rel="enclosure" href="https://cdn.example.org/r.mp3"/>
    <id>tag:blog.example.org,2025:/posts/2025/release-2</id>
    <published>2025-09-02T10:00:00+02:00</published>
    <updated>2025-09-03T10:00:00Z</updated>
    <summary>Summary text</summary>
    <content type="xhtml">
      <div xmlns="http://www.w3.org/1999/xhtml">
        <p>We shipped <strong>2.0</strong>&#8482;.</p>
        <ul><li>Faster</li><li>Smaller</li></ul>
        <script>evil()</script>
      </div>
    </content>
  </entry>
  <entry>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">An <b>xhtml</b> title</div>
    </title>
    <link href="../about"/>
    <id>tag:blog.example.org,2025:about</id>
    <updated>2025-08-01T00:00:00Z</updated>
    <content type="html">&lt;p&gt;One&lt;/p&gt;&lt;p&gt;Two &amp;amp; three&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Text only</title>
    <link href="https://other.example.net/x"/>
    <id>tag:x</id>
    <updated>2025-08-02T00:00:00Z</updated>
    <summary type="text">Plain &lt;not a tag&gt;

second para</summary>
  </entry>
</feed>)";

TEST(ParseFeedTest, AtomWithXhtmlAndXmlBase) {
  absl::StatusOr<Feed> feed = ParseFeed(kAtom);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->format, "atom1.0");
  EXPECT_EQ(feed->title, "Dev Blog");
  EXPECT_EQ(feed->link, "https://blog.example.org/");
  ASSERT_THAT(feed->items, SizeIs(3));

  const FeedItem& a = feed->items[0];
  EXPECT_EQ(a.id, "tag:blog.example.org,2025:/posts/2025/release-2");
  EXPECT_EQ(a.title, "Release 2.0 & beyond");
  EXPECT_EQ(a.url, "https://blog.example.org/posts/2025/release-2.html");
  ASSERT_TRUE(a.published.has_value());
  EXPECT_EQ(FormatRfc3339(*a.published), "2025-09-02T08:00:00Z");  // published beats updated
  EXPECT_EQ(a.text, "We shipped 2.0\u2122.\nFaster\nSmaller");

  const FeedItem& b = feed->items[1];
  EXPECT_EQ(b.title, "An xhtml title");
  EXPECT_EQ(b.url, "https://blog.example.org/about");
  EXPECT_EQ(FormatRfc3339(b.published.value()), "2025-08-01T00:00:00Z");  // updated fallback
  EXPECT_EQ(b.text, "One\nTwo & three");

  const FeedItem& c = feed->items[2];
  EXPECT_EQ(c.url, "https://other.example.net/x");
  EXPECT_EQ(c.text, "Plain <not a tag>\nsecond para");  // type=text is not HTML
  EXPECT_THAT(feed->warnings, IsEmpty());
}

TEST(ParseFeedTest, MalformedRssIsRecoveredWithWarnings) {
  constexpr std::string_view kBroken = R"(<?xml version="1.0"?>
<rss version="2.0">
<channel>
<title>Tom & Jerry's &nbsp;Feed</title>
<link>http://example.com/</link>
<item>
<title>Unclosed title
<link>http://example.com/1</link>
<description>Fish & chips</description>
</item>
<item>
<title>Second &amp; last</title>
<link>http://example.com/2</link>
<description>&lt;p&gt;Still &amp;amp; fine&lt;/p&gt;</description>
</item>
</channel>
</rss>)";
  absl::StatusOr<Feed> feed = ParseFeed(kBroken);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->format, "rss2.0");
  EXPECT_EQ(feed->title, "Tom & Jerry's Feed");
  EXPECT_THAT(feed->warnings, ElementsAre("line 7: unclosed <title> recovered",
                                          "line 4: unescaped '&' escaped (2 times)"));
  // Everything around the broken markup is still read, entities included.
  ASSERT_THAT(feed->items, SizeIs(2));
  EXPECT_EQ(feed->items[0].title, "Unclosed title");
  EXPECT_EQ(feed->items[0].url, "http://example.com/1");
  EXPECT_EQ(feed->items[0].text, "Fish & chips");
  const FeedItem& last = feed->items[1];
  EXPECT_EQ(last.title, "Second & last");
  EXPECT_EQ(last.url, "http://example.com/2");
  EXPECT_EQ(last.text, "Still & fine");
}

TEST(ParseFeedTest, MalformedRssUnclosedTagKeepsItems) {
  absl::StatusOr<Feed> feed = ParseFeed(R"(<rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>http://example.com/1</link><description><b>bold</description></item>
<item><title>Two</title><link>http://example.com/2</link></item>
</channel>)");
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_THAT(feed->items, SizeIs(2));
  EXPECT_EQ(feed->items[0].text, "bold");
  EXPECT_EQ(feed->items[1].url, "http://example.com/2");
  EXPECT_THAT(feed->warnings, ElementsAre("line 2: unclosed <b> recovered",
                                          "line 1: unclosed <rss> at end of document recovered"));
}

TEST(ParseFeedTest, NotAFeedIsInvalidArgument) {
  for (std::string_view doc :
       {std::string_view("<!DOCTYPE html><html><head><title>Hi</title></head>"
                         "<body><p>Hello</p></body></html>"),
        std::string_view("{\"items\": []}"), std::string_view("just some text"),
        std::string_view(""), std::string_view("<svg xmlns='http://www.w3.org/2000/svg'/>")}) {
    absl::StatusOr<Feed> feed = ParseFeed(doc);
    ASSERT_FALSE(feed.ok()) << doc;
    EXPECT_EQ(feed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(feed.status().message(), HasSubstr("not a feed")) << feed.status();
  }
}

TEST(ParseFeedTest, XxeDoesNotLeakFiles) {
  constexpr std::string_view kXxe = R"(<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd">
  %remote;
]>
<rss version="2.0"><channel><title>&xxe;</title>
<item><title>Item &xxe;</title><description>&xxe;</description><link>http://e.com/</link></item>
</channel></rss>)";
  absl::StatusOr<Feed> feed = ParseFeed(kXxe);
  ASSERT_TRUE(feed.ok()) << feed.status();
  std::string all = feed->title + Joined(*feed);
  for (const FeedItem& it : feed->items) all += it.title + it.text + it.id;
  EXPECT_THAT(all, ::testing::Not(HasSubstr("root:")));
  EXPECT_THAT(all, ::testing::Not(HasSubstr("/bin/")));
  EXPECT_THAT(Joined(*feed), HasSubstr("DOCTYPE removed"));
}

TEST(ParseFeedTest, BillionLaughsDoesNotBlowUp) {
  std::string doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n";
  doc += "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n";
  for (int i = 2; i <= 9; ++i) {
    doc += absl::StrCat("<!ENTITY lol", i, " \"");
    for (int j = 0; j < 10; ++j) absl::StrAppend(&doc, "&lol", i - 1, ";");
    doc += "\">\n";
  }
  doc +=
      "]>\n<rss version=\"2.0\"><channel><title>&lol9;</title>"
      "<item><title>x</title><description>&lol9;</description></item></channel></rss>";
  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<Feed> feed = ParseFeed(doc);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  if (feed.ok()) {
    EXPECT_LT(feed->title.size(), 1000u);
    for (const FeedItem& it : feed->items) EXPECT_LT(it.text.size(), 1000u);
  }
}

TEST(ParseFeedTest, Rss1Rdf) {
  absl::StatusOr<Feed> feed = ParseFeed(R"(<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://example.org/rss">
    <title>RDF Site</title><link>http://example.org/</link>
    <items><rdf:Seq><rdf:li resource="http://example.org/a"/></rdf:Seq></items>
  </channel>
  <item rdf:about="http://example.org/a">
    <title>RDF item</title><link>http://example.org/a</link>
    <description>Hello &lt;b&gt;RDF&lt;/b&gt;</description>
    <dc:date>2025-09-02T14:05:00Z</dc:date>
  </item>
</rdf:RDF>)");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->format, "rss1.0");
  EXPECT_EQ(feed->title, "RDF Site");
  ASSERT_THAT(feed->items, SizeIs(1));
  EXPECT_EQ(feed->items[0].url, "http://example.org/a");
  EXPECT_EQ(feed->items[0].text, "Hello RDF");
  EXPECT_EQ(FormatRfc3339(feed->items[0].published.value()), "2025-09-02T14:05:00Z");
}

TEST(ParseFeedTest, Atom03AndRss091) {
  absl::StatusOr<Feed> atom = ParseFeed(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Old Atom</title><link rel="alternate" type="text/html" href="http://old.example/"/>
  <entry><title>E</title><link rel="alternate" type="text/html" href="http://old.example/e"/>
    <id>tag:old,2005:e</id><issued>2005-01-02T03:04:05Z</issued>
    <content type="text/html" mode="escaped">&lt;p&gt;Escaped&lt;/p&gt;</content></entry>
</feed>)");
  ASSERT_TRUE(atom.ok()) << atom.status();
  EXPECT_EQ(atom->format, "atom0.3");
  ASSERT_THAT(atom->items, SizeIs(1));
  EXPECT_EQ(atom->items[0].text, "Escaped");
  EXPECT_EQ(FormatRfc3339(atom->items[0].published.value()), "2005-01-02T03:04:05Z");

  absl::StatusOr<Feed> rss = ParseFeed(R"(<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>http://old.example/</link>
<item><title>It&#146;s old</title><link>http://old.example/1</link></item></channel></rss>)");
  ASSERT_TRUE(rss.ok()) << rss.status();
  EXPECT_EQ(rss->format, "rss0.9x");
  ASSERT_THAT(rss->items, SizeIs(1));
  EXPECT_EQ(rss->items[0].title, "It\u2019s old");  // cp1252 reference repaired
}

std::string Latin1Feed(absl::string_view declared) {
  return absl::StrCat("<?xml version=\"1.0\" encoding=\"", declared,
                      "\"?><rss version=\"2.0\"><channel><title>Caf\xe9 \x93quoted\x94</title>"
                      "</channel></rss>");
}

TEST(ParseFeedTest, EncodingFromDeclaration) {
  absl::StatusOr<Feed> feed = ParseFeed(Latin1Feed("ISO-8859-1"));
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->title, "Caf\u00e9 \u201cquoted\u201d");  // read as windows-1252
  EXPECT_THAT(feed->warnings, IsEmpty());
}

TEST(ParseFeedTest, ContentTypeCharsetWinsOverDeclaration) {
  absl::StatusOr<Feed> feed =
      ParseFeed(Latin1Feed("UTF-8"), "application/rss+xml; charset=\"windows-1252\"");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->title, "Caf\u00e9 \u201cquoted\u201d");

  // And the other way round: a UTF-8 body mislabelled in the declaration.
  absl::StatusOr<Feed> utf8 = ParseFeed(
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel>"
      "<title>Caf\u00e9</title></channel></rss>",
      "text/xml; charset=utf-8");
  ASSERT_TRUE(utf8.ok()) << utf8.status();
  EXPECT_EQ(utf8->title, "Caf\u00e9");
}

TEST(ParseFeedTest, Utf16WithBom) {
  std::string ascii =
      "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\">"
      "<channel><title>Wide</title></channel></rss>";
  std::string doc = "\xFF\xFE";
  for (char c : ascii) {
    doc.push_back(c);
    doc.push_back('\0');
  }
  absl::StatusOr<Feed> feed = ParseFeed(doc, "application/xml; charset=iso-8859-1");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->title, "Wide");
}

TEST(ParseFeedTest, InvalidUtf8IsReplaced) {
  absl::StatusOr<Feed> feed =
      ParseFeed("<rss version=\"2.0\"><channel><title>bad \xC3\x28 byte</title></channel></rss>");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->title, "bad \uFFFD( byte");
  EXPECT_THAT(Joined(*feed), HasSubstr("invalid UTF-8"));
}

TEST(ParseFeedTest, ConcurrentParsesAgree) {
  std::vector<std::thread> threads;
  std::vector<std::string> first_ids(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &first_ids] {
      for (int i = 0; i < 50; ++i) {
        absl::StatusOr<Feed> feed = ParseFeed(i % 2 == 0 ? kRss2 : kAtom);
        if (feed.ok() && i == 0) first_ids[t] = feed->items[0].id;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& id : first_ids) EXPECT_EQ(id, "news-42");
}

TEST(ParseFeedTest, RefusesOversizedInput) {
  std::string doc(2000, ' ');
  absl::StatusOr<Feed> feed = ParseFeed(doc, "", 1000);
  ASSERT_FALSE(feed.ok());
  EXPECT_EQ(feed.status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace ww::feeds

namespace ww::feeds {
namespace {
// FIPS 180-4 known answers: fallback item ids ("sha256:...") must be real SHA-256.
TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(runtime::Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(runtime::Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(runtime::Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
}  // namespace
}  // namespace ww::feeds
