#include "services/notifier/http_sender.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/delivery/payload.h"
#include "libs/fetch/fetch.h"

namespace ww::services {

absl::StatusOr<std::string> HttpSender::Send(const delivery::Destination& d,
                                             const ww::v1::Alert& a) {
  std::string secret;
  if (d.type == delivery::DestinationType::kWebhook) {
    absl::StatusOr<std::string> s = delivery::ResolveSecret(d);
    if (!s.ok()) return s.status();
    secret = std::move(*s);
  }
  absl::StatusOr<delivery::HttpMessage> message =
      delivery::BuildMessage(d, a, secret, absl::ToUnixSeconds(absl::Now()));
  if (!message.ok()) return message.status();
  fetch::Request request;
  request.url = d.url;
  request.post_body = std::move(message->body);
  request.headers = std::move(message->headers);
  request.address_policy = policy_;
  request.connect_timeout = std::min(timeout_, absl::Seconds(5));
  request.total_timeout = timeout_;
  request.max_bytes = 64 << 10;  // an answer is read for the log, not kept
  request.user_agent = "Wirewatch-Notifier/0.1";
  absl::StatusOr<fetch::Response> response = fetch::Fetch(request);
  if (!response.ok()) return response.status();
  return absl::StrCat("HTTP ", response->status, ": ", response->body.substr(0, 200));
}

}  // namespace ww::services
