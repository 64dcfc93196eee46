#include "libs/fetch/fetch.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "libs/fetch/curl_common.h"
#include "libs/url/url.h"

namespace ww::fetch {
namespace {

using internal::Guard;
using internal::Millis;

constexpr absl::string_view kRetryAfterPayload = "type.wirewatch.dev/ww.fetch.RetryAfterSeconds";

std::string HostOf(const std::string& address) {
  absl::StatusOr<url::Url> u = url::Url::Parse(address);
  std::string host = u.ok() ? u->host() : "";
  return host.empty() ? address : host;
}

struct Sink {
  std::string* body;
  size_t max_bytes;
  bool overflow = false;
};

// libcurl hands over decoded bytes; refusing the chunk that crosses the cap aborts the transfer
// with CURLE_WRITE_ERROR, so nothing beyond max_bytes is ever buffered.
size_t OnWrite(char* data, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * nmemb;
  if (n > sink->max_bytes - sink->body->size()) {
    sink->overflow = true;
    return 0;
  }
  sink->body->append(data, n);
  return n;
}

std::string Header(CURL* h, const char* name) {
  curl_header* header = nullptr;
  if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &header) != CURLHE_OK || header == nullptr ||
      header->value == nullptr) {
    return "";
  }
  return std::string(absl::StripAsciiWhitespace(header->value));
}

// Retry-After is delta-seconds or an HTTP-date (RFC 9110 10.2.3).
std::optional<absl::Duration> ParseRetryAfter(const std::string& value) {
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) return absl::Seconds(std::max<int64_t>(seconds, 0));
  time_t when = curl_getdate(value.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  return std::max(absl::FromTimeT(when) - absl::Now(), absl::ZeroDuration());
}

absl::Status WithRetryAfter(absl::Status status, const std::optional<absl::Duration>& after) {
  if (after.has_value()) {
    status.SetPayload(kRetryAfterPayload, absl::Cord(absl::StrCat(absl::ToInt64Seconds(*after))));
  }
  return status;
}

absl::Status CurlError(CURLcode rc, const char* errbuf, const std::string& host,
                       const Request& request, const Sink& sink, const std::string& file_path) {
  std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_WRITE_ERROR:
      if (sink.overflow) {
        return absl::ResourceExhaustedError(absl::StrCat("body from ", host, " exceeds max_bytes (",
                                                         request.max_bytes, " bytes decoded)"));
      }
      break;
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(
          absl::StrCat("fetching ", request.url, ": scheme not allowed: ", detail));
    case CURLE_URL_MALFORMAT:
      return absl::InvalidArgumentError(absl::StrCat("invalid URL '", request.url, "': ", detail));
    case CURLE_COULDNT_RESOLVE_HOST:
      return absl::UnavailableError(absl::StrCat("cannot resolve host ", host, ": ", detail));
    case CURLE_COULDNT_CONNECT:
      return absl::UnavailableError(absl::StrCat("cannot connect to ", host, ": ", detail));
    case CURLE_OPERATION_TIMEDOUT:
      return absl::UnavailableError(absl::StrCat("timeout talking to ", host, ": ", detail));
    case CURLE_TOO_MANY_REDIRECTS:
      return absl::UnavailableError(
          absl::StrCat("too many redirects (more than ", request.max_redirects, ") from ", host));
    case CURLE_FILE_COULDNT_READ_FILE: {
      std::error_code ec;
      if (!file_path.empty() && std::filesystem::exists(file_path, ec)) {
        return absl::PermissionDeniedError(absl::StrCat("cannot read file ", file_path));
      }
      return absl::NotFoundError(absl::StrCat("no such file ", file_path));
    }
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return absl::UnavailableError(absl::StrCat("TLS failure with ", host, ": ", detail));
    default:
      break;
  }
  return absl::UnavailableError(absl::StrCat("fetch from ", host, " failed: ", detail));
}

// The start of an error answer's body, on one line, for the error message.
std::string BodyExcerpt(const std::string& body) {
  constexpr size_t kMax = 200;
  std::string out = body.substr(0, kMax);
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return body.size() > kMax ? out + "..." : out;
}

absl::Status HttpError(long code, const std::string& host, const std::string& url,
                       const std::optional<absl::Duration>& retry_after, const std::string& body) {
  std::string what = absl::StrCat("HTTP ", code, " from ", host, " for ", url);
  if (!body.empty()) absl::StrAppend(&what, ": ", BodyExcerpt(body));
  if (code == 404 || code == 410) return absl::NotFoundError(what);
  if (code == 401 || code == 403) return absl::PermissionDeniedError(what);
  if (code == 429 || code >= 500) {
    if (retry_after.has_value()) {
      absl::StrAppend(&what, " (retry after ", absl::ToInt64Seconds(*retry_after), "s)");
    }
    return WithRetryAfter(absl::UnavailableError(what), retry_after);
  }
  if (code >= 400) return absl::FailedPreconditionError(what);
  if (code >= 300 && code < 400) {
    return absl::FailedPreconditionError(absl::StrCat(what, " (a POST follows no redirect)"));
  }
  return absl::UnavailableError(absl::StrCat("unexpected ", what));
}

}  // namespace

namespace {

// What a request may fetch: http(s), or a file when the caller allows it.
struct Target {
  bool is_file = false;
  std::string host;       // "local file" for a file
  std::string file_path;  // a file's name, decoded
};

absl::StatusOr<Target> CheckTarget(const Request& request) {
  absl::StatusOr<url::Url> parsed = url::Url::Parse(request.url);
  if (!parsed.ok()) return parsed.status();
  const std::string scheme = parsed->scheme();
  Target t;
  t.is_file = scheme == "file";
  if (scheme != "http" && scheme != "https" && !(t.is_file && request.allow_file)) {
    return absl::InvalidArgumentError(absl::StrCat("scheme '", scheme, "' not allowed in '",
                                                   request.url, "' (http, https",
                                                   request.allow_file ? ", file" : "", " only)"));
  }
  t.host = t.is_file ? "local file" : parsed->host();
  t.file_path = t.is_file ? parsed->decoded_path() : "";
  if (!t.is_file && t.host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid URL '", request.url, "': no host"));
  }
  return t;
}

internal::Slist RequestHeaders(const Request& request) {
  internal::Slist headers;
  auto add = [&headers](const std::string& line) { internal::Append(&headers, line); };
  if (!request.post_body.has_value()) {
    add("Accept: application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
        "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8");
  }
  // libcurl would wait up to a second for "100 Continue" before sending a larger body.
  if (request.post_body.has_value()) add("Expect:");
  for (const std::string& line : request.headers) add(line);
  if (!request.etag.empty()) add("If-None-Match: " + request.etag);
  if (!request.last_modified.empty()) add("If-Modified-Since: " + request.last_modified);
  return headers;
}

// Everything the transfer needs; the pointers must outlive curl_easy_perform.
void Configure(CURL* h, const Request& request, curl_slist* headers, Sink* sink, char* errbuf,
               Guard* guard) {
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, request.allow_file ? "http,https,file" : "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");  // never file:// by redirect
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, request.post_body.has_value() ? 0L : 1L);
  if (request.post_body.has_value()) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.post_body->size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.post_body->data());
  }
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(std::max(request.max_redirects, 0)));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // required for thread safety with timeouts
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(Millis(request.connect_timeout)));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(Millis(request.total_timeout)));
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // every encoding this libcurl can decode
  curl_easy_setopt(h, CURLOPT_USERAGENT, request.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  // The SSRF guard: judged on the resolved address of every connection, redirects included.
  // An environment proxy would make libcurl connect to the proxy instead, so none is used.
  internal::InstallGuard(h, guard);
}

// The status, validators and body of a completed HTTP transfer, or the error it means.
absl::StatusOr<Response> HttpAnswer(CURL* h, const Request& request, const std::string& host,
                                    Response response) {
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  response.status = static_cast<int>(code);
  response.content_type = Header(h, "Content-Type");
  response.etag = Header(h, "ETag");
  response.last_modified = Header(h, "Last-Modified");
  response.retry_after = ParseRetryAfter(Header(h, "Retry-After"));
  if (code == 304) {
    response.not_modified = true;
    response.body.clear();
    // A 304 may omit validators; keep the ones the caller already has.
    if (response.etag.empty()) response.etag = request.etag;
    if (response.last_modified.empty()) response.last_modified = request.last_modified;
    return response;
  }
  if (code >= 200 && code < 300) return response;
  return HttpError(code, host, response.final_url, response.retry_after, response.body);
}

}  // namespace

absl::StatusOr<Response> Fetch(const Request& request) {
  internal::GlobalInit();
  absl::StatusOr<Target> target = CheckTarget(request);
  if (!target.ok()) return target.status();
  internal::Easy easy(curl_easy_init());
  if (easy == nullptr) return absl::InternalError("curl_easy_init() failed");
  CURL* h = easy.get();
  Response response;
  Sink sink{&response.body, request.max_bytes};
  char errbuf[CURL_ERROR_SIZE] = {};
  Guard guard{&request.address_policy, absl::OkStatus()};
  internal::Slist headers = RequestHeaders(request);
  Configure(h, request, headers.get(), &sink, errbuf, &guard);

  CURLcode rc = curl_easy_perform(h);

  char* effective = nullptr;
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
  response.final_url = effective != nullptr ? effective : request.url;
  const std::string host = target->is_file ? target->host : HostOf(response.final_url);
  if (rc != CURLE_OK && !guard.refused.ok()) {
    return absl::PermissionDeniedError(absl::StrCat("fetching ", response.final_url, " (host ",
                                                    host, "): ", guard.refused.message()));
  }
  if (rc != CURLE_OK) return CurlError(rc, errbuf, host, request, sink, target->file_path);
  if (target->is_file) {
    response.status = 200;
    return response;
  }
  return HttpAnswer(h, request, host, std::move(response));
}

std::optional<absl::Duration> RetryAfter(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kRetryAfterPayload);
  if (!payload.has_value()) return std::nullopt;
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &seconds)) return std::nullopt;
  return absl::Seconds(seconds);
}

}  // namespace ww::fetch
