#pragma once
// Sends an alert to a destination over the network: webhook, Slack and Teams as the message
// libs/delivery builds, POSTed by libs/fetch; email as the mail libs/delivery builds, sent by
// libs/fetch's SendMail. Both pass the SSRF address policy; TLS verified. Thread-safe.
#include <string>

#include "absl/time/time.h"
#include "libs/fetch/address_policy.h"
#include "services/notifier/dispatcher.h"

namespace ww::services {

struct MailOptions {
  std::string from = "Wirewatch <wirewatch@localhost>";  // From: header and envelope sender
  bool require_tls = true;                               // smtp:// servers must offer STARTTLS
};

class NetworkSender : public Sender {
 public:
  NetworkSender(fetch::AddressPolicy policy, absl::Duration timeout, MailOptions mail = {})
      : policy_(std::move(policy)), timeout_(timeout), mail_(std::move(mail)) {}
  // "HTTP 200: <start of the answer>" or "SMTP 250", or fetch's error (Unavailable for
  // timeouts, connection errors, 5xx and 429 with its Retry-After, SMTP 4xx; PermissionDenied
  // for an address the policy refuses or credentials refused; FailedPrecondition for an SMTP
  // 5xx; ...).
  absl::StatusOr<std::string> Send(const delivery::Destination& d, const ww::v1::Alert& a) override;
  // Email destinations only: one mail (delivery::DigestMessage).
  absl::StatusOr<std::string> SendDigest(const delivery::Destination& d,
                                         const std::vector<ww::v1::Alert>& alerts) override;

 private:
  absl::StatusOr<std::string> Post(const delivery::Destination& d, const ww::v1::Alert& a);
  absl::StatusOr<std::string> Mail(const delivery::Destination& d, const std::string& message);

  fetch::AddressPolicy policy_;
  absl::Duration timeout_;
  MailOptions mail_;
};

// The address inside "Name <address>", or the text when it has no angle brackets.
std::string BareAddress(const std::string& from);

}  // namespace ww::services
