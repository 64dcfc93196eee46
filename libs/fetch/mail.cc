#include "libs/fetch/mail.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "libs/fetch/curl_common.h"

namespace ww::fetch {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlString {
  char* s = nullptr;
  ~CurlString() { curl_free(s); }
};

struct Server {
  std::string url;  // without credentials
  std::string user;
  std::string host;
  bool implicit_tls = false;
};

absl::StatusOr<Server> ParseServer(const std::string& text) {
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  if (u == nullptr) return absl::InternalError("curl_url() failed");
  if (curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return absl::InvalidArgumentError(absl::StrCat("invalid SMTP URL '", text, "'"));
  }
  CurlString scheme, host, user;
  curl_url_get(u.get(), CURLUPART_SCHEME, &scheme.s, 0);
  curl_url_get(u.get(), CURLUPART_HOST, &host.s, 0);
  Server s;
  if (scheme.s == nullptr ||
      (std::strcmp(scheme.s, "smtp") != 0 && std::strcmp(scheme.s, "smtps") != 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not an smtp:// or smtps:// URL"));
  }
  if (host.s == nullptr || host.s[0] == '\0') {
    return absl::InvalidArgumentError(absl::StrCat("SMTP URL '", text, "' has no host"));
  }
  s.implicit_tls = std::strcmp(scheme.s, "smtps") == 0;
  s.host = host.s;
  if (curl_url_get(u.get(), CURLUPART_USER, &user.s, CURLU_URLDECODE) == CURLUE_OK &&
      user.s != nullptr) {
    s.user = user.s;
  }
  curl_url_set(u.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(u.get(), CURLUPART_PASSWORD, nullptr, 0);
  CurlString clean;
  curl_url_get(u.get(), CURLUPART_URL, &clean.s, 0);
  s.url = clean.s != nullptr ? clean.s : text;
  return s;
}

// Line ends as SMTP wants them (CRLF), and a final one. Dot-stuffing (RFC 5321 4.5.2: a
// line starting with "." gets a second one) is libcurl's: it escapes while uploading.
std::string WithCrlf(const std::string& message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64 + 2);
  for (size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\n' && (i == 0 || message[i - 1] != '\r')) out.push_back('\r');
    out.push_back(message[i]);
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

struct Source {
  const std::string* data;
  size_t at = 0;
};

size_t OnRead(char* buffer, size_t size, size_t nitems, void* user) {
  auto* src = static_cast<Source*>(user);
  const size_t n = std::min(size * nitems, src->data->size() - src->at);
  std::copy_n(src->data->data() + src->at, n, buffer);
  src->at += n;
  return n;
}

absl::Status MailError(CURLcode rc, long reply, const char* errbuf, const std::string& host) {
  const std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  const std::string what = absl::StrCat("SMTP server ", host, ": ", detail);
  switch (rc) {
    case CURLE_LOGIN_DENIED:
      return absl::PermissionDeniedError(absl::StrCat(what, " (credentials refused)"));
    case CURLE_USE_SSL_FAILED:
      return absl::FailedPreconditionError(absl::StrCat(
          what, " (the server offers no STARTTLS; use smtps:// or a server that does)"));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(what);
    default:
      break;
  }
  if (reply >= 500 && reply < 600) {
    return absl::FailedPreconditionError(absl::StrCat(what, " (reply ", reply, ")"));
  }
  return absl::UnavailableError(reply > 0 ? absl::StrCat(what, " (reply ", reply, ")") : what);
}

}  // namespace

absl::StatusOr<std::string> SendMail(const MailRequest& request) {
  internal::GlobalInit();
  absl::StatusOr<Server> server = ParseServer(request.server);
  if (!server.ok()) return server.status();
  if (request.to.empty()) return absl::InvalidArgumentError("a mail needs at least one recipient");
  internal::Easy easy(curl_easy_init());
  if (easy == nullptr) return absl::InternalError("curl_easy_init() failed");
  CURL* h = easy.get();

  const std::string body = WithCrlf(request.message);
  Source source{&body};
  internal::Slist recipients;
  for (const std::string& to : request.to)
    internal::Append(&recipients, absl::StrCat("<", to, ">"));
  const std::string from = absl::StrCat("<", request.from, ">");
  char errbuf[CURL_ERROR_SIZE] = {};
  internal::Guard guard{&request.address_policy, absl::OkStatus()};

  curl_easy_setopt(h, CURLOPT_URL, server->url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (!server->user.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, server->user.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, request.password.c_str());
  }
  if (!server->implicit_tls) {
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     static_cast<long>(request.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  }
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &OnRead);
  curl_easy_setopt(h, CURLOPT_READDATA, &source);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(internal::Millis(request.connect_timeout)));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(internal::Millis(request.total_timeout)));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  internal::InstallGuard(h, &guard);

  const CURLcode rc = curl_easy_perform(h);
  long reply = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
  if (rc != CURLE_OK && !guard.refused.ok()) {
    return absl::PermissionDeniedError(
        absl::StrCat("SMTP server ", server->host, ": ", guard.refused.message()));
  }
  if (rc != CURLE_OK) return MailError(rc, reply, errbuf, server->host);
  return absl::StrCat("SMTP ", reply > 0 ? reply : 250);
}

}  // namespace ww::fetch
