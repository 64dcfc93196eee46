#pragma once
// Sends an alert to a webhook, Slack or Teams destination: the message libs/delivery builds,
// POSTed by libs/fetch with the SSRF address policy, TLS verified. Thread-safe.
#include <string>

#include "absl/time/time.h"
#include "libs/fetch/address_policy.h"
#include "services/notifier/dispatcher.h"

namespace ww::services {

class HttpSender : public Sender {
 public:
  HttpSender(fetch::AddressPolicy policy, absl::Duration timeout)
      : policy_(std::move(policy)), timeout_(timeout) {}
  // "HTTP 200: <start of the answer>", or fetch's error (Unavailable for timeouts,
  // connection errors, 5xx and 429 with its Retry-After; PermissionDenied for an address the
  // policy refuses; ...). Unimplemented for email.
  absl::StatusOr<std::string> Send(const delivery::Destination& d, const ww::v1::Alert& a) override;

 private:
  fetch::AddressPolicy policy_;
  absl::Duration timeout_;
};

}  // namespace ww::services
