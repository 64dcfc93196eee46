#pragma once
// Runs one service process: a gRPC server (health, reflection, the service's own APIs),
// its stage loops and background workers, until SIGTERM/SIGINT; then stops them in order
// (stop accepting calls, finish the current transaction, close consumers). Readiness, as
// the health service reports it, is the conjunction of the ready checks.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "libs/kafka/stage_loop.h"

namespace ww::services {

class ServiceHost {
 public:
  explicit ServiceHost(std::string name) : name_(std::move(name)) {}

  void AddGrpcService(grpc::Service* service) { grpc_services_.push_back(service); }
  // InvalidArgument when the options are bad (the loop cannot be created).
  absl::Status AddStage(kafka::StageOptions options, kafka::Stage stage);
  // A background worker runs until `stop`; a worker that returns early ends the process.
  void AddWorker(std::string name, std::function<void(const std::atomic<bool>& stop)> worker);
  void AddReadyCheck(std::function<bool()> check) { ready_checks_.push_back(std::move(check)); }

  // Blocks until shutdown. Writes "<name> grpc port N" to stdout once listening, so a
  // script that passed port 0 learns the port. Returns the process exit code.
  int Run(const std::string& grpc_listen);

 private:
  std::string name_;
  std::vector<grpc::Service*> grpc_services_;
  std::vector<std::unique_ptr<kafka::StageLoop>> stages_;
  std::vector<std::pair<std::string, std::function<void(const std::atomic<bool>&)>>> workers_;
  std::vector<std::function<bool()>> ready_checks_;
};

}  // namespace ww::services
