#include "libs/runtime/metrics.h"

#include <cstring>
#include <stdexcept>

#include "CivetServer.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "civetweb.h"
#include "prometheus/exposer.h"
#include "prometheus/text_serializer.h"

namespace ww::runtime {

namespace {

// prometheus-cpp 1.0 writes HELP text as given; the exposition format wants a backslash
// and a line feed escaped, or the scrape fails to parse.
std::string EscapeHelp(const std::string& help) {
  return absl::StrReplaceAll(help, {{"\\", "\\\\"}, {"\n", "\\n"}});
}

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {}

Metrics& Metrics::Default() {
  static Metrics* m = new Metrics();
  return *m;
}

Counter& Metrics::counter(const std::string& name, const std::string& help, const Labels& labels) {
  return prometheus::BuildCounter()
      .Name(name)
      .Help(EscapeHelp(help))
      .Register(*registry_)
      .Add(labels);
}

Gauge& Metrics::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  return prometheus::BuildGauge()
      .Name(name)
      .Help(EscapeHelp(help))
      .Register(*registry_)
      .Add(labels);
}

Histogram& Metrics::histogram(const std::string& name, const std::string& help,
                              const Labels& labels, const std::vector<double>& bounds) {
  return prometheus::BuildHistogram()
      .Name(name)
      .Help(EscapeHelp(help))
      .Register(*registry_)
      .Add(labels, bounds);
}

std::string Metrics::Render() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

namespace {

// The liveness probe, answered before civetweb looks for a handler.
int AnswerHealthz(mg_connection* conn) {
  const mg_request_info* req = mg_get_request_info(conn);
  if (req == nullptr || req->local_uri == nullptr || std::strcmp(req->local_uri, "/healthz") != 0) {
    return 0;
  }
  mg_printf(conn,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
            "Connection: close\r\n\r\nok\n");
  return 200;
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& address) {
  auto colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address '", address, "' is not host:port"));
  }
  static const CivetCallbacks callbacks = [] {
    CivetCallbacks c;
    c.begin_request = AnswerHealthz;
    return c;
  }();
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{"listening_ports", address, "num_threads", "2"}, &callbacks);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  std::vector<int> ports = exposer->GetListeningPorts();
  if (ports.empty())
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", address));
  exposer->RegisterCollectable(Metrics::Default().registry());
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(exposer), ports.front()));
}

MetricsServer::MetricsServer(std::unique_ptr<prometheus::Exposer> exposer, int port)
    : exposer_(std::move(exposer)), port_(port) {}

MetricsServer::~MetricsServer() = default;

}  // namespace ww::runtime
