#pragma once
// What is sent to a destination for one alert: body and headers, per destination type.
// Pure (no network): the notifier sends what these build.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/delivery/destination.h"
#include "ww/v1/records.pb.h"

namespace ww::delivery {

struct HttpMessage {
  std::string body;
  std::vector<std::string> headers;  // "Name: value" lines, Content-Type included
};

// How an alert is named to people, the same in every format: its entity's and rule's names
// (else ids), its article's title (else URL), and "[SEVERITY] rule: title".
std::string EntityOf(const ww::v1::Alert& a);
std::string RuleOf(const ww::v1::Alert& a);
std::string TitleOf(const ww::v1::Alert& a);
std::string Headline(const ww::v1::Alert& a);

// The alert as JSON, the fields `wwctl alerts tail --output json` prints (protobuf JSON,
// .proto field names), without the subscriber cursor.
std::string AlertJson(const ww::v1::Alert& a);

// Stable per alert and version, the same on every retry: "msg_" + alert id + "_v" + version
// (characters outside [A-Za-z0-9_-] in the alert id become '_').
std::string WebhookId(const ww::v1::Alert& a);

// Standard Webhooks 1.0 signature: "v1," + base64(HMAC-SHA256(key, id + "." + timestamp +
// "." + body)), key = base64-decoded part of `secret` after "whsec_" (a secret without the
// prefix is decoded whole). InvalidArgument when the key is not base64.
absl::StatusOr<std::string> SignStandardWebhook(std::string_view secret, std::string_view id,
                                                int64_t timestamp_seconds, std::string_view body);

// Slack incoming-webhook payload: fallback `text` plus blocks (headline linked to the article,
// entity, rule, severity, snippet, outlets), text escaped as Slack's mrkdwn requires.
std::string SlackPayload(const ww::v1::Alert& a);

// Microsoft Teams Workflows webhook payload: {"type":"message","attachments":[{contentType
// "application/vnd.microsoft.card.adaptive", content: an Adaptive Card 1.4}]}.
std::string TeamsPayload(const ww::v1::Alert& a);

// The whole message for a webhook, slack or teams destination (email: see email.h).
// Webhooks get `webhook-id`, `webhook-timestamp` (now_seconds) and, when a secret is given,
// `webhook-signature`.
absl::StatusOr<HttpMessage> BuildMessage(const Destination& d, const ww::v1::Alert& a,
                                         std::string_view secret, int64_t now_seconds);

}  // namespace ww::delivery
