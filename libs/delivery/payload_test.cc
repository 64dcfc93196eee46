#include "libs/delivery/payload.h"

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"

namespace ww::delivery {
namespace {

using nlohmann::json;

// Hostile on purpose: markup, quotes, a newline and a byte that is not UTF-8.
constexpr char kHostile[] = "Kim <b>&</b> \"Putin\" <!channel>\nline two \xff end";

ww::v1::Alert SampleAlert() {
  ww::v1::Alert a;
  a.set_id("a/42:7");
  a.set_rule_id("kim-putin-summit");
  a.set_rule_name("Kim meets Putin");
  a.set_entity_id("kim-jong-un");
  a.set_entity_name("Kim Jong Un");
  a.set_title("Kim arrives in Vladivostok");
  a.set_url("https://news.example.org/a?x=1&y=2");
  a.set_source("yonhap");
  a.set_snippet("… the «Kim Jong Un» train reached …");
  a.set_severity("high");
  a.set_owner("desk-a");
  a.set_version(3);
  a.set_outlet_count(12);
  a.add_outlets("yonhap");
  a.set_cursor("0:1234");
  return a;
}

json Parse(const std::string& s) {
  json j = json::parse(s, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << s;
  return j;
}

TEST(SignStandardWebhook, TheSpecificationsTestVector) {
  // From the Standard Webhooks reference libraries (libraries/python/tests/test_webhooks.py,
  // test_sign_function), checked again with Python's hmac and base64.
  auto sig =
      SignStandardWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                          1614265330, R"({"test": 2432232314})");
  ASSERT_TRUE(sig.ok()) << sig.status();
  EXPECT_EQ(*sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  // Without the prefix the secret is the key itself.
  EXPECT_EQ(*SignStandardWebhook("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                 1614265330, R"({"test": 2432232314})"),
            *sig);
  // Any change to what is signed changes the signature.
  EXPECT_NE(
      *SignStandardWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                           1614265331, R"({"test": 2432232314})"),
      *sig);
  EXPECT_NE(
      *SignStandardWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                           1614265330, R"({"test": 2432232315})"),
      *sig);
}

TEST(SignStandardWebhook, ASecretThatIsNotBase64IsRefused) {
  for (const char* bad : {"whsec_not*base64!", "whsec_", ""}) {
    auto sig = SignStandardWebhook(bad, "msg_1", 1, "{}");
    EXPECT_EQ(sig.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(WebhookId, StablePerAlertAndVersion) {
  ww::v1::Alert a = SampleAlert();
  EXPECT_EQ(WebhookId(a), "msg_a_42_7_v3");
  a.set_version(4);
  EXPECT_EQ(WebhookId(a), "msg_a_42_7_v4");
  a.set_id("r1-Ab_9");
  EXPECT_EQ(WebhookId(a), "msg_r1-Ab_9_v4");
}

TEST(AlertJson, ProtoFieldNamesWithoutTheCursor) {
  const json j = Parse(AlertJson(SampleAlert()));
  EXPECT_EQ(j["rule_id"], "kim-putin-summit");
  EXPECT_EQ(j["entity_name"], "Kim Jong Un");
  EXPECT_EQ(j["outlets"], json::array({"yonhap"}));
  EXPECT_EQ(j["outlet_count"], "12") << "protobuf JSON writes int64 as a string";
  EXPECT_FALSE(j.contains("cursor"));
  EXPECT_FALSE(j.contains("ruleId"));
}

TEST(SlackPayload, FallbackTextAndBlocks) {
  const json j = Parse(SlackPayload(SampleAlert()));
  EXPECT_EQ(j["text"], "[HIGH] Kim meets Putin: Kim arrives in Vladivostok");
  const json& blocks = j["blocks"];
  ASSERT_EQ(blocks.size(), 3u) << j.dump(2);
  EXPECT_EQ(blocks[0], json::parse(R"({"type": "section", "text": {"type": "mrkdwn",
      "text": "*<https://news.example.org/a?x=1&amp;y=2|Kim arrives in Vladivostok>*"}})"));
  EXPECT_EQ(blocks[1], json::parse(R"({"type": "section", "fields": [
      {"type": "mrkdwn", "text": "*Entity*\nKim Jong Un"},
      {"type": "mrkdwn", "text": "*Rule*\nKim meets Putin"},
      {"type": "mrkdwn", "text": "*Severity*\nHIGH"},
      {"type": "mrkdwn", "text": "*Outlets*\n12"}]})"));
  EXPECT_EQ(blocks[2], json::parse(R"({"type": "context", "elements": [
      {"type": "mrkdwn", "text": "… the «Kim Jong Un» train reached …"}]})"));
}

TEST(SlackPayload, HostileTextIsEscapedAndStaysJson) {
  ww::v1::Alert a = SampleAlert();
  a.set_title(kHostile);
  a.set_entity_name(kHostile);
  a.set_snippet(kHostile);
  a.set_url("https://x.example/a|b>c");
  a.clear_rule_name();
  const json j = Parse(SlackPayload(a));
  // &, < and > are Slack's markup; everything else is carried as written, the stray byte as
  // U+FFFD.
  const std::string escaped =
      "Kim &lt;b&gt;&amp;&lt;/b&gt; \"Putin\" &lt;!channel&gt;\nline two \uFFFD end";
  EXPECT_EQ(j["text"], "[HIGH] kim-putin-summit: " + escaped) << "the rule id without a name";
  EXPECT_EQ(j["blocks"][0]["text"]["text"], "*<https://x.example/a%7Cb&gt;c|" + escaped + ">*");
  EXPECT_EQ(j["blocks"][1]["fields"][0]["text"], "*Entity*\n" + escaped);
  EXPECT_EQ(j["blocks"][2]["elements"][0]["text"], escaped);
}

TEST(SlackPayload, NoEmptyTextObjects) {
  ww::v1::Alert a = SampleAlert();
  a.clear_snippet();
  a.clear_url();
  const json j = Parse(SlackPayload(a));
  ASSERT_EQ(j["blocks"].size(), 2u) << "no snippet, no context block";
  EXPECT_EQ(j["blocks"][0]["text"]["text"], "*Kim arrives in Vladivostok*") << "no url, no link";
}

TEST(TeamsPayload, AnAdaptiveCardInAMessage) {
  const json j = Parse(TeamsPayload(SampleAlert()));
  // The shape of Microsoft's Workflows example; the card as in adaptivecards.io's samples.
  EXPECT_EQ(j, json::parse(R"({
    "type": "message",
    "attachments": [{
      "contentType": "application/vnd.microsoft.card.adaptive",
      "contentUrl": null,
      "content": {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
          {"type": "TextBlock", "text": "Kim arrives in Vladivostok", "weight": "Bolder",
           "size": "Medium", "wrap": true},
          {"type": "FactSet", "facts": [
            {"title": "Entity", "value": "Kim Jong Un"},
            {"title": "Rule", "value": "Kim meets Putin"},
            {"title": "Severity", "value": "high"},
            {"title": "Outlets", "value": "12"}]},
          {"type": "TextBlock", "text": "… the «Kim Jong Un» train reached …", "wrap": true}
        ],
        "actions": [{"type": "Action.OpenUrl", "title": "Open article",
                     "url": "https://news.example.org/a?x=1&y=2"}]
      }
    }]
  })"))
      << j.dump(2);
}

TEST(TeamsPayload, HostileTextIsCarriedAsText) {
  ww::v1::Alert a = SampleAlert();
  a.set_title(kHostile);
  a.set_snippet(kHostile);
  a.clear_url();
  const json j = Parse(TeamsPayload(a));
  const std::string carried = "Kim <b>&</b> \"Putin\" <!channel>\nline two \uFFFD end";
  const json& card = j["attachments"][0]["content"];
  EXPECT_EQ(card["body"][0]["text"], carried);
  EXPECT_EQ(card["body"][2]["text"], carried);
  EXPECT_FALSE(card.contains("actions")) << "no url, no Action.OpenUrl";
}

TEST(BuildMessage, WebhookSignedWithTheStandardHeaders) {
  Destination d;
  d.type = DestinationType::kWebhook;
  const ww::v1::Alert a = SampleAlert();
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  auto m = BuildMessage(d, a, secret, 1700000000);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->body, AlertJson(a));
  ASSERT_EQ(m->headers.size(), 4u);
  EXPECT_EQ(m->headers[0], "Content-Type: application/json");
  EXPECT_EQ(m->headers[1], "webhook-id: msg_a_42_7_v3");
  EXPECT_EQ(m->headers[2], "webhook-timestamp: 1700000000");
  EXPECT_EQ(m->headers[3], "webhook-signature: " +
                               *SignStandardWebhook(secret, "msg_a_42_7_v3", 1700000000, m->body));

  auto unsigned_message = BuildMessage(d, a, "", 1700000000);
  ASSERT_TRUE(unsigned_message.ok());
  EXPECT_EQ(unsigned_message->headers.size(), 3u) << "no secret, no signature";

  EXPECT_EQ(BuildMessage(d, a, "whsec_not*base64!", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(BuildMessage, SlackTeamsAndEmail) {
  const ww::v1::Alert a = SampleAlert();
  Destination d;
  d.type = DestinationType::kSlack;
  auto slack = BuildMessage(d, a, "ignored", 1);
  ASSERT_TRUE(slack.ok()) << slack.status();
  EXPECT_EQ(slack->body, SlackPayload(a));
  EXPECT_EQ(slack->headers, std::vector<std::string>{"Content-Type: application/json"});

  d.type = DestinationType::kTeams;
  auto teams = BuildMessage(d, a, "", 1);
  ASSERT_TRUE(teams.ok()) << teams.status();
  EXPECT_EQ(teams->body, TeamsPayload(a));
  EXPECT_EQ(teams->headers, std::vector<std::string>{"Content-Type: application/json"});

  d.type = DestinationType::kEmail;
  auto mail = BuildMessage(d, a, "", 1);
  EXPECT_EQ(mail.status().code(), absl::StatusCode::kInvalidArgument)
      << "email is a mail (EmailMessage), not an HTTP message";
}

}  // namespace
}  // namespace ww::delivery
