#include "libs/delivery/email.h"

#include <map>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"

namespace ww::delivery {
namespace {

ww::v1::Alert KimAlert() {
  ww::v1::Alert a;
  a.set_id("al-kim-putin-0042");
  a.set_rule_id("kim-putin-summit");
  a.set_rule_name("Kim meets Putin");
  a.set_entity_id("kim-jong-un");
  a.set_entity_name("Kim Jong Un");
  a.set_title("Kim's train <arrives> in Vladivostok & Putin waits");
  a.set_url("https://news.example.com/kim?a=1&b=2");
  a.set_severity("high");
  a.set_snippet("The armoured train crossed the Tumen river at dawn.");
  a.add_outlets("Yonhap");
  a.add_outlets("Reuters");
  a.set_outlet_count(5);
  a.set_version(1);
  a.set_published_unix_ms(1'790'000'000'000);
  return a;
}

Destination Desk() {
  Destination d;
  d.id = "desk-mail";
  d.type = DestinationType::kEmail;
  d.to = {"desk@example.com", "night@example.com"};
  d.smtp = "smtp://mail.example.com:587";
  return d;
}

struct Parsed {
  std::map<std::string, std::string> headers;              // unfolded
  std::vector<std::pair<std::string, std::string>> parts;  // content type, decoded body
};

// Reads the message as a mail reader would: headers (unfolded), then each MIME part with
// its base64 body decoded.
Parsed Parse(const std::string& m) {
  Parsed p;
  const size_t end = m.find("\r\n\r\n");
  std::string head = m.substr(0, end);
  head = absl::StrReplaceAll(head, {{"\r\n ", " "}});
  for (absl::string_view line : absl::StrSplit(head, "\r\n")) {
    const size_t colon = line.find(':');
    p.headers[std::string(line.substr(0, colon))] =
        std::string(absl::StripLeadingAsciiWhitespace(line.substr(colon + 1)));
  }
  const std::string ct = p.headers["Content-Type"];
  const std::string boundary = ct.substr(ct.find("boundary=\"") + 10);
  const std::string delimiter = "--" + boundary.substr(0, boundary.size() - 1);
  std::vector<std::string> chunks = absl::StrSplit(m.substr(end + 4), delimiter);
  for (const std::string& chunk : chunks) {
    const size_t body_at = chunk.find("\r\n\r\n");
    if (body_at == std::string::npos) continue;
    const std::string part_head = chunk.substr(0, body_at);
    std::string type = part_head.substr(part_head.find("Content-Type: ") + 14);
    type = type.substr(0, type.find(';'));
    std::string decoded;
    EXPECT_TRUE(absl::Base64Unescape(absl::StrReplaceAll(chunk.substr(body_at + 4), {{"\r\n", ""}}),
                                     &decoded));
    p.parts.emplace_back(type, decoded);
  }
  return p;
}

// RFC 2047 B-encoded words back to UTF-8 (what a mail reader shows).
std::string DecodeWords(const std::string& value) {
  if (!absl::StartsWith(value, "=?UTF-8?B?")) return value;
  std::string out;
  for (absl::string_view word : absl::StrSplit(value, ' ', absl::SkipEmpty())) {
    absl::ConsumePrefix(&word, "=?UTF-8?B?");
    absl::ConsumeSuffix(&word, "?=");
    std::string bytes;
    EXPECT_TRUE(absl::Base64Unescape(word, &bytes)) << word;
    out += bytes;
  }
  return out;
}

TEST(EmailMessageTest, HeadersAPlainAndAnHtmlPart) {
  const absl::Time now = absl::FromUnixSeconds(1'790'000'100);
  const std::string m = EmailMessage(Desk(), KimAlert(), "alerts@wirewatch.example", now);
  const Parsed p = Parse(m);
  EXPECT_EQ(p.headers.at("From"), "alerts@wirewatch.example");
  EXPECT_EQ(p.headers.at("To"), "desk@example.com, night@example.com");
  EXPECT_EQ(p.headers.at("Subject"),
            "[HIGH] Kim meets Putin: Kim's train <arrives> in Vladivostok & Putin waits");
  EXPECT_EQ(p.headers.at("Date"), "Mon, 21 Sep 2026 14:15:00 +0000");
  EXPECT_EQ(p.headers.at("Message-ID"), "<msg_al-kim-putin-0042_v1@wirewatch.example>");
  EXPECT_FALSE(p.headers.contains("In-Reply-To")) << "a first alert starts a thread";
  EXPECT_EQ(p.headers.at("Auto-Submitted"), "auto-generated");
  ASSERT_EQ(p.parts.size(), 2u);
  EXPECT_EQ(p.parts[0].first, "text/plain");
  EXPECT_TRUE(absl::StrContains(p.parts[0].second, "https://news.example.com/kim?a=1&b=2"));
  EXPECT_TRUE(absl::StrContains(p.parts[0].second, "Yonhap, Reuters and 3 more"));
  EXPECT_TRUE(absl::StrContains(p.parts[0].second, "Tumen river"));
  EXPECT_EQ(p.parts[1].first, "text/html");
  EXPECT_TRUE(absl::StrContains(p.parts[1].second,
                                "<a href=\"https://news.example.com/kim?a=1&amp;b=2\">Kim&#39;s "
                                "train &lt;arrives&gt; in Vladivostok &amp; Putin waits</a>"))
      << p.parts[1].second;
  for (absl::string_view line : absl::StrSplit(m, "\r\n")) {
    EXPECT_LE(line.size(), 998u) << "RFC 5322 line limit";
  }
}

TEST(EmailMessageTest, AnUpdateRepliesToTheStorysFirstAlertWithTheSameIdOnRetry) {
  ww::v1::Alert update = KimAlert();
  update.set_version(3);
  const std::string first = EmailMessage(Desk(), update, "alerts@wirewatch.example",
                                         absl::FromUnixSeconds(1'790'000'100));
  const std::string retry = EmailMessage(Desk(), update, "Wirewatch <alerts@wirewatch.example>",
                                         absl::FromUnixSeconds(1'790'000'500));
  const Parsed p = Parse(first);
  EXPECT_EQ(p.headers.at("Message-ID"), "<msg_al-kim-putin-0042_v3@wirewatch.example>");
  EXPECT_EQ(p.headers.at("In-Reply-To"), "<msg_al-kim-putin-0042_v1@wirewatch.example>");
  EXPECT_EQ(p.headers.at("References"), "<msg_al-kim-putin-0042_v1@wirewatch.example>");
  EXPECT_TRUE(absl::StartsWith(p.headers.at("Subject"), "Re: [HIGH]"));
  EXPECT_EQ(Parse(retry).headers.at("Message-ID"), p.headers.at("Message-ID"));
}

TEST(EmailMessageTest, NonAsciiSubjectsAreEncodedWordsThatDecodeBack) {
  ww::v1::Alert a = KimAlert();
  a.set_rule_name("Ким Чен Ын");
  a.set_title("김정은 위원장, 블라디보스토크 도착 — 푸틴 대통령과 정상회담 예정 (종합)");
  const Parsed p = Parse(EmailMessage(Desk(), a, "alerts@wirewatch.example", absl::Now()));
  EXPECT_EQ(
      DecodeWords(p.headers.at("Subject")),
      "[HIGH] Ким Чен Ын: 김정은 위원장, 블라디보스토크 도착 — 푸틴 대통령과 정상회담 예정 (종합)");
}

TEST(EmailMessageTest, NoHeaderInjection) {
  EXPECT_EQ(EncodeHeader("a\r\nBcc: all@example.com"), "a  Bcc: all@example.com");
  const std::string folded = EncodeHeader("é\r\nBcc: x@example.com");
  EXPECT_FALSE(absl::StrContains(DecodeWords(folded), "\n"));
  for (absl::string_view line : absl::StrSplit(EncodeHeader(std::string(200, 'e') + "é"), "\r\n")) {
    EXPECT_LE(line.size(), 76u);
  }
}

TEST(DigestMessageTest, AlertsGroupedByStoryReferencingEachStorysFirstAlert) {
  ww::v1::Alert kim = KimAlert();
  kim.set_cluster_id("story-kim");
  ww::v1::Alert kim_place = kim;
  kim_place.set_id("al-kim-vladivostok-0043");
  kim_place.set_rule_name("Vladivostok");
  kim_place.set_entity_name("Vladivostok");
  ww::v1::Alert quake;
  quake.set_id("al-quake-7");
  quake.set_cluster_id("story-quake");
  quake.set_rule_id("quakes");
  quake.set_entity_id("japan");
  quake.set_severity("critical");
  quake.set_version(2);
  quake.set_title("Magnitude 7 earthquake off Japan");
  const std::vector<ww::v1::Alert> alerts = {kim, quake, kim_place};
  const absl::Time now = absl::FromUnixSeconds(1'790'000'100);
  const std::string m = DigestMessage(Desk(), alerts, "alerts@wirewatch.example", now);
  const Parsed p = Parse(m);
  EXPECT_EQ(p.headers.at("Subject"),
            "[Wirewatch] 3 alerts: Kim's train <arrives> in Vladivostok & Putin waits and 1 more "
            "stories");
  EXPECT_EQ(p.headers.at("Message-ID"), "<digest_msg_al-kim-putin-0042_v1_n3@wirewatch.example>");
  EXPECT_EQ(p.headers.at("References"),
            "<msg_al-kim-putin-0042_v1@wirewatch.example> <msg_al-quake-7_v1@wirewatch.example>");
  EXPECT_EQ(p.headers.at("In-Reply-To"), "<msg_al-kim-putin-0042_v1@wirewatch.example>");
  ASSERT_EQ(p.parts.size(), 2u);
  const std::string& text = p.parts[0].second;
  EXPECT_TRUE(absl::StartsWith(text, "3 alerts in 2 stories\n")) << text;
  // Kim's story first, both of its alerts under it; then the quake.
  const size_t kim_at = text.find("== Kim's train"), quake_at = text.find("== Magnitude 7");
  const size_t rule_a = text.find("[HIGH] Kim meets Putin - Kim Jong Un");
  const size_t rule_b = text.find("[HIGH] Vladivostok - Vladivostok");
  const size_t rule_q = text.find("[CRITICAL] quakes - japan, update 2");
  ASSERT_NE(kim_at, std::string::npos) << text;
  ASSERT_NE(quake_at, std::string::npos) << text;
  EXPECT_TRUE(kim_at < rule_a && rule_a < rule_b && rule_b < quake_at && quake_at < rule_q) << text;
  EXPECT_TRUE(absl::StrContains(p.parts[1].second, "Kim&#39;s train &lt;arrives&gt;"));
  EXPECT_EQ(DigestMessage(Desk(), alerts, "alerts@wirewatch.example", now + absl::Minutes(5))
                .find("Message-ID: <digest_msg_al-kim-putin-0042_v1_n3@"),
            m.find("Message-ID: <digest_msg_al-kim-putin-0042_v1_n3@"))
      << "the same batch sent again keeps its Message-ID";
}

}  // namespace
}  // namespace ww::delivery
