#pragma once
// Prometheus metrics through prometheus-cpp, the client the C++ field uses: counters,
// gauges and histograms with labels, the text exposition format, and the HTTP endpoint
// (civetweb). Metric names follow Prometheus conventions (ww_ prefix, _total for
// counters, base units such as _seconds).
//
// What this file adds to prometheus-cpp: a get-or-create registry keyed by name and
// labels (a stage asks for its counter by name, wherever it runs), and a server that
// also answers the liveness probe GET /healthz.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace prometheus {
class Exposer;
}

namespace ww::runtime {

using Labels = std::map<std::string, std::string>;
using Counter = prometheus::Counter;
using Gauge = prometheus::Gauge;
using Histogram = prometheus::Histogram;

// A registry. Get-or-create calls return the same object for the same name and labels;
// keep the reference (it lives as long as the registry). Thread-safe. Giving one name
// two types is a programming error and throws std::invalid_argument.
class Metrics {
 public:
  Metrics();
  // The process-wide registry that MetricsServer serves.
  static Metrics& Default();
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels = {},
                       const std::vector<double>& bounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                            0.25, 0.5, 1, 2.5, 5, 10});
  // The text exposition (version 0.0.4) of every metric.
  std::string Render() const;
  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
};

// Serves GET /metrics (the Default registry) and GET /healthz ("ok") on `address`
// ("host:port" or "[v6]:port"; port 0 picks one) until the returned object is destroyed.
class MetricsServer {
 public:
  // InvalidArgument for an address that is not host:port; Unavailable when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& address);
  ~MetricsServer();
  int port() const { return port_; }

 private:
  explicit MetricsServer(std::unique_ptr<prometheus::Exposer> exposer, int port);
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_;
};

}  // namespace ww::runtime
