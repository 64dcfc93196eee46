#include "services/alerter/auth.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ww::services {

absl::StatusOr<Authenticator> Authenticator::FromText(const std::string& text) {
  Authenticator a;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (parts.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens file line ", line_no, ": expected 'TOKEN TENANT'"));
    }
    a.tenants_[parts[0]] = parts[1];
  }
  if (a.tenants_.empty()) return absl::InvalidArgumentError("tokens file has no tokens");
  return a;
}

absl::StatusOr<Authenticator> Authenticator::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open tokens file ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return FromText(ss.str());
}

grpc::Status Authenticator::Tenant(const grpc::ServerContextBase* ctx, std::string* tenant) const {
  if (!enabled()) {
    *tenant = "default";
    return grpc::Status::OK;
  }
  const auto& md = ctx->client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "missing 'authorization: Bearer TOKEN' metadata");
  }
  std::string value(it->second.data(), it->second.size());
  absl::string_view token(value);
  if (!absl::ConsumePrefix(&token, "Bearer ")) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "authorization must be 'Bearer TOKEN'");
  }
  auto t = tenants_.find(std::string(token));
  if (t == tenants_.end()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown token");
  *tenant = t->second;
  return grpc::Status::OK;
}

}  // namespace ww::services
