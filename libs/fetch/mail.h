#pragma once
// Sends one mail over SMTP with libcurl: STARTTLS required on smtp:// (unless the caller says
// otherwise, for a local relay), implicit TLS on smtps://, AUTH when the URL names a user, and
// the same SSRF address policy as HTTP fetching on every connection.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/fetch/address_policy.h"

namespace ww::fetch {

struct MailRequest {
  // smtp://[user@]host[:port] (587 is usual; STARTTLS) or smtps://[user@]host[:port] (465).
  std::string server;
  std::string password;     // with the URL's user: SMTP AUTH (libcurl picks the mechanism)
  bool require_tls = true;  // smtp:// without STARTTLS is refused unless false
  std::string from;         // envelope sender, "alerts@example.com"
  std::vector<std::string> to;
  std::string message;  // RFC 5322 headers and body (LF line ends become CRLF)
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration total_timeout = absl::Seconds(60);
  AddressPolicy address_policy;
};

// "SMTP 250" when the server took the message. Errors, as fetch's: Unavailable for what
// waiting may fix (no connection, timeout, a 4xx reply such as 421 or 451), FailedPrecondition
// for a 5xx reply (550 no such mailbox) or a server without STARTTLS, PermissionDenied for
// refused credentials or an address the policy refuses, InvalidArgument for a bad URL.
// Thread-safe.
absl::StatusOr<std::string> SendMail(const MailRequest& request);

}  // namespace ww::fetch
