#include "libs/rpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/runtime/log.h"

namespace ww::rpc {

Server::Server(std::unique_ptr<grpc::Server> server, int port)
    : server_(std::move(server)), port_(port) {}

Server::~Server() { Shutdown(absl::Seconds(5)); }

namespace {
absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read TLS file ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IsLoopback(const std::string& address) {
  return absl::StartsWith(address, "127.") || absl::StartsWith(address, "localhost:") ||
         absl::StartsWith(address, "[::1]:") || absl::StartsWith(address, "unix:");
}
}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const std::string& address,
                                                      const std::vector<grpc::Service*>& services,
                                                      ServerOptions options) {
  const TlsFiles& tls = options.tls;
  std::shared_ptr<TokenStore>& tokens = options.tokens;
  const bool use_tls = !tls.cert_file.empty() || !tls.key_file.empty();
  const std::string auth = tokens ? "tokens " + tokens->path() : "off";
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (tokens != nullptr && !use_tls) {
    // gRPC runs an auth metadata processor only for "secure" server credentials. xDS
    // credentials with an insecure fallback, outside an xDS server, are the fallback: the
    // same plaintext on the wire, so clients connect as before, and the processor runs.
    creds = grpc::XdsServerCredentials(grpc::InsecureServerCredentials());
    if (!IsLoopback(address)) {
      runtime::Logger("rpc").Warn(
          "bearer tokens in plaintext off loopback: anyone who can see the traffic can reuse "
          "them; give --tls_cert_file/--tls_key_file or run behind a mesh with mTLS",
          {{"address", address}});
    }
  }
  if (use_tls) {
    auto cert = ReadPem(tls.cert_file);
    auto key = ReadPem(tls.key_file);
    if (!cert.ok()) return cert.status();
    if (!key.ok()) return key.status();
    grpc::SslServerCredentialsOptions options;
    options.pem_key_cert_pairs.push_back({*key, *cert});
    if (!tls.client_ca_file.empty()) {
      if (tokens == nullptr) {
        return absl::InvalidArgumentError(
            "a client CA (mutual TLS) needs a tokens file: certificates name tenants and roles "
            "only when authentication is on (an empty tokens file admits certificates only)");
      }
      auto ca = ReadPem(tls.client_ca_file);
      if (!ca.ok()) return ca.status();
      options.pem_root_certs = *ca;
      // A certificate is optional (a token will do) but, when given, must verify.
      options.client_certificate_request = GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    creds = grpc::SslServerCredentials(options);
  } else if (!tls.client_ca_file.empty()) {
    return absl::InvalidArgumentError(
        "a client CA (mutual TLS) needs a server certificate and key");
  }
  if (tokens != nullptr) creds->SetAuthMetadataProcessor(std::make_shared<AuthProcessor>(tokens));
  SetProcessTokens(std::move(tokens));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, creds, &port);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  for (grpc::Service* s : services) builder.RegisterService(s);
  if (options.audit) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(AuditInterceptors(options.name, std::move(options.audit)));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen for gRPC on ", address));
  }
  auto out = std::unique_ptr<Server>(new Server(std::move(server), port));
  out->SetServing(false);
  runtime::Logger("rpc").Info("gRPC listening", {{"address", address},
                                                 {"port", port},
                                                 {"tls", !use_tls                     ? "off"
                                                         : tls.client_ca_file.empty() ? "on"
                                                                                      : "mutual"},
                                                 {"auth", auth}});
  return out;
}

void Server::SetServing(bool serving) {
  absl::MutexLock lock(&mu_);
  ready_ = serving;
  Publish();
}

void Server::SetLive(bool live) {
  absl::MutexLock lock(&mu_);
  live_ = live;
  Publish();
}

void Server::Publish() {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  // The bool overload sets every service name, liveness included: set that one after.
  health->SetServingStatus(ready_);
  health->SetServingStatus(kLivenessService, live_);
}

void Server::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  SetServing(false);
  server_->Shutdown(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::ToInt64Milliseconds(grace)));
  server_->Wait();
}

}  // namespace ww::rpc
