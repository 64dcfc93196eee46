#include "libs/delivery/payload.h"

#include <google/protobuf/util/json_util.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "libs/runtime/json.h"

namespace ww::delivery {
namespace {

using Json = nlohmann::ordered_json;

// This Abseil is built for C++14: its string_view is its own type, not std::string_view.
absl::string_view AsAbsl(std::string_view s) { return {s.data(), s.size()}; }

// Slack reads &, < and > as markup (links, mentions); everything else is shown as written.
// https://api.slack.com/reference/surfaces/formatting#escaping
std::string SlackEscape(std::string_view s) {
  return absl::StrReplaceAll(AsAbsl(s), {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}});
}

}  // namespace

std::string EntityOf(const ww::v1::Alert& a) {
  return a.entity_name().empty() ? a.entity_id() : a.entity_name();
}
std::string RuleOf(const ww::v1::Alert& a) {
  return a.rule_name().empty() ? a.rule_id() : a.rule_name();
}
std::string TitleOf(const ww::v1::Alert& a) { return a.title().empty() ? a.url() : a.title(); }
std::string Headline(const ww::v1::Alert& a) {
  return absl::StrCat("[", absl::AsciiStrToUpper(a.severity()), "] ", RuleOf(a), ": ", TitleOf(a));
}

std::string AlertJson(const ww::v1::Alert& a) {
  ww::v1::Alert copy = a;
  copy.clear_cursor();  // a subscriber's resume point, meaningless to a webhook
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(copy, &out, options);
  return out;
}

std::string WebhookId(const ww::v1::Alert& a) {
  std::string id = a.id();
  for (char& c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  }
  return absl::StrCat("msg_", id, "_v", a.version());
}

absl::StatusOr<std::string> SignStandardWebhook(std::string_view secret, std::string_view id,
                                                int64_t timestamp_seconds, std::string_view body) {
  if (secret.starts_with("whsec_")) secret.remove_prefix(std::string_view("whsec_").size());
  std::string key;
  if (!absl::Base64Unescape(AsAbsl(secret), &key) || key.empty()) {
    return absl::InvalidArgumentError("webhook secret: not \"whsec_\" followed by a base64 key");
  }
  const std::string signed_content =
      absl::StrCat(AsAbsl(id), ".", timestamp_seconds, ".", AsAbsl(body));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(signed_content.data()), signed_content.size(),
           mac, &mac_len) == nullptr) {
    return absl::InternalError("webhook secret: HMAC-SHA256 failed");
  }
  return absl::StrCat(
      "v1,", absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(mac), mac_len)));
}

std::string SlackPayload(const ww::v1::Alert& a) {
  const std::string severity = absl::AsciiStrToUpper(a.severity());
  const std::string title = SlackEscape(TitleOf(a));
  // A '|' in the URL would end it early inside <url|text>; %7C is the same URL.
  const std::string url = absl::StrReplaceAll(SlackEscape(a.url()), {{"|", "%7C"}});
  auto field = [](absl::string_view name, absl::string_view value) {
    return Json{{"type", "mrkdwn"}, {"text", absl::StrCat("*", name, "*\n", value)}};
  };
  Json blocks = Json::array();
  blocks.push_back({{"type", "section"},
                    {"text",
                     {{"type", "mrkdwn"},
                      {"text", url.empty() ? absl::StrCat("*", title, "*")
                                           : absl::StrCat("*<", url, "|", title, ">*")}}}});
  blocks.push_back({{"type", "section"},
                    {"fields", Json::array({field("Entity", SlackEscape(EntityOf(a))),
                                            field("Rule", SlackEscape(RuleOf(a))),
                                            field("Severity", SlackEscape(severity)),
                                            field("Outlets", absl::StrCat(a.outlet_count()))})}});
  // Slack refuses a text object with no text, so an alert without a snippet has no block for it.
  if (!a.snippet().empty()) {
    blocks.push_back(
        {{"type", "context"},
         {"elements", Json::array({{{"type", "mrkdwn"}, {"text", SlackEscape(a.snippet())}}})}});
  }
  Json j;
  j["text"] = SlackEscape(Headline(a));
  j["blocks"] = std::move(blocks);
  return runtime::ToJsonLine(j);
}

std::string TeamsPayload(const ww::v1::Alert& a) {
  auto fact = [](const std::string& title, const std::string& value) {
    return Json{{"title", title}, {"value", value}};
  };
  Json body = Json::array();
  body.push_back({{"type", "TextBlock"},
                  {"text", TitleOf(a)},
                  {"weight", "Bolder"},
                  {"size", "Medium"},
                  {"wrap", true}});
  body.push_back({{"type", "FactSet"},
                  {"facts", Json::array({fact("Entity", EntityOf(a)), fact("Rule", RuleOf(a)),
                                         fact("Severity", a.severity()),
                                         fact("Outlets", absl::StrCat(a.outlet_count()))})}});
  if (!a.snippet().empty()) {
    body.push_back({{"type", "TextBlock"}, {"text", a.snippet()}, {"wrap", true}});
  }
  Json card;
  card["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json";
  card["type"] = "AdaptiveCard";
  card["version"] = "1.4";
  card["body"] = std::move(body);
  // Action.OpenUrl requires a url: without one the card has no action.
  if (!a.url().empty()) {
    card["actions"] =
        Json::array({{{"type", "Action.OpenUrl"}, {"title", "Open article"}, {"url", a.url()}}});
  }
  Json attachment;
  attachment["contentType"] = "application/vnd.microsoft.card.adaptive";
  attachment["contentUrl"] = nullptr;
  attachment["content"] = std::move(card);
  Json j;
  j["type"] = "message";
  j["attachments"] = Json::array({std::move(attachment)});
  return runtime::ToJsonLine(j);
}

absl::StatusOr<HttpMessage> BuildMessage(const Destination& d, const ww::v1::Alert& a,
                                         std::string_view secret, int64_t now_seconds) {
  HttpMessage m;
  m.headers.push_back("Content-Type: application/json");
  switch (d.type) {
    case DestinationType::kWebhook: {
      m.body = AlertJson(a);
      const std::string id = WebhookId(a);
      m.headers.push_back(absl::StrCat("webhook-id: ", id));
      m.headers.push_back(absl::StrCat("webhook-timestamp: ", now_seconds));
      if (!secret.empty()) {
        auto signature = SignStandardWebhook(secret, id, now_seconds, m.body);
        if (!signature.ok()) return signature.status();
        m.headers.push_back(absl::StrCat("webhook-signature: ", *signature));
      }
      return m;
    }
    case DestinationType::kSlack:
      m.body = SlackPayload(a);
      return m;
    case DestinationType::kTeams:
      m.body = TeamsPayload(a);
      return m;
    case DestinationType::kEmail:
      return absl::InvalidArgumentError("an email destination is sent by mail (EmailMessage)");
  }
  return absl::InvalidArgumentError("unknown destination type");
}

}  // namespace ww::delivery
