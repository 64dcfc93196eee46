#pragma once
// The e2e tier's fixture: the four services as processes on their own topics (a unique
// prefix), wwctl to drive them, and a gRPC alert subscriber.
#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "libs/kafka/record.h"
#include "tests/support/process.h"
#include "ww/v1/alerts.grpc.pb.h"

namespace ww::testing {

// GET `path` from 127.0.0.1:`port` over HTTP/1.0: the whole response, headers included
// ("" when nothing answers).
std::string HttpGet(int port, const std::string& path);

// Collects every alert a subscription receives, on its own thread.
class Subscriber {
 public:
  // Blocks until the subscription is live (the server sent its headers). `batched`:
  // through SubscribeBatched, each batch's alerts collected in order.
  Subscriber(const std::string& target, const ww::v1::SubscribeRequest& request = {},
             const std::string& token = "", bool batched = false);
  ~Subscriber();
  std::vector<ww::v1::Alert> alerts();
  // Waits until `done` holds for the alerts received so far (or the timeout).
  bool WaitUntil(const std::function<bool(const std::vector<ww::v1::Alert>&)>& done,
                 absl::Duration timeout);
  // Waits until alerts for all `entities` have arrived (or the timeout).
  bool WaitForEntities(const std::set<std::string>& entities, absl::Duration timeout);
  // Waits until `n` alerts have arrived (or the timeout).
  bool WaitForCount(size_t n, absl::Duration timeout);
  // The stream's final status, once it ended (blocks until then).
  grpc::Status Finish();

 private:
  std::unique_ptr<ww::v1::AlertService::Stub> stub_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<ww::v1::Alert>> reader_;
  std::unique_ptr<grpc::ClientReader<ww::v1::AlertBatch>> batch_reader_;
  absl::Mutex mu_;
  std::vector<ww::v1::Alert> alerts_ ABSL_GUARDED_BY(mu_);
  grpc::Status status_;
  std::thread thread_;
  bool finished_ = false;
};

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Extra flags for one service ("ingestor", "deduper", "tagger", "alerter"), set by a
  // test's constructor before SetUp starts the services.
  std::map<std::string, std::vector<std::string>> extra_args_;
  // Extra options for every wwctl run (e.g. --ca-file).
  std::vector<std::string> wwctl_args_;

  RunResult Wwctl(std::vector<std::string> args);
  // Submits samples/articles/FILE through wwctl; returns the article id.
  std::string Submit(const std::string& file, const std::string& url,
                     const std::string& source = "e2e");
  std::string Sample(const std::string& relative) const;
  // kill -9 of one service ("ingestor", "deduper", "tagger", "alerter").
  void KillService(const std::string& name);
  // Starts one service (again: with the arguments it had, on a new gRPC port); fails the
  // test when it does not print its ports.
  void StartService(const std::string& name);
  // The running process of a service.
  Process& service(const std::string& name) { return *services_[index_.at(name)]; }

  // The service's GET /metrics response (headers and body), "" when unreachable.
  std::string Metrics(const std::string& service);

  kafka::ClientConfig client_;
  std::string bin_, src_, prefix_;
  std::map<std::string, std::string> addr_;
  std::map<std::string, int> metrics_port_;
  std::vector<std::unique_ptr<Process>> services_;
  std::map<std::string, size_t> index_;                   // name -> services_ slot
  std::map<std::string, std::vector<std::string>> argv_;  // name -> how it was started
};

}  // namespace ww::testing
