#pragma once
// Prometheus metrics: counters, gauges and histograms with labels, rendered in the text
// exposition format (version 0.0.4) for GET /metrics. Metric names follow Prometheus
// conventions (ww_ prefix, _total for counters, base units such as _seconds).
// Thread-safe: updates are lock-free atomics; registration and rendering take a mutex.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace ww::runtime {

using Labels = std::map<std::string, std::string>;

class Counter {
 public:
  void Add(double v = 1) {
    double cur = value_.load(std::memory_order_relaxed);
    while (!value_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
    }
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // Cumulative counts per bound (and +Inf last), sum and count, for rendering.
  std::vector<uint64_t> cumulative() const;
  double sum() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// The process-wide registry. Get-or-create calls return the same object for the same
// name and labels; keep the reference (it lives as long as the process).
class Metrics {
 public:
  static Metrics& Default();
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels = {},
                       std::vector<double> bounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                     0.5, 1, 2.5, 5, 10});
  // The text exposition of every metric.
  std::string Render() const;

 private:
  struct Family {
    std::string type, help;
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  Family& family(const std::string& name, const std::string& type, const std::string& help)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  mutable absl::Mutex mu_;
  std::map<std::string, Family> families_ ABSL_GUARDED_BY(mu_);
};

// Serves GET /metrics (and GET /healthz: "ok") over HTTP/1.0 on `address` ("host:port",
// port 0 picks one) from a background thread until the returned object is destroyed.
class MetricsServer {
 public:
  // Unavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& address);
  ~MetricsServer();
  int port() const { return port_; }

 private:
  MetricsServer(int fd, int port);
  void Loop();
  int fd_;
  int port_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<std::thread> thread_;
};

}  // namespace ww::runtime
