#pragma once
// GET /alerts.atom: the caller's alerts as an Atom feed, for feed readers. Query parameters
// are the subscription filters (entity, rule: repeatable or comma-separated; min_severity),
// `since` (an age like 24h or 7d; default 24h) and `limit` (newest first; default 50, at most
// 500). The token is `Authorization: Bearer TOKEN` or, for readers that cannot send headers,
// `?token=TOKEN`; it is passed on to the alerter, which decides the tenant, so a feed shows
// exactly what `wwctl alerts list` shows that token. An HTTP adapter over CivetWeb; the
// alerts come from an AlertSource (the alerter's ListAlerts in the service).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ww/v1/alerts.pb.h"
#include "ww/v1/records.pb.h"

class CivetServer;

namespace ww::services {

struct FeedQuery {
  ww::v1::AlertFilter filter;
  absl::Duration since = absl::Hours(24);
  int limit = 50;
  std::string token;  // empty when the request carries none
};

// FeedQuery from a request's query string and Authorization header; InvalidArgument names
// the bad parameter.
absl::StatusOr<FeedQuery> ParseFeedQuery(const std::string& query_string,
                                         const std::string& authorization);

// The newest `limit` alerts admitted by the query, newest first; UNAUTHENTICATED (as an
// absl::Status code) when the token is refused, Unavailable when the alerter cannot say.
using AlertSource = std::function<absl::StatusOr<std::vector<ww::v1::Alert>>(const FeedQuery&)>;

// An AlertSource that pages through AlertService.ListAlerts at `alerter` (host:port).
AlertSource AlerterSource(const std::string& alerter);

class AtomServer {
 public:
  // Listens on `address` ("127.0.0.1:9205"; port 0 picks one). InvalidArgument or
  // Unavailable when it cannot.
  static absl::StatusOr<std::unique_ptr<AtomServer>> Start(const std::string& address,
                                                           AlertSource source);
  ~AtomServer();
  int port() const { return port_; }

 private:
  class Handler;
  AtomServer() = default;
  std::unique_ptr<Handler> handler_;
  std::unique_ptr<CivetServer> server_;
  int port_ = 0;
};

}  // namespace ww::services
