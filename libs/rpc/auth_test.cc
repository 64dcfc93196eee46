#include "libs/rpc/auth.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/rpc/server.h"
#include "libs/runtime/metrics.h"
#include "ww/v1/alerts.grpc.pb.h"
#include "ww/v1/destinations.grpc.pb.h"
#include "ww/v1/ingest.grpc.pb.h"
#include "ww/v1/watchlist.grpc.pb.h"

namespace ww::rpc {
namespace {

constexpr char kPut[] = "/ww.v1.WatchlistService/PutEntities";

// A service's descriptors are in the generated pool once its proto's code is linked (as it
// is in the service that serves it); these tests ask about every service.
void LinkEveryService() {
  (void)ww::v1::SubscribeRequest::descriptor();
  (void)ww::v1::SubmitRequest::descriptor();
  (void)ww::v1::PutEntitiesRequest::descriptor();
  (void)ww::v1::PutDestinationsRequest::descriptor();
}

TEST(TokenTable, HashedClearAndOldLinesLoadClearOnesWithAWarning) {
  const std::string hashed = HashToken("editor-secret");
  std::vector<std::string> warnings;
  auto t = TokenTable::Parse("# desk tokens\n" + hashed +
                                 " desk-a editor\n\nclear-secret desk-b subscriber  # x\n" +
                                 "old-secret desk-c\n",
                             &warnings);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->size(), 3u);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("line 4"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find(HashToken("clear-secret")), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("taken as admin"), std::string::npos) << warnings[1];

  auto a = t->Find("editor-secret");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->tenant, "desk-a");
  EXPECT_EQ(a->role, Role::kEditor);
  EXPECT_TRUE(a->authenticated);
  EXPECT_EQ(a->token_id, hashed.substr(0, 19));  // "sha256:" + 12 digits
  EXPECT_EQ(t->Find("clear-secret")->role, Role::kSubscriber);
  EXPECT_EQ(t->Find("old-secret")->role, Role::kAdmin);
  EXPECT_FALSE(t->Find("editor-secre").has_value());
  EXPECT_FALSE(t->Find(hashed).has_value()) << "the stored hash is not itself a token";
  EXPECT_FALSE(t->Find("").has_value());
}

TEST(TokenTable, BadLinesAreNamed) {
  auto role = TokenTable::Parse("\nx desk-a owner\n");
  ASSERT_FALSE(role.ok());
  EXPECT_NE(role.status().message().find("line 2"), std::string::npos) << role.status();
  EXPECT_NE(role.status().message().find("unknown role 'owner'"), std::string::npos);
  auto hash = TokenTable::Parse("sha256:abc desk-a admin\n");
  ASSERT_FALSE(hash.ok());
  EXPECT_NE(hash.status().message().find("64 hex digits"), std::string::npos);
  EXPECT_FALSE(TokenTable::Parse("lonely\n").ok());
  auto tenant = TokenTable::Parse("x desk/a admin\n");
  ASSERT_FALSE(tenant.ok());
  EXPECT_NE(tenant.status().message().find("tenant 'desk/a'"), std::string::npos)
      << tenant.status();
  EXPECT_FALSE(TokenTable::Parse("a b c d\n").ok());
}

TEST(Tokens, NewTokensAreRandomAndHashesAreSha256) {
  const std::string a = NewToken(), b = NewToken();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.substr(0, 3), "ww_");
  EXPECT_EQ(a.size(), 3u + 43u);
  EXPECT_EQ(HashToken("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(RequiredRole, EveryMethodOfEveryServiceDeclaresOne) {
  LinkEveryService();
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  int methods = 0;
  for (const char* file : {"ww/v1/alerts.proto", "ww/v1/ingest.proto", "ww/v1/watchlist.proto",
                           "ww/v1/destinations.proto"}) {
    const google::protobuf::FileDescriptor* f = pool->FindFileByName(file);
    ASSERT_NE(f, nullptr) << file;
    for (int s = 0; s < f->service_count(); ++s) {
      for (int m = 0; m < f->service(s)->method_count(); ++m) {
        const auto* method = f->service(s)->method(m);
        const std::string path = "/" + f->service(s)->full_name() + "/" + method->name();
        auto role = RequiredRole(path);
        ASSERT_TRUE(role.ok()) << path << ": " << role.status();
        EXPECT_TRUE(role->has_value()) << path;
        ++methods;
      }
    }
  }
  EXPECT_GE(methods, 13);
  EXPECT_EQ(*RequiredRole(kPut), Role::kEditor);
  EXPECT_EQ(*RequiredRole("/ww.v1.IngestService/Submit"), Role::kSubmitter);
  EXPECT_EQ(*RequiredRole("/ww.v1.AlertService/Subscribe"), Role::kSubscriber);
  EXPECT_FALSE(RequiredRole("/grpc.health.v1.Health/Check")->has_value());
  EXPECT_EQ(RequiredRole("/ww.v1.WatchlistService/Drop").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(Authorize, TokenRoleAndMethodDecide) {
  LinkEveryService();
  auto t = TokenTable::Parse(HashToken("sub") + " desk-a subscriber\n" + HashToken("ed") +
                             " desk-a editor\n" + HashToken("root") + " desk-b admin\n");
  ASSERT_TRUE(t.ok());
  Caller c;
  EXPECT_EQ(Authorize(*t, kPut, nullptr, &c).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const std::string basic = "Basic ed", wrong = "Bearer nope", sub = "Bearer sub", ed = "Bearer ed",
                    root = "Bearer root";
  EXPECT_EQ(Authorize(*t, kPut, &basic, &c).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Authorize(*t, kPut, &wrong, &c).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status denied = Authorize(*t, kPut, &sub, &c);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(denied.error_message().find("needs role editor"), std::string::npos)
      << denied.error_message();
  ASSERT_TRUE(Authorize(*t, kPut, &ed, &c).ok());
  EXPECT_EQ(c.tenant, "desk-a");
  EXPECT_EQ(c.role, Role::kEditor);
  EXPECT_EQ(Authorize(*t, "/ww.v1.IngestService/Submit", &ed, &c).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Authorize(*t, "/ww.v1.AlertService/Subscribe", &sub, &c).ok());
  for (const char* path : {kPut, "/ww.v1.IngestService/Submit", "/ww.v1.AlertService/Subscribe"}) {
    EXPECT_TRUE(Authorize(*t, path, &root, &c).ok()) << path;
    EXPECT_EQ(c.tenant, "desk-b");
  }
  EXPECT_TRUE(Authorize(*t, "/grpc.health.v1.Health/Check", nullptr, &c).ok());
  EXPECT_EQ(Authorize(*t, "/ww.v1.Nothing/Here", &root, &c).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

std::string TempFile(const std::string& name, const std::string& text) {
  std::string path =
      (std::filesystem::temp_directory_path() / (name + std::to_string(::getpid()) + ".tokens"))
          .string();
  std::ofstream(path, std::ios::trunc) << text;
  return path;
}

TEST(TokenStore, ReloadsAChangedFileAndKeepsTokensWhenTheNewOneIsBad) {
  const std::string path = TempFile("ww-auth-store", HashToken("one") + " desk-a editor\n");
  auto store = TokenStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->table()->Find("one").has_value());
  EXPECT_FALSE((*store)->ReloadIfChanged()) << "nothing changed";

  std::ofstream(path, std::ios::trunc) << HashToken("two") << " desk-a editor\n# longer\n";
  EXPECT_TRUE((*store)->ReloadIfChanged());
  EXPECT_FALSE((*store)->table()->Find("one").has_value()) << "a removed token is revoked";
  EXPECT_TRUE((*store)->table()->Find("two").has_value());

  std::ofstream(path, std::ios::trunc) << "two desk-a janitor\n";
  EXPECT_FALSE((*store)->ReloadIfChanged());
  EXPECT_TRUE((*store)->table()->Find("two").has_value()) << "a bad file keeps the old tokens";
  std::filesystem::remove(path);
  EXPECT_EQ(TokenStore::Open(path).status().code(), absl::StatusCode::kNotFound);
}

// A real server on loopback: the processor refuses before the handler runs.
class FakeWatchlist final : public ww::v1::WatchlistService::Service {
 public:
  grpc::Status ListEntities(grpc::ServerContext* ctx, const ww::v1::ListEntitiesRequest*,
                            ww::v1::ListEntitiesResponse*) override {
    ++calls;
    Caller c;
    if (grpc::Status s = CallerOf(*ctx, &c); !s.ok()) return s;
    tenant = c.tenant;
    return grpc::Status::OK;
  }
  grpc::Status PutEntities(grpc::ServerContext*, const ww::v1::PutEntitiesRequest* req,
                           ww::v1::PutEntitiesResponse*) override {
    return req->entities_size() == 0
               ? grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no entities")
               : grpc::Status::OK;
  }
  std::atomic<int> calls{0};
  std::string tenant;
};

grpc::Status List(int port, const std::string& token) {
  auto stub = ww::v1::WatchlistService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  ww::v1::ListEntitiesResponse resp;
  return stub->ListEntities(&ctx, {}, &resp);
}

TEST(AuthServer, RefusesBeforeTheHandlerAndTellsItTheCaller) {
  const std::string path =
      TempFile("ww-auth-server", HashToken("sub") + " desk-a subscriber\n" + HashToken("ed") +
                                     " desk-a editor\n" + HashToken("ed-b") + " desk-b editor\n");
  auto store = TokenStore::Open(path);
  ASSERT_TRUE(store.ok());
  FakeWatchlist service;
  auto server = Server::Start("127.0.0.1:0", {&service}, {.tokens = *store});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();

  EXPECT_EQ(List(port, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(List(port, "guess").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status denied = List(port, "sub");
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(denied.error_message().find("editor"), std::string::npos) << denied.error_message();
  EXPECT_EQ(service.calls.load(), 0) << "a refused call must not reach the handler";
  // Refusals are counted (they reach no handler and no audit).
  const std::string metrics = runtime::Metrics::Default().Render();
  EXPECT_NE(metrics.find("ww_rpc_refused_total{code=\"unauthenticated\",method=\"/ww.v1."
                         "WatchlistService/ListEntities\"} 2"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("ww_rpc_refused_total{code=\"permission_denied\",method=\"/ww.v1."
                         "WatchlistService/ListEntities\"} 1"),
            std::string::npos);

  ASSERT_TRUE(List(port, "ed").ok());
  EXPECT_EQ(service.calls.load(), 1);
  EXPECT_EQ(service.tenant, "desk-a");
  // Calls of two tenants over one connection (channels to one address share it): each is
  // its own caller's.
  ASSERT_TRUE(List(port, "ed-b").ok());
  EXPECT_EQ(service.tenant, "desk-b");
  ASSERT_TRUE(List(port, "ed").ok());
  EXPECT_EQ(service.tenant, "desk-a");

  // Health stays open for probes.
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext hc;
  grpc::health::v1::HealthCheckResponse hr;
  EXPECT_TRUE(health->Check(&hc, {}, &hr).ok());
  std::filesystem::remove(path);
}

TEST(AuthServer, WithoutAuthenticationEveryCallerIsTheDefaultAdmin) {
  FakeWatchlist service;
  auto server = Server::Start("127.0.0.1:0", {&service});
  ASSERT_TRUE(server.ok());
  ASSERT_TRUE(List((*server)->port(), "").ok());
  EXPECT_EQ(service.tenant, "default");
}

// Inside a cluster the services listen on every address (a mesh may add mTLS around them):
// tokens are checked there too, for clients that connect in plaintext as before.
TEST(AuthServer, ChecksTokensOnEveryAddressInPlaintext) {
  const std::string path = TempFile("ww-auth-net", HashToken("x") + " desk-a admin\n");
  auto store = TokenStore::Open(path);
  ASSERT_TRUE(store.ok());
  FakeWatchlist service;
  auto server = Server::Start("0.0.0.0:0", {&service}, {.tokens = *store});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(List((*server)->port(), "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(List((*server)->port(), "x").ok());
  EXPECT_EQ(service.tenant, "desk-a");
  std::filesystem::remove(path);
}

TEST(ClientCertificate, SubjectNamesTenantAndRole) {
  auto c = CallerFromCertificate("CN=alerts-bot,OU=subscriber,O=desk-a,C=NO");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->tenant, "desk-a");
  EXPECT_EQ(c->role, Role::kSubscriber);
  EXPECT_EQ(c->token_id, "x509:alerts-bot");
  EXPECT_TRUE(c->authenticated);
  // An escaped comma stays in its value; spaces around parts do not count.
  auto spaced = CallerFromCertificate("CN=Bot\\, Inc. , OU = editor , O = desk-b");
  ASSERT_TRUE(spaced.ok()) << spaced.status();
  EXPECT_EQ(spaced->tenant, "desk-b");
  EXPECT_EQ(spaced->token_id, "x509:Bot, Inc.");
  EXPECT_EQ(CallerFromCertificate("CN=bot,O=desk-a").status().code(),
            absl::StatusCode::kInvalidArgument);  // no role
  EXPECT_FALSE(CallerFromCertificate("CN=bot,OU=janitor,O=desk-a").ok());
  EXPECT_FALSE(CallerFromCertificate("CN=bot,OU=editor,O=Desk A").ok());  // no id
}

TEST(ClientCertificate, StandsInForATokenAndATokenWins) {
  auto t = TokenTable::Parse(HashToken("sub-b") + " desk-b subscriber\n");
  ASSERT_TRUE(t.ok());
  const std::string editor = "CN=ci,OU=editor,O=desk-a", sub = "CN=r,OU=subscriber,O=desk-a";
  Caller c;
  ASSERT_TRUE(Authorize(*t, kPut, nullptr, &c, &editor).ok());
  EXPECT_EQ(c.tenant, "desk-a");
  grpc::Status denied = Authorize(*t, kPut, nullptr, &c, &sub);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(denied.error_message().find("certificate"), std::string::npos);
  const std::string token = "Bearer sub-b";
  EXPECT_EQ(Authorize(*t, kPut, &token, &c, &editor).error_code(),
            grpc::StatusCode::PERMISSION_DENIED)
      << "a call with a token is judged by its token";
  const std::string nameless = "CN=anonymous";
  EXPECT_EQ(Authorize(*t, kPut, nullptr, &c, &nameless).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// Certificates made with the openssl command line, as an operator's CA would sign them.
class MutualTls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ww-mtls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto run = [&](const std::string& cmd) {
      return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
    };
    const std::string d = dir_.string() + "/";
    ASSERT_TRUE(
        run("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=ww-test-ca "
            "-keyout " +
            d + "ca.key -out " + d + "ca.pem"))
        << "openssl could not make a test CA";
    ASSERT_TRUE(
        run("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=other-ca "
            "-keyout " +
            d + "other.key -out " + d + "other.pem"));
    // The server's certificate, and clients' signed by the CA (and one by another CA).
    Sign("server", "/CN=localhost", "ca", "-addext subjectAltName=IP:127.0.0.1,DNS:localhost");
    Sign("editor", "/O=desk-a/OU=editor/CN=ci-bot", "ca", "");
    Sign("nameless", "/CN=somebody", "ca", "");
    Sign("stranger", "/O=desk-a/OU=admin/CN=mallory", "other", "");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Sign(const std::string& name, const std::string& subject, const std::string& ca,
            const std::string& ext) {
    const std::string d = dir_.string() + "/";
    const std::string cmd = "openssl req -newkey rsa:2048 -nodes -subj " + subject + " " + ext +
                            " -keyout " + d + name + ".key -out " + d + name +
                            ".csr && openssl x509 -req -days 1 -in " + d + name + ".csr -CA " + d +
                            ca + ".pem -CAkey " + d + ca +
                            ".key -CAcreateserial -copy_extensions "
                            "copy -out " +
                            d + name + ".pem";
    ASSERT_EQ(std::system((cmd + " >/dev/null 2>&1").c_str()), 0) << "openssl: " << name;
  }
  std::string Read(const std::string& name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // ListEntities over TLS, as `client` (a certificate name; "" for none), with `token`.
  grpc::Status List(int port, const std::string& client, const std::string& token = "") {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = Read("ca.pem");
    if (!client.empty()) {
      o.pem_cert_chain = Read(client + ".pem");
      o.pem_private_key = Read(client + ".key");
    }
    auto stub = ww::v1::WatchlistService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::SslCredentials(o)));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    ww::v1::ListEntitiesResponse resp;
    return stub->ListEntities(&ctx, {}, &resp);
  }
  std::filesystem::path dir_;
};

TEST_F(MutualTls, AClientCertificateNamesTheCallerAndATokenStillWorks) {
  const std::string tokens = TempFile("ww-mtls-tokens", HashToken("t-b") + " desk-b editor\n");
  auto store = TokenStore::Open(tokens);
  ASSERT_TRUE(store.ok());
  FakeWatchlist service;
  const std::string d = dir_.string() + "/";
  auto server =
      Server::Start("127.0.0.1:0", {&service},
                    {.tls = {d + "server.pem", d + "server.key", d + "ca.pem"}, .tokens = *store});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();

  ASSERT_TRUE(List(port, "editor").ok());
  EXPECT_EQ(service.tenant, "desk-a") << "the certificate's O is the tenant";
  ASSERT_TRUE(List(port, "", "t-b").ok()) << "no certificate: a token will do";
  EXPECT_EQ(service.tenant, "desk-b");
  EXPECT_EQ(List(port, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(List(port, "nameless").error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << "a certificate that names no tenant and role";
  EXPECT_NE(List(port, "stranger").error_code(), grpc::StatusCode::OK)
      << "a certificate another CA signed must not get in";
  EXPECT_EQ(service.calls.load(), 2);
  // Mutual TLS without tokens would identify no one: refused at start.
  EXPECT_EQ(Server::Start("127.0.0.1:0", {&service},
                          {.tls = {d + "server.pem", d + "server.key", d + "ca.pem"}})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  std::filesystem::remove(tokens);
}

// Changes are recorded, with who made them and how they ended; reads are not.
TEST(AuditServer, RecordsEveryCallOfAnAuditedMethodAndNothingElse) {
  const std::string path = TempFile("ww-auth-audit", HashToken("ed") + " desk-a editor\n");
  auto store = TokenStore::Open(path);
  ASSERT_TRUE(store.ok());
  absl::Mutex mu;
  std::vector<ww::v1::AuditRecord> records;
  FakeWatchlist service;
  auto server = Server::Start("127.0.0.1:0", {&service},
                              {.tokens = *store,
                               .audit =
                                   [&](const ww::v1::AuditRecord& r) {
                                     absl::MutexLock lock(&mu);
                                     records.push_back(r);
                                   },
                               .name = "ww-test"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = ww::v1::WatchlistService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string((*server)->port()), grpc::InsecureChannelCredentials()));
  auto put = [&](int entities) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer ed");
    ww::v1::PutEntitiesRequest req;
    for (int i = 0; i < entities; ++i) req.add_entities()->set_id("kim");
    ww::v1::PutEntitiesResponse resp;
    return stub->PutEntities(&ctx, req, &resp);
  };
  ASSERT_TRUE(put(1).ok());
  EXPECT_EQ(put(0).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(List((*server)->port(), "ed").ok());
  (*server)->Shutdown(absl::Seconds(1));

  absl::MutexLock lock(&mu);
  ASSERT_EQ(records.size(), 2u) << "two changes recorded, the list call not";
  EXPECT_EQ(records[0].service(), "ww-test");
  EXPECT_EQ(records[0].method(), kPut);
  EXPECT_EQ(records[0].tenant(), "desk-a");
  EXPECT_EQ(records[0].role(), "editor");
  EXPECT_EQ(records[0].token_id(), HashToken("ed").substr(0, 19));
  EXPECT_EQ(records[0].code(), 0);
  EXPECT_NE(records[0].request_json().find("\"kim\""), std::string::npos)
      << records[0].request_json();
  EXPECT_NE(records[0].peer().find("127.0.0.1"), std::string::npos) << records[0].peer();
  EXPECT_EQ(records[1].code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(records[1].message(), "no entities");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ww::rpc
