#include "services/common/host.h"

#include <cstdio>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/synchronization/mutex.h"
#include "libs/kafka/producer.h"
#include "libs/rpc/audit.h"
#include "libs/rpc/server.h"
#include "libs/runtime/log.h"
#include "libs/runtime/metrics.h"
#include "libs/runtime/shutdown.h"
#include "services/common/flags.h"
#include "ww/v1/records.pb.h"

namespace ww::services {
namespace {

// The audited calls' records, to <prefix>audit, keyed by tenant. The producer is made on the
// first record (a service whose API changes nothing never connects for it). A record the
// broker does not take is logged in full, so the change is still on file.
rpc::AuditSink AuditToKafka(const std::string& service) {
  struct State {
    absl::Mutex mu;
    std::unique_ptr<kafka::Producer> producer ABSL_GUARDED_BY(mu);
  };
  auto state = std::make_shared<State>();
  const std::string topic = TopicsFromFlags().audit;
  return [state, topic, service](const ww::v1::AuditRecord& r) {
    runtime::Logger log(service);
    absl::Status sent;
    {
      absl::MutexLock lock(&state->mu);
      if (state->producer == nullptr) {
        auto p = kafka::Producer::Create(ClientConfigFromFlags());
        sent = p.status();
        if (p.ok()) state->producer = *std::move(p);
      }
      if (state->producer != nullptr) {
        sent = state->producer->Send({topic, r.tenant(), r.SerializeAsString()}, absl::Seconds(10))
                   .status();
      }
    }
    if (!sent.ok()) {
      log.Error("audit record not written to Kafka",
                {{"error", sent.ToString()}, {"record", r.ShortDebugString()}});
    }
  };
}

}  // namespace

absl::Status ServiceHost::AddStage(kafka::StageOptions options, kafka::Stage stage) {
  auto loop = kafka::StageLoop::Create(std::move(options), std::move(stage));
  if (!loop.ok()) return loop.status();
  stages_.push_back(std::move(*loop));
  return absl::OkStatus();
}

void ServiceHost::AddWorker(std::string name,
                            std::function<void(const std::atomic<bool>& stop)> worker) {
  workers_.emplace_back(std::move(name), std::move(worker));
}

int ServiceHost::Run(const std::string& grpc_listen) {
  runtime::Logger log(name_);
  runtime::Shutdown& shutdown = runtime::Shutdown::Install();
  std::shared_ptr<rpc::TokenStore> tokens;
  if (const std::string path = absl::GetFlag(FLAGS_tokens_file); !path.empty()) {
    auto store = rpc::TokenStore::Open(path);
    if (!store.ok()) {
      log.Error("cannot read the tokens file", {{"error", store.status().ToString()}});
      return 2;
    }
    tokens = *std::move(store);
  } else {
    log.Warn("no --tokens_file: authentication is off, every caller is tenant 'default'");
  }
  rpc::ServerOptions options;
  options.tls = {absl::GetFlag(FLAGS_tls_cert_file), absl::GetFlag(FLAGS_tls_key_file),
                 absl::GetFlag(FLAGS_tls_client_ca_file)};
  options.tokens = std::move(tokens);
  options.name = name_;
  options.audit = AuditToKafka(name_);
  auto server = rpc::Server::Start(grpc_listen, grpc_services_, std::move(options));
  if (!server.ok()) {
    log.Error("cannot start gRPC server", {{"error", server.status().ToString()}});
    return 1;
  }
  std::unique_ptr<runtime::MetricsServer> metrics;
  if (const std::string addr = absl::GetFlag(FLAGS_metrics_listen); !addr.empty()) {
    auto m = runtime::MetricsServer::Start(addr);
    if (!m.ok()) {
      log.Error("cannot serve metrics", {{"error", m.status().ToString()}});
      return 1;
    }
    metrics = std::move(*m);
    std::printf("%s metrics port %d\n", name_.c_str(), metrics->port());
  }
  std::printf("%s grpc port %d\n", name_.c_str(), (*server)->port());
  std::fflush(stdout);

  std::atomic<bool> stop{false};
  std::atomic<int> exit_code{0};
  std::vector<std::thread> threads;
  for (auto& stage : stages_) {
    kafka::StageLoop* loop = stage.get();
    threads.emplace_back([&, loop] {
      absl::Status s = loop->Run(stop);
      if (!s.ok()) {
        log.Error("stage loop failed", {{"error", s.ToString()}});
        exit_code = 1;
        shutdown.Request();
      }
    });
  }
  for (auto& [worker_name, worker] : workers_) {
    threads.emplace_back([&, n = worker_name, w = worker] {
      w(stop);
      if (!stop.load()) {
        log.Error("worker ended unexpectedly", {{"worker", n}});
        exit_code = 1;
        shutdown.Request();
      }
    });
  }
  log.Info("started",
           {{"grpc_port", (*server)->port()}, {"metrics_port", metrics ? metrics->port() : 0}});
  bool was_ready = false, was_live = true;
  const absl::Duration stall_timeout = absl::GetFlag(FLAGS_stall_timeout);
  while (!shutdown.WaitFor(absl::Milliseconds(200))) {
    // Ready: every stage has joined its group, none waits for the broker, and the
    // service's own state is loaded.
    bool ready = true;
    for (auto& stage : stages_) ready = ready && stage->stats().joined.load() && !stage->waiting();
    for (auto& check : ready_checks_) ready = ready && check();
    if (ready != was_ready) {
      (*server)->SetServing(ready);
      log.Info(ready ? "ready" : "not ready");
      was_ready = ready;
    }
    // Live: no stage loop is stuck (one that has not started yet, or that waits for the
    // broker, is not stuck: a restart would not bring the broker back).
    const int64_t now_ms = absl::ToUnixMillis(absl::Now());
    std::string stalled;
    for (auto& stage : stages_) {
      const int64_t alive = stage->stats().alive_unix_ms.load();
      if (alive > 0 && !stage->waiting() && absl::Milliseconds(now_ms - alive) > stall_timeout) {
        stalled = stage->name();
      }
    }
    if (stalled.empty() != was_live) {
      was_live = stalled.empty();
      (*server)->SetLive(was_live);
      if (was_live) {
        log.Info("live again");
      } else {
        log.Error("stage loop stalled: reporting not live", {{"stage", stalled}});
      }
    }
  }
  log.Info("shutting down");
  (*server)->Shutdown(absl::Seconds(5));
  stop = true;
  for (auto& t : threads) t.join();
  log.Info("stopped", {{"exit_code", exit_code.load()}});
  return exit_code.load();
}

}  // namespace ww::services
