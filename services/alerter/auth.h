#pragma once
// Bearer-token authentication for the alerter's gRPC services. A tokens file has one
// "TOKEN TENANT" pair a line ('#' starts a comment); a call carries
// "authorization: Bearer TOKEN". Without a tokens file authentication is off and every
// caller is the tenant "default". Thread-safe after construction.
#include <grpcpp/grpcpp.h>

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace ww::services {

class Authenticator {
 public:
  Authenticator() = default;  // authentication off
  // InvalidArgument names the line of a malformed file; NotFound a missing one.
  static absl::StatusOr<Authenticator> FromFile(const std::string& path);
  static absl::StatusOr<Authenticator> FromText(const std::string& text);

  bool enabled() const { return !tenants_.empty(); }
  // The caller's tenant, or UNAUTHENTICATED with a reason.
  grpc::Status Tenant(const grpc::ServerContextBase* ctx, std::string* tenant) const;

 private:
  std::map<std::string, std::string> tenants_;  // token -> tenant
};

}  // namespace ww::services
