#pragma once
// Where alerts are delivered, and which ones: the destinations a tenant declares in YAML.
//
//   destinations:
//     - id: desk-webhook
//       type: webhook                      # webhook | slack | teams | email
//       url: https://hooks.example.org/ww
//       secret_env: DESK_WEBHOOK_SECRET    # or secret: whsec_... (Standard Webhooks)
//       entities: [kim-jong-un]            # filter, as subscriptions: entities, rules,
//       rules: [kim-putin-summit]          #   min_severity; empty means every alert
//       min_severity: medium
//       updates: false                     # also deliver updates (version > 1) of an alert
//       rate_per_second: 1                 # default: 1 for slack, 10 otherwise
//       give_up_after: 24h                 # then the delivery goes to the dead-letter topic
//     - id: desk-slack
//       type: slack
//       url: https://hooks.slack.com/services/T000/B000/XXXX
//     - id: desk-mail
//       type: email
//       to: [desk@example.org]
//       smtp: smtp://mail.example.org:587
//       digest: 15m                        # 0: one mail per alert
//
// An invalid destination is refused with its index, id and the field that is wrong. Pure.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/alerting/rule.h"
#include "ww/v1/records.pb.h"

namespace ww::delivery {

// Which alerts a reader wants: the same filter for gRPC subscriptions and destinations.
struct AlertFilter {
  std::string tenant;              // empty: every tenant
  std::set<std::string> entities;  // any of these (entity_id or entity_ids); empty: any
  std::set<std::string> rules;     // empty: any
  alerting::Severity min_severity = alerting::Severity::kInfo;
  bool Admits(const ww::v1::Alert& a) const;
};

enum class DestinationType { kWebhook, kSlack, kTeams, kEmail };
std::string_view TypeName(DestinationType t);

struct Destination {
  std::string id;                 // runtime::IsValidId
  std::string owner = "default";  // tenant
  DestinationType type = DestinationType::kWebhook;
  std::string url;              // webhook, slack, teams: http(s) only
  std::string secret;           // webhook: "whsec_" + base64 (Standard Webhooks); may be empty
  std::string secret_env;       // or the variable holding it (email: the SMTP password)
  std::vector<std::string> to;  // email
  std::string smtp;             // email: smtp:// or smtps:// URL
  absl::Duration digest = absl::ZeroDuration();  // email: 0 = one mail per alert
  AlertFilter filter;                            // filter.tenant is the owner
  bool updates = false;
  double rate_per_second = 10;  // slack: 1
  absl::Duration give_up_after = absl::Hours(24);
  std::string yaml;  // this destination as one YAML mapping (what is stored)
};

// The `destinations:` list of a YAML document (or a document that is one mapping).
// InvalidArgument naming the destination and field for anything wrong: unknown type or
// key, missing url/to/smtp, a url that is not http(s), a secret not "whsec_" + base64, a
// bad severity or duration, a duplicate id.
absl::StatusOr<std::vector<Destination>> ParseDestinationsYaml(std::string_view yaml,
                                                               std::string_view owner);
absl::StatusOr<Destination> ParseDestinationYaml(std::string_view one_mapping,
                                                 std::string_view owner);

// The secret to sign with: `secret`, or the value of `secret_env` (NotFound when unset).
absl::StatusOr<std::string> ResolveSecret(const Destination& d);

// "…wxyz": the last four characters, for listing without printing a secret ("" when none).
std::string SecretHint(const Destination& d);

// Whether `d` gets `a`: the filter admits it, and it is version 1 or `updates` is set.
bool Wants(const Destination& d, const ww::v1::Alert& a);

}  // namespace ww::delivery
