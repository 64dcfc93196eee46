#include "libs/rpc/auth.h"

#include <google/protobuf/descriptor.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <array>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/runtime/ids.h"
#include "libs/runtime/log.h"
#include "libs/runtime/metrics.h"
#include "libs/runtime/string_view.h"
#include "ww/v1/auth.pb.h"

namespace ww::rpc {
namespace {

using runtime::ToAbsl;
using runtime::ToStd;

constexpr std::string_view kHashPrefix = "sha256:";

absl::Mutex process_tokens_mu(absl::kConstInit);
std::shared_ptr<TokenStore>& ProcessTokens() ABSL_EXCLUSIVE_LOCKS_REQUIRED(process_tokens_mu) {
  static auto* tokens = new std::shared_ptr<TokenStore>();
  return *tokens;
}

// The C++ roles are the proto's (auth.proto), number for number: RequiredRole casts.
static_assert(static_cast<int>(Role::kSubscriber) == ww::v1::SUBSCRIBER &&
              static_cast<int>(Role::kSubmitter) == ww::v1::SUBMITTER &&
              static_cast<int>(Role::kEditor) == ww::v1::EDITOR &&
              static_cast<int>(Role::kAdmin) == ww::v1::ADMIN && ww::v1::Role_MAX == ww::v1::ADMIN);

constexpr std::array<std::pair<Role, std::string_view>, 4> kRoleNames = {{
    {Role::kSubscriber, "subscriber"},
    {Role::kSubmitter, "submitter"},
    {Role::kEditor, "editor"},
    {Role::kAdmin, "admin"},
}};

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string TokenId(std::string_view hash_hex) {
  return absl::StrCat(ToAbsl(kHashPrefix), ToAbsl(hash_hex.substr(0, 12)));
}

// Services every caller may reach: probes and tools that discover the API.
bool IsOpenService(std::string_view service) {
  return service == "grpc.health.v1.Health" ||
         absl::StartsWith(ToAbsl(service), "grpc.reflection.");
}

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "unknown";
}

absl::StatusOr<Role> ParseRole(std::string_view name) {
  for (const auto& [r, n] : kRoleNames) {
    if (n == name) return r;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown role '", ToAbsl(name), "': subscriber, submitter, editor or admin"));
}

std::string HashToken(std::string_view token) {
  return absl::StrCat(ToAbsl(kHashPrefix), runtime::Sha256Hex(token));
}

std::string NewToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // Without the OS's randomness there is no safe token to give.
    runtime::Logger("auth").Error("RAND_bytes failed: cannot make a token");
    std::abort();
  }
  return absl::StrCat(
      "ww_", absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<char*>(bytes), 32)));
}

absl::StatusOr<TokenTable> TokenTable::Parse(std::string_view text,
                                             std::vector<std::string>* warnings) {
  TokenTable table;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(ToAbsl(text), '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (parts.size() != 2 && parts.size() != 3) {
      return absl::InvalidArgumentError(absl::StrCat("tokens file line ", line_no,
                                                     ": expected 'sha256:HEX TENANT ROLE' (",
                                                     parts.size(), " fields)"));
    }
    if (!runtime::IsValidId(ToStd(parts[1]))) {
      // A tenant qualifies entity ids ("tenant/id"): it must be an id itself.
      return absl::InvalidArgumentError(absl::StrCat("tokens file line ", line_no, ": tenant '",
                                                     parts[1], "': ", runtime::kIdRule));
    }
    Entry e;
    e.caller.tenant = std::string(parts[1]);
    e.caller.authenticated = true;
    if (parts.size() == 3) {
      auto role = ParseRole(ToStd(parts[2]));
      if (!role.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("tokens file line ", line_no, ": ", role.status().message()));
      }
      e.caller.role = *role;
    } else {
      e.caller.role = Role::kAdmin;
    }
    absl::string_view token = parts[0];
    if (absl::ConsumePrefix(&token, ToAbsl(kHashPrefix))) {
      if (!IsHex64(ToStd(token))) {
        return absl::InvalidArgumentError(
            absl::StrCat("tokens file line ", line_no, ": a sha256: hash has 64 hex digits"));
      }
      e.hash = absl::AsciiStrToLower(token);
    } else {
      e.hash = runtime::Sha256Hex(ToStd(token));
      if (warnings != nullptr) {
        warnings->push_back(
            absl::StrCat("tokens file line ", line_no, ": a token in clear",
                         parts.size() == 2 ? " without a role (taken as admin)" : "",
                         "; store its hash instead: ", HashToken(ToStd(token)), " ", parts[1], " ",
                         ToAbsl(RoleName(e.caller.role))));
      }
    }
    e.caller.token_id = TokenId(e.hash);
    table.entries_.push_back(std::move(e));
  }
  return table;
}

std::optional<Caller> TokenTable::Find(std::string_view token) const {
  const std::string hash = runtime::Sha256Hex(token);
  const Entry* found = nullptr;
  // Every entry is compared, in constant time each: how long this takes says nothing about
  // which hash, or how much of one, matched.
  for (const Entry& e : entries_) {
    const bool same = CRYPTO_memcmp(e.hash.data(), hash.data(), hash.size()) == 0;
    if (same && found == nullptr) found = &e;
  }
  if (found == nullptr) return std::nullopt;
  return found->caller;
}

TokenStore::Stamp TokenStore::StampOf(const std::string& path) {
  Stamp s;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return s;
  s.size = st.st_size;
  s.inode = static_cast<int64_t>(st.st_ino);
  s.mtime = st.st_mtim;
  return s;
}

absl::StatusOr<std::shared_ptr<TokenStore>> TokenStore::Open(std::string path) {
  std::shared_ptr<TokenStore> store(new TokenStore(std::move(path)));
  absl::MutexLock lock(&store->mu_);
  if (absl::Status s = store->Load(StampOf(store->path_)); !s.ok()) return s;
  store->last_check_ = absl::Now();
  return store;
}

absl::Status TokenStore::Load(const Stamp& stamp) {
  std::ifstream in(path_);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open tokens file ", path_));
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<std::string> warnings;
  auto parsed = TokenTable::Parse(ss.str(), &warnings);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": ", parsed.status().message()));
  }
  runtime::Logger log("auth");
  for (const std::string& w : warnings) log.Warn(w, {{"file", path_}});
  log.Info("tokens loaded", {{"file", path_}, {"tokens", static_cast<int64_t>(parsed->size())}});
  table_ = std::make_shared<const TokenTable>(*std::move(parsed));
  stamp_ = stamp;
  return absl::OkStatus();
}

bool TokenStore::ReloadIfChanged() {
  absl::MutexLock lock(&mu_);
  last_check_ = absl::Now();
  const Stamp now = StampOf(path_);
  if (now == stamp_) return false;
  if (absl::Status s = Load(now); !s.ok()) {
    // Keep serving with the tokens we have; say so once per change of the file.
    stamp_ = now;
    runtime::Logger("auth").Error("tokens file not reloaded; the previous tokens stay",
                                  {{"error", s.ToString()}});
    return false;
  }
  return true;
}

std::shared_ptr<const TokenTable> TokenStore::table() {
  bool due;
  {
    absl::MutexLock lock(&mu_);
    due = absl::Now() - last_check_ >= check_every_;
  }
  if (due) ReloadIfChanged();
  absl::MutexLock lock(&mu_);
  return table_;
}

const google::protobuf::MethodDescriptor* FindMethod(std::string_view path) {
  absl::string_view rest = ToAbsl(path);
  if (!absl::ConsumePrefix(&rest, "/")) return nullptr;
  const size_t slash = rest.find('/');
  if (slash == absl::string_view::npos) return nullptr;
  const google::protobuf::ServiceDescriptor* s =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          std::string(rest.substr(0, slash)));
  return s ? s->FindMethodByName(std::string(rest.substr(slash + 1))) : nullptr;
}

absl::StatusOr<std::optional<Role>> RequiredRole(std::string_view path) {
  absl::string_view service = ToAbsl(path);
  absl::ConsumePrefix(&service, "/");
  service = service.substr(0, service.find('/'));
  if (IsOpenService(ToStd(service))) return std::nullopt;
  const google::protobuf::MethodDescriptor* m = FindMethod(path);
  if (m == nullptr) return absl::NotFoundError(absl::StrCat("unknown method ", ToAbsl(path)));
  const ww::v1::Role role = m->options().GetExtension(ww::v1::required_role);
  if (role == ww::v1::ROLE_UNSPECIFIED) {
    return absl::FailedPreconditionError(
        absl::StrCat(ToAbsl(path), " declares no required_role, so no one may call it"));
  }
  return static_cast<Role>(role);
}

absl::StatusOr<Caller> CallerFromCertificate(std::string_view subject) {
  std::string tenant, role, name;
  // RFC 2253: "CN=alerts-bot,OU=subscriber,O=desk-a" (an escaped comma stays in its value).
  std::string part;
  auto take = [&] {
    absl::string_view kv = absl::StripAsciiWhitespace(part);
    const size_t eq = kv.find('=');
    if (eq != absl::string_view::npos) {
      const absl::string_view key = absl::StripAsciiWhitespace(kv.substr(0, eq));
      const std::string value(absl::StripAsciiWhitespace(kv.substr(eq + 1)));
      if (key == "O") tenant = value;
      if (key == "OU") role = value;
      if (key == "CN") name = value;
    }
    part.clear();
  };
  for (size_t i = 0; i < subject.size(); ++i) {
    if (subject[i] == '\\' && i + 1 < subject.size()) {
      part += subject[++i];
    } else if (subject[i] == ',') {
      take();
    } else {
      part += subject[i];
    }
  }
  take();
  if (tenant.empty() || role.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the client certificate (", ToAbsl(subject),
                     ") names no tenant and role: its subject needs O=TENANT and OU=ROLE"));
  }
  auto parsed = ParseRole(role);
  if (!parsed.ok()) return parsed.status();
  if (!runtime::IsValidId(tenant)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the client certificate's tenant (O=", tenant, "): ", runtime::kIdRule));
  }
  Caller c;
  c.tenant = tenant;
  c.role = *parsed;
  c.token_id = "x509:" + name;
  c.authenticated = true;
  return c;
}

grpc::Status Authorize(const TokenTable& tokens, std::string_view path,
                       const std::string* authorization, Caller* caller,
                       const std::string* certificate) {
  auto needs = RequiredRole(path);
  if (!needs.ok()) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, std::string(needs.status().message()));
  }
  if (!needs->has_value()) return grpc::Status::OK;  // an open service
  std::optional<Caller> who;
  std::string_view credential = "token";
  if (authorization == nullptr && certificate != nullptr) {
    auto certified = CallerFromCertificate(*certificate);
    if (!certified.ok()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          std::string(certified.status().message()));
    }
    who = *std::move(certified);
    credential = "certificate";
  } else if (authorization == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "no token: send 'authorization: Bearer TOKEN' (wwctl --token or WW_TOKEN)");
  } else {
    absl::string_view token(*authorization);
    if (!absl::ConsumePrefix(&token, "Bearer ")) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "the authorization metadata must be 'Bearer TOKEN'");
    }
    token = absl::StripAsciiWhitespace(token);
    who = tokens.Find(ToStd(token));
    if (!who) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown token");
  }
  if (!Allows(who->role, **needs)) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        absl::StrCat(ToAbsl(path), " needs role ", ToAbsl(RoleName(**needs)),
                                     " (or admin); this ", ToAbsl(credential), " of tenant ",
                                     who->tenant, " is ", ToAbsl(RoleName(who->role))));
  }
  *caller = *std::move(who);
  return grpc::Status::OK;
}

namespace {
// The subject of the connection's verified client certificate, if any.
std::optional<std::string> CertificateSubject(const grpc::AuthContext* context) {
  if (context == nullptr) return std::nullopt;
  const std::vector<grpc::string_ref> values =
      context->FindPropertyValues(GRPC_X509_SUBJECT_PROPERTY_NAME);
  if (values.empty()) return std::nullopt;
  return std::string(values.front().data(), values.front().size());
}
}  // namespace

grpc::Status AuthProcessor::Process(const InputMetadata& metadata, grpc::AuthContext* context,
                                    OutputMetadata* /*consumed*/, OutputMetadata* /*response*/) {
  auto path = metadata.find(":path");
  if (path == metadata.end()) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "a call without a method path");
  }
  std::optional<std::string> authorization;
  if (auto a = metadata.find("authorization"); a != metadata.end()) {
    authorization.emplace(a->second.data(), a->second.size());
  }
  Caller caller;
  const std::string method(path->second.data(), path->second.size());
  const std::optional<std::string> certificate = CertificateSubject(context);
  grpc::Status s = Authorize(*tokens_->table(), method, authorization ? &*authorization : nullptr,
                             &caller, certificate ? &*certificate : nullptr);
  if (!s.ok()) {
    // Refused calls never reach a handler or the audit: this is where they are counted.
    runtime::Metrics::Default()
        .counter(
            "ww_rpc_refused_total",
            "gRPC calls refused by authentication (UNAUTHENTICATED) or authorisation "
            "(PERMISSION_DENIED), by method and code",
            {{"method", method},
             {"code", s.error_code() == grpc::StatusCode::UNAUTHENTICATED ? "unauthenticated"
                                                                          : "permission_denied"}})
        .Increment();
  }
  return s;
}

void SetProcessTokens(std::shared_ptr<TokenStore> tokens) {
  absl::MutexLock lock(&process_tokens_mu);
  ProcessTokens() = std::move(tokens);
}

grpc::Status CallerOf(const grpc::ServerContextBase& context, Caller* caller) {
  std::shared_ptr<TokenStore> store;
  {
    absl::MutexLock lock(&process_tokens_mu);
    store = ProcessTokens();
  }
  *caller = Caller();
  if (store == nullptr) return grpc::Status::OK;  // authentication off
  const auto& md = context.client_metadata();
  auto it = md.find("authorization");
  absl::string_view token;
  if (it != md.end()) token = absl::string_view(it->second.data(), it->second.size());
  if (!absl::ConsumePrefix(&token, "Bearer ")) {
    // No token: the connection's client certificate, which the processor let in.
    if (const auto subject = CertificateSubject(context.auth_context().get())) {
      auto certified = CallerFromCertificate(*subject);
      if (!certified.ok()) {
        return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                            std::string(certified.status().message()));
      }
      *caller = *std::move(certified);
      return grpc::Status::OK;
    }
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no bearer token");
  }
  token = absl::StripAsciiWhitespace(token);
  std::optional<Caller> who = store->table()->Find(ToStd(token));
  if (!who) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "the token was revoked");
  *caller = *std::move(who);
  return grpc::Status::OK;
}

}  // namespace ww::rpc
