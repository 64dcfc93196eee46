#include "services/notifier/network_sender.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/delivery/email.h"
#include "libs/delivery/payload.h"
#include "libs/fetch/fetch.h"
#include "libs/fetch/mail.h"

namespace ww::services {

std::string BareAddress(const std::string& from) {
  const size_t open = from.rfind('<'), close = from.rfind('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return from;
  return from.substr(open + 1, close - open - 1);
}

absl::StatusOr<std::string> NetworkSender::Send(const delivery::Destination& d,
                                                const ww::v1::Alert& a) {
  if (d.type != delivery::DestinationType::kEmail) return Post(d, a);
  return Mail(d, delivery::EmailMessage(d, a, mail_.from, absl::Now()));
}

absl::StatusOr<std::string> NetworkSender::SendDigest(const delivery::Destination& d,
                                                      const std::vector<ww::v1::Alert>& alerts) {
  if (d.type != delivery::DestinationType::kEmail) {
    return absl::InvalidArgumentError("only email destinations take digests");
  }
  return Mail(d, delivery::DigestMessage(d, alerts, mail_.from, absl::Now()));
}

absl::StatusOr<std::string> NetworkSender::Post(const delivery::Destination& d,
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

absl::StatusOr<std::string> NetworkSender::Mail(const delivery::Destination& d,
                                                const std::string& message) {
  fetch::MailRequest request;
  request.server = d.smtp;
  if (!d.secret_env.empty()) {  // the SMTP password, for the user the URL names
    absl::StatusOr<std::string> password = delivery::ResolveSecret(d);
    if (!password.ok()) return password.status();
    request.password = std::move(*password);
  }
  request.require_tls = mail_.require_tls;
  request.from = BareAddress(mail_.from);
  request.to = d.to;
  request.message = message;
  request.address_policy = policy_;
  request.connect_timeout = std::min(timeout_, absl::Seconds(5));
  request.total_timeout = std::max(timeout_, absl::Seconds(30));  // SMTP is a conversation
  return fetch::SendMail(request);
}

}  // namespace ww::services
