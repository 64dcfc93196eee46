// HTTP(S) and (opt-in) file:// fetching for Wirewatch's feed poller, built on libcurl.
#ifndef WW_LIBS_FETCH_FETCH_H_
#define WW_LIBS_FETCH_FETCH_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/fetch/address_policy.h"

namespace ww::fetch {

struct Request {
  std::string url;
  std::string etag;           // sent as If-None-Match when set
  std::string last_modified;  // sent as If-Modified-Since when set
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration total_timeout = absl::Seconds(30);
  size_t max_bytes = 16 << 20;  // cap on the DECODED body; exceeded -> ResourceExhausted
  int max_redirects = 5;
  bool allow_file = false;  // file:// only when explicitly enabled (local development)
  std::string user_agent = "Wirewatch/0.1 (+feed monitor)";
  // Destinations allowed: public addresses only unless the policy admits more. Checked on
  // every address connected to, including after redirects (the SSRF guard).
  AddressPolicy address_policy;
  // A POST of this body instead of a GET (webhooks). A POST follows no redirect: a 3xx
  // answer is FailedPrecondition.
  std::optional<std::string> post_body;
  // Extra "Name: value" request lines (a POST's Content-Type, signatures). A POST sends no
  // feed Accept line.
  std::vector<std::string> headers;
};

struct Response {
  int status = 0;             // HTTP status of the final response (200 for file://)
  bool not_modified = false;  // 304: body is empty, keep the cached copy
  std::string body;           // decoded (gzip/deflate/br/zstd undone)
  std::string content_type;   // as sent, e.g. "application/rss+xml; charset=utf-8"
  std::string etag;           // validators to send next time
  std::string last_modified;
  std::string final_url;                      // after redirects
  std::optional<absl::Duration> retry_after;  // Retry-After of the final response, if any
};

// Fetches one URL. Blocks the calling thread for at most request.total_timeout (plus DNS
// cancellation slack). Only http and https, plus file when request.allow_file; redirects are
// followed (at most max_redirects) and may only lead to http/https. Every connection is
// checked against request.address_policy after DNS resolution (CURLOPT_OPENSOCKETFUNCTION), so
// neither a redirect nor DNS rebinding reaches a refused address; proxies from the environment
// are ignored, since they would hide the destination. Content encodings libcurl
// supports (gzip, deflate, br, zstd) are requested and decoded.
//
// Thread-safe: every call uses its own curl easy handle; curl_global_init runs once.
//
// Errors:
//   InvalidArgument    malformed URL, scheme not allowed (also when reached by redirect)
//   Unavailable        DNS failure, connection refused/failed, TLS failure, timeout, too many
//                      redirects, HTTP 5xx and 429; the message names the host and the reason
//                      (and, for an HTTP error, starts the answer's body).
//                      For 429/503 the server's Retry-After is attached: see RetryAfter().
//   ResourceExhausted  decoded body larger than max_bytes (nothing beyond it is buffered)
//   NotFound           HTTP 404/410, missing file
//   PermissionDenied   HTTP 401/403, unreadable file, or a destination address the
//                      request's AddressPolicy refuses (loopback, private, link-local,
//                      metadata...), for the first request or after a redirect
//   FailedPrecondition other 4xx
// A 304 is not an error: Response::not_modified is set.
absl::StatusOr<Response> Fetch(const Request& request);

// The Retry-After carried by an Unavailable status from Fetch (429/503), if the server sent
// one. Thread-safe.
std::optional<absl::Duration> RetryAfter(const absl::Status& status);

}  // namespace ww::fetch

#endif  // WW_LIBS_FETCH_FETCH_H_
