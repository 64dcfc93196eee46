#pragma once
// A started gRPC server with health checking and reflection. Thread-safe.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/rpc/audit.h"
#include "libs/rpc/auth.h"

namespace ww::rpc {

// Server certificate and key (PEM files). Both empty: plaintext. `client_ca_file`: mutual
// TLS, a client may present a certificate this CA signed, which names its tenant and role
// (auth.h); it needs the tokens (an empty tokens file admits certificates only).
struct TlsFiles {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
};

struct ServerOptions {
  TlsFiles tls;
  // Who may call what (auth.h); nullptr: authentication off.
  std::shared_ptr<TokenStore> tokens;
  // Where the audited calls go (audit.h), as `name`'s; nullptr: not recorded.
  AuditSink audit;
  std::string name;
};

// An expected failure of the library code as the gRPC status a handler answers with: the
// same code (absl and gRPC share their numbering) and message.
inline grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

// The health service name a liveness probe asks for (Kubernetes: grpc.service). The
// overall status ("") is readiness: whether to send this replica work.
inline constexpr char kLivenessService[] = "liveness";

class Server {
 public:
  // Listens on `address` ("127.0.0.1:0" picks a free port) and serves `services`, which
  // must outlive the server; with TLS when `options.tls` names a certificate and key. With
  // `options.tokens`,
  // every call but health and reflection needs a token whose role its method names
  // (auth.h); without TLS off loopback it says in the log that tokens travel in clear.
  // Health reports NOT_SERVING until SetServing(true). Unavailable when the address cannot
  // be bound; InvalidArgument when a TLS file cannot be read.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const std::string& address,
                                                       const std::vector<grpc::Service*>& services,
                                                       ServerOptions options = {});
  ~Server();

  int port() const { return port_; }
  // Readiness as the standard grpc.health.v1 service reports it, overall and per service.
  void SetServing(bool serving);
  // Liveness, under kLivenessService: false asks the orchestrator to restart the process.
  // SERVING from the start; readiness changes leave it alone.
  void SetLive(bool live);
  // Stops accepting calls and waits up to `grace` for those in flight (streams included).
  void Shutdown(absl::Duration grace);

 private:
  Server(std::unique_ptr<grpc::Server> server, int port);
  void Publish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::unique_ptr<grpc::Server> server_;
  int port_;
  bool shut_down_ = false;
  absl::Mutex mu_;
  bool ready_ ABSL_GUARDED_BY(mu_) = false;
  bool live_ ABSL_GUARDED_BY(mu_) = true;
};

}  // namespace ww::rpc
