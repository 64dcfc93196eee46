#include "services/notifier/atom_server.h"

#include <CivetServer.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <deque>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "libs/alerting/rule.h"
#include "libs/delivery/atom.h"
#include "libs/runtime/log.h"
#include "libs/runtime/time_parse.h"
#include "ww/v1/alerts.grpc.pb.h"

namespace ww::services {
namespace {

constexpr int kMaxLimit = 500;

absl::StatusOr<absl::Duration> ParseAge(const std::string& s) {
  absl::StatusOr<absl::Duration> d = runtime::ParseDuration(s);
  if (!d.ok() || *d <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("since: '", s, "' is not an age like 24h or 7d"));
  }
  return *d;
}

absl::Status FromGrpc(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

int HttpCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    default:
      return 503;
  }
}

const char* Reason(int code) {
  switch (code) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    default:
      return "Service Unavailable";
  }
}

void Reply(mg_connection* conn, int code, const char* reason, const char* type,
           const std::string& body, const char* extra = "") {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: private, max-age=60\r\n%sConnection: close\r\n\r\n",
            code, reason, type, body.size(), extra);
  mg_write(conn, body.data(), body.size());
}

}  // namespace

absl::StatusOr<FeedQuery> ParseFeedQuery(const std::string& query_string,
                                         const std::string& authorization) {
  FeedQuery q;
  absl::string_view bearer = authorization;
  if (absl::ConsumePrefix(&bearer, "Bearer ")) q.token = std::string(bearer);
  for (absl::string_view pair : absl::StrSplit(query_string, '&', absl::SkipEmpty())) {
    const size_t eq = pair.find('=');
    const std::string name(pair.substr(0, eq));
    const std::string raw(eq == absl::string_view::npos ? "" : pair.substr(eq + 1));
    std::string value(raw.size() + 1, '\0');
    const int n = mg_url_decode(raw.data(), static_cast<int>(raw.size()), value.data(),
                                static_cast<int>(value.size()), /*is_form_url_encoded=*/1);
    value.resize(n < 0 ? 0 : static_cast<size_t>(n));
    if (name == "entity" || name == "rule") {
      for (absl::string_view v : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        (name == "entity" ? q.filter.add_entity_ids() : q.filter.add_rule_ids())
            ->assign(v.data(), v.size());
      }
    } else if (name == "min_severity") {
      if (!alerting::ParseSeverity(value).ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("min_severity: '", value, "' is not info, low, medium, high or critical"));
      }
      q.filter.set_min_severity(value);
    } else if (name == "since") {
      absl::StatusOr<absl::Duration> d = ParseAge(value);
      if (!d.ok()) return d.status();
      q.since = *d;
    } else if (name == "limit") {
      if (!absl::SimpleAtoi(value, &q.limit) || q.limit < 1 || q.limit > kMaxLimit) {
        return absl::InvalidArgumentError(
            absl::StrCat("limit: '", value, "' is not a number from 1 to ", kMaxLimit));
      }
    } else if (name == "token") {
      if (q.token.empty()) q.token = value;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown parameter '", name, "' (entity, rule, min_severity, since, limit, token)"));
    }
  }
  return q;
}

AlertSource AlerterSource(const std::string& alerter) {
  std::shared_ptr<ww::v1::AlertService::Stub> stub = ww::v1::AlertService::NewStub(
      grpc::CreateChannel(alerter, grpc::InsecureChannelCredentials()));
  return [stub](const FeedQuery& q) -> absl::StatusOr<std::vector<ww::v1::Alert>> {
    ww::v1::ListAlertsRequest req;
    req.set_since_unix_ms(absl::ToUnixMillis(absl::Now() - q.since));
    *req.mutable_filter() = q.filter;
    req.set_page_size(1000);
    // ListAlerts pages oldest first; the newest `limit` are kept as the pages go by.
    std::deque<ww::v1::Alert> newest;
    for (int pages = 0; pages < 1000; ++pages) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      if (!q.token.empty()) ctx.AddMetadata("authorization", "Bearer " + q.token);
      ww::v1::ListAlertsResponse resp;
      if (absl::Status s = FromGrpc(stub->ListAlerts(&ctx, req, &resp)); !s.ok()) return s;
      for (auto& a : *resp.mutable_alerts()) {
        newest.push_back(std::move(a));
        if (newest.size() > static_cast<size_t>(q.limit)) newest.pop_front();
      }
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    // The alerts topic holds every version of an alert: a reader wants each alert once, as
    // its latest version.
    std::vector<ww::v1::Alert> out;
    absl::flat_hash_set<std::string> seen;
    for (auto it = newest.rbegin(); it != newest.rend(); ++it) {
      if (seen.insert(it->id()).second) out.push_back(std::move(*it));
    }
    return out;
  };
}

class AtomServer::Handler : public CivetHandler {
 public:
  explicit Handler(AlertSource source) : source_(std::move(source)) {}

  bool handleGet(CivetServer* server, mg_connection* conn) override {
    const mg_request_info* info = mg_get_request_info(conn);
    const char* auth = mg_get_header(conn, "Authorization");
    absl::StatusOr<FeedQuery> q = ParseFeedQuery(
        info->query_string != nullptr ? info->query_string : "", auth != nullptr ? auth : "");
    if (!q.ok()) {
      Reply(conn, 400, Reason(400), "text/plain; charset=utf-8",
            std::string(q.status().message()) + "\n");
      return true;
    }
    absl::StatusOr<std::vector<ww::v1::Alert>> alerts = source_(*q);
    if (!alerts.ok()) {
      const int code = HttpCode(alerts.status().code());
      runtime::Logger("notifier.atom")
          .Warn("alerts feed refused", {{"code", code}, {"error", alerts.status().ToString()}});
      Reply(conn, code, Reason(code), "text/plain; charset=utf-8",
            std::string(alerts.status().message()) + "\n",
            code == 401 ? "WWW-Authenticate: Bearer realm=\"wirewatch\"\r\n" : "");
      return true;
    }
    delivery::AtomFeedInfo feed;
    feed.id = "urn:wirewatch:alerts";
    feed.title = "Wirewatch alerts";
    const char* host = mg_get_header(conn, "Host");
    if (host != nullptr) {  // the feed's own URL, never with a token in it
      feed.self_url =
          absl::StrCat("http://", host, info->local_uri != nullptr ? info->local_uri : "");
      const std::string qs = info->query_string != nullptr ? info->query_string : "";
      if (!qs.empty() && !absl::StrContains(qs, "token=")) absl::StrAppend(&feed.self_url, "?", qs);
    }
    feed.updated = absl::Now();
    if (!alerts->empty()) {
      const ww::v1::Alert& a = alerts->front();
      feed.updated = absl::FromUnixMillis(std::max(a.raised_unix_ms(), a.updated_unix_ms()));
    }
    Reply(conn, 200, Reason(200), "application/atom+xml; charset=utf-8",
          delivery::AtomFeed(*alerts, feed));
    return true;
  }

 private:
  AlertSource source_;
};

absl::StatusOr<std::unique_ptr<AtomServer>> AtomServer::Start(const std::string& address,
                                                              AlertSource source) {
  std::unique_ptr<AtomServer> s(new AtomServer());
  s->handler_ = std::make_unique<Handler>(std::move(source));
  const std::vector<std::string> options = {"listening_ports",    address, "num_threads", "4",
                                            "request_timeout_ms", "60000"};
  try {
    s->server_ = std::make_unique<CivetServer>(options);
  } catch (const CivetException& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve the alerts feed on ", address, ": ", e.what()));
  }
  s->server_->addHandler("/alerts.atom", s->handler_.get());
  const std::vector<int> ports = s->server_->getListeningPorts();
  s->port_ = ports.empty() ? 0 : ports.front();
  return s;
}

AtomServer::~AtomServer() {
  if (server_ != nullptr) server_->close();
}

}  // namespace ww::services
