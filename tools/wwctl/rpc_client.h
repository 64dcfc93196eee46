#pragma once
// What wwctl's gRPC commands share: channels, deadlines, the bearer token, and errors
// that say which service could not be reached.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tools/wwctl/cli.h"

namespace ww::wwctl {

inline int Fail(const std::string& command, const std::string& message, int code = 1) {
  std::fprintf(stderr, "wwctl %s: %s\n", command.c_str(), message.c_str());
  return code;
}

inline int FailRpc(const std::string& command, const std::string& target, const grpc::Status& s) {
  std::string hint;
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
    hint = absl::StrCat(" (is the service running at ", target, "?)");
  } else if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    hint = " (pass --token or set WW_TOKEN)";
  }
  return Fail(command, absl::StrCat(s.error_message(), hint));
}

// Plaintext, or TLS when --ca-file (WW_CA_FILE) names the CA that signed the services'
// certificates.
// A Kafka-side failure: the message, a hint when the broker is unreachable, exit code 2 for
// bad arguments and 1 otherwise.
inline int FailStatus(const std::string& command, const absl::Status& s,
                      const std::string& bootstrap) {
  std::string hint;
  if (s.code() == absl::StatusCode::kUnavailable) {
    hint = absl::StrCat(" (is Kafka running at ", bootstrap, "?)");
  }
  return Fail(command, absl::StrCat(s.message(), hint),
              s.code() == absl::StatusCode::kInvalidArgument ? 2 : 1);
}

inline std::string ReadPemFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream pem;
  pem << in.rdbuf();
  return pem.str();
}

// Plaintext, or TLS with --ca-file; with --cert-file and --key-file too, mutual TLS: the
// certificate names the tenant and role instead of a --token.
inline std::shared_ptr<grpc::Channel> Channel(const ParsedArgs& a, const std::string& target) {
  const std::string ca = a.value("ca-file");
  if (ca.empty()) return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadPemFile(ca);
  if (!a.value("cert-file").empty()) {
    options.pem_cert_chain = ReadPemFile(a.value("cert-file"));
    options.pem_private_key = ReadPemFile(a.value("key-file"));
  }
  return grpc::CreateChannel(target, grpc::SslCredentials(options));
}

// A context with a deadline (none for InfiniteDuration) and the --token, if any.
inline std::unique_ptr<grpc::ClientContext> Context(const ParsedArgs& a, absl::Duration deadline) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (deadline != absl::InfiniteDuration()) {
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::milliseconds(absl::ToInt64Milliseconds(deadline)));
  }
  if (!a.value("token").empty()) ctx->AddMetadata("authorization", "Bearer " + a.value("token"));
  return ctx;
}

}  // namespace ww::wwctl
