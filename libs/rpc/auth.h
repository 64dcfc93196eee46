#pragma once
// Who may call what, for every service's gRPC server alike (Server::Start takes a
// TokenStore; no handler checks tokens itself).
//
// A call carries "authorization: Bearer TOKEN". The tokens file maps each token to a tenant
// and a role, one per line:
//     sha256:HEX  TENANT  ROLE     the token's SHA-256 (what `wwctl tokens create` prints)
//     TOKEN       TENANT  ROLE     a token in clear: loads, with a warning
//     TOKEN       TENANT           the alerter's old format: role admin, with a warning
// ('#' starts a comment). The file is read again when it changes, without a restart; a file
// that no longer parses leaves the tokens as they were (and says why in the log).
//
// The role a method needs is declared in its proto (`option (ww.v1.required_role)`, see
// proto/ww/v1/auth.proto). No token or an unknown one: UNAUTHENTICATED; a role that may not
// call the method: PERMISSION_DENIED naming the role needed. Health checks and reflection
// stay open (probes, grpcurl). A method with no declared role is refused (fail closed).
//
// Mutual TLS instead of a token (Server::Start with TlsFiles::client_ca_file): a client
// certificate the CA signed names the caller in its subject, O the tenant and OU the role
// ("CN=alerts-bot, OU=subscriber, O=desk-a"), as Kubernetes reads O as a user's group. A call
// that carries a token is judged by the token.
//
// A handler learns who calls with CallerOf(context).
//
// Why the processor does not hand the caller to the handler: gRPC gives it the connection's
// AuthContext, shared by every call on that connection (and channels to one address share
// connections), so a property set there for one call would be seen by the next. CallerOf
// reads the call's own token again instead (a SHA-256 and a scan of the table).
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/auth_metadata_processor.h>

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace google::protobuf {
class MethodDescriptor;
}  // namespace google::protobuf

namespace ww::rpc {

// The roles of ww.v1.Role, in the same order.
enum class Role { kSubscriber = 1, kSubmitter = 2, kEditor = 3, kAdmin = 4 };
std::string_view RoleName(Role role);  // "subscriber", ...
absl::StatusOr<Role> ParseRole(std::string_view name);
// Admin may do everything in its tenant; any other role only what names it.
inline bool Allows(Role has, Role needs) { return has == Role::kAdmin || has == needs; }

// Who is calling.
struct Caller {
  std::string tenant = "default";  // "default" when authentication is off
  Role role = Role::kAdmin;        // kAdmin when authentication is off
  std::string token_id;            // "sha256:" + 12 hex digits of the token's hash; never the token
  bool authenticated = false;      // false: authentication is off
};

// "sha256:" + the SHA-256 of `token` in hex: what the tokens file stores.
std::string HashToken(std::string_view token);
// A new random token (256 bits from the OS, URL-safe): "ww_" + 43 characters.
std::string NewToken();

// The tokens of one file. Immutable; thread-safe.
class TokenTable {
 public:
  // InvalidArgument names the line. `warnings` (optional) receives one line per token in
  // clear. An empty table (no tokens) is valid: every call is then refused.
  static absl::StatusOr<TokenTable> Parse(std::string_view text,
                                          std::vector<std::string>* warnings = nullptr);
  // The caller a token names, or nullopt. Compares with every entry in constant time.
  std::optional<Caller> Find(std::string_view token) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string hash;  // hex digits only
    Caller caller;
  };
  std::vector<Entry> entries_;
};

// A tokens file, read again when it changes. Thread-safe.
class TokenStore {
 public:
  // NotFound or InvalidArgument when the file cannot be read or parsed.
  static absl::StatusOr<std::shared_ptr<TokenStore>> Open(std::string path);
  // The current tokens; looks at the file at most once per `check_every` (a stat).
  std::shared_ptr<const TokenTable> table();
  // Reads the file again if its size, time or inode changed: true when new tokens were
  // loaded. A file that cannot be read or parsed keeps the old tokens.
  bool ReloadIfChanged();
  const std::string& path() const { return path_; }
  void set_check_every(absl::Duration d) { check_every_ = d; }

 private:
  struct Stamp {
    int64_t size = -1;
    int64_t inode = -1;
    timespec mtime{};
    bool operator==(const Stamp& o) const {
      return size == o.size && inode == o.inode && mtime.tv_sec == o.mtime.tv_sec &&
             mtime.tv_nsec == o.mtime.tv_nsec;
    }
  };
  explicit TokenStore(std::string path) : path_(std::move(path)) {}
  absl::Status Load(const Stamp& stamp);
  static Stamp StampOf(const std::string& path);

  const std::string path_;
  absl::Duration check_every_ = absl::Seconds(1);
  absl::Mutex mu_;
  std::shared_ptr<const TokenTable> table_ ABSL_GUARDED_BY(mu_);
  Stamp stamp_ ABSL_GUARDED_BY(mu_);
  absl::Time last_check_ ABSL_GUARDED_BY(mu_);
};

// The descriptor of the method at a gRPC path ("/ww.v1.WatchlistService/PutEntities"), from
// the protos linked into this program; nullptr when none declares it.
const google::protobuf::MethodDescriptor* FindMethod(std::string_view path);

// The role the method at `path` ("/ww.v1.WatchlistService/PutEntities") needs; nullopt for
// the open services (health, reflection); NotFound for a method no linked proto declares,
// FailedPrecondition for one without a role.
absl::StatusOr<std::optional<Role>> RequiredRole(std::string_view path);

// The caller a verified client certificate names: its subject as gRPC reports it (RFC 2253,
// "CN=alerts-bot,OU=subscriber,O=desk-a"): O the tenant, OU the role, CN who ("x509:CN" is
// its token_id in the audit). InvalidArgument when O or OU is missing, the role unknown or
// the tenant no valid id.
absl::StatusOr<Caller> CallerFromCertificate(std::string_view subject);

// The decision for one call: the caller, or the status to refuse it with. `authorization`
// is the metadata's value (nullptr when absent); `certificate` the subject of the verified
// client certificate of the connection (nullptr when none), used when there is no token.
grpc::Status Authorize(const TokenTable& tokens, std::string_view path,
                       const std::string* authorization, Caller* caller,
                       const std::string* certificate = nullptr);

// The gRPC adapter: checks every call before its handler runs.
class AuthProcessor final : public grpc::AuthMetadataProcessor {
 public:
  explicit AuthProcessor(std::shared_ptr<TokenStore> tokens) : tokens_(std::move(tokens)) {}
  bool IsBlocking() const override { return false; }  // a hash and a stat at most
  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed, OutputMetadata* response) override;

 private:
  std::shared_ptr<TokenStore> tokens_;
};

// The tokens this process's server checks (Server::Start sets them; nullptr: authentication
// off). One tokens file per process.
void SetProcessTokens(std::shared_ptr<TokenStore> tokens);

// Who makes this call: with authentication off, the tenant "default" as admin
// (authenticated = false); else the caller its token names (or, without a token, its client
// certificate), or UNAUTHENTICATED when the token was revoked since the call was let in.
grpc::Status CallerOf(const grpc::ServerContextBase& context, Caller* caller);

}  // namespace ww::rpc
