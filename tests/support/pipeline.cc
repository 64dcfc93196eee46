#include "tests/support/pipeline.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/kafka_env.h"

namespace ww::testing {
namespace {
std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}
}  // namespace

Subscriber::Subscriber(const std::string& target, const ww::v1::SubscribeRequest& request,
                       const std::string& token, bool batched) {
  stub_ = ww::v1::AlertService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  if (!token.empty()) ctx_.AddMetadata("authorization", "Bearer " + token);
  if (batched) {
    batch_reader_ = stub_->SubscribeBatched(&ctx_, request);
    batch_reader_->WaitForInitialMetadata();
    thread_ = std::thread([this] {
      for (ww::v1::AlertBatch batch; batch_reader_->Read(&batch);) {
        absl::MutexLock lock(&mu_);
        alerts_.insert(alerts_.end(), batch.alerts().begin(), batch.alerts().end());
      }
      status_ = batch_reader_->Finish();
    });
    return;
  }
  reader_ = stub_->Subscribe(&ctx_, request);
  reader_->WaitForInitialMetadata();
  thread_ = std::thread([this] {
    for (ww::v1::Alert a; reader_->Read(&a);) {
      absl::MutexLock lock(&mu_);
      alerts_.push_back(a);
    }
    status_ = reader_->Finish();
  });
}

Subscriber::~Subscriber() {
  ctx_.TryCancel();
  if (thread_.joinable()) thread_.join();
}

grpc::Status Subscriber::Finish() {
  if (thread_.joinable()) thread_.join();
  return status_;
}

std::vector<ww::v1::Alert> Subscriber::alerts() {
  absl::MutexLock lock(&mu_);
  return alerts_;
}

bool Subscriber::WaitUntil(const std::function<bool(const std::vector<ww::v1::Alert>&)>& done,
                           absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (done(alerts())) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(100));  // polls what the stream thread collected
  }
}

bool Subscriber::WaitForEntities(const std::set<std::string>& entities, absl::Duration timeout) {
  return WaitUntil(
      [&](const std::vector<ww::v1::Alert>& got) {
        std::set<std::string> seen;
        for (const auto& a : got) seen.insert(a.entity_id());
        return std::includes(seen.begin(), seen.end(), entities.begin(), entities.end());
      },
      timeout);
}

bool Subscriber::WaitForCount(size_t n, absl::Duration timeout) {
  return WaitUntil([n](const std::vector<ww::v1::Alert>& got) { return got.size() >= n; }, timeout);
}

void PipelineTest::SetUp() {
  client_ = BrokerOrSkip();
  if (client_.bootstrap_servers.empty()) {
    GTEST_SKIP() << "WW_TEST_BOOTSTRAP is not set: run through ctest -L e2e";
  }
  bin_ = Env("WW_BIN_DIR");
  src_ = Env("WW_SOURCE_DIR");
  prefix_ = UniquePrefix("e2e");
  std::filesystem::create_directories(bin_ + "/../test-logs");
  auto created = Wwctl({"topics", "create", "--partitions", "2"});
  ASSERT_EQ(created.exit_code, 0) << created.out;
  for (const char* name : {"ingestor", "deduper", "tagger", "alerter"}) {
    StartService(name);
    if (HasFatalFailure()) return;
  }
  auto status = Wwctl({"status", "--wait", "60s"});
  ASSERT_EQ(status.exit_code, 0) << status.out;
}

void PipelineTest::StartService(const std::string& name) {
  std::string log = absl::StrCat(bin_, "/../test-logs/", prefix_, name, ".log");
  std::vector<std::string>& argv = argv_[name];
  if (argv.empty()) {
    argv = {absl::StrCat(bin_, "/ww-", name), "--bootstrap_servers=" + client_.bootstrap_servers,
            "--topic_prefix=" + prefix_, "--grpc_listen=127.0.0.1:0",
            "--instance_id=" + prefix_ + name};
    // Groups of their own too, so no member of another test's pipeline joins them.
    if (name != "ingestor") argv.push_back("--group_id=" + prefix_ + name);
    for (const auto& extra : extra_args_[name]) argv.push_back(extra);
  }
  auto p = std::make_unique<Process>(argv, log);
  std::string mline = p->WaitForLine("metrics port", absl::Seconds(30));
  ASSERT_FALSE(mline.empty()) << name << " did not start; see " << log;
  metrics_port_[name] = std::stoi(mline.substr(mline.rfind(' ') + 1));
  std::string line = p->WaitForLine("grpc port", absl::Seconds(30));
  ASSERT_FALSE(line.empty()) << name << " did not start; see " << log;
  addr_[name] = "127.0.0.1:" + line.substr(line.rfind(' ') + 1);
  if (auto it = index_.find(name); it != index_.end()) {
    services_[it->second] = std::move(p);
  } else {
    index_[name] = services_.size();
    services_.push_back(std::move(p));
  }
}

void PipelineTest::KillService(const std::string& name) { service(name).Kill(); }

void PipelineTest::TearDown() {
  for (auto& p : services_) {
    EXPECT_EQ(p->Stop(), 0) << "a service did not shut down cleanly on SIGTERM";
  }
}

RunResult PipelineTest::Wwctl(std::vector<std::string> args) {
  std::vector<std::string> argv = {bin_ + "/wwctl"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--bootstrap-servers=" + client_.bootstrap_servers);
  argv.push_back("--topic-prefix=" + prefix_);
  for (const auto& [name, addr] : addr_) argv.push_back(absl::StrCat("--", name, "=", addr));
  argv.insert(argv.end(), wwctl_args_.begin(), wwctl_args_.end());
  return ::ww::testing::Run(argv, absl::Seconds(60));
}

std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const std::string req = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    send(fd, req.data(), req.size(), 0);
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, n);
  }
  close(fd);
  return out;
}

std::string PipelineTest::Metrics(const std::string& service) {
  return HttpGet(metrics_port_[service], "/metrics");
}

std::string PipelineTest::Sample(const std::string& relative) const {
  return src_ + "/samples/" + relative;
}

std::string PipelineTest::Submit(const std::string& file, const std::string& url,
                                 const std::string& source) {
  auto r = Wwctl({"submit", "--title", "Kim's train", "--source", source, "--url", url,
                  Sample("articles/" + file)});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  return r.out;
}

}  // namespace ww::testing
