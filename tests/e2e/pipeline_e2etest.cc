// The four services as processes on a real broker, driven the way a user drives them:
// wwctl creates topics, applies the watchlist and submits articles; a gRPC subscriber
// receives the alerts.
#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/kafka/producer.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"
#include "ww/v1/alerts.grpc.pb.h"

namespace ww {
namespace {

using ::ww::testing::Process;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Collects every alert a subscription receives, on its own thread.
class Subscriber {
 public:
  explicit Subscriber(const std::string& target) {
    stub_ = ww::v1::AlertService::NewStub(
        grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
    reader_ = stub_->Subscribe(&ctx_, {});
    reader_->WaitForInitialMetadata();
    thread_ = std::thread([this] {
      ww::v1::Alert a;
      while (reader_->Read(&a)) {
        absl::MutexLock lock(&mu_);
        alerts_.push_back(a);
      }
    });
  }
  ~Subscriber() {
    ctx_.TryCancel();
    thread_.join();
  }
  std::vector<ww::v1::Alert> alerts() {
    absl::MutexLock lock(&mu_);
    return alerts_;
  }
  // Waits until alerts for all `entities` have arrived (or the timeout).
  bool WaitFor(const std::set<std::string>& entities, absl::Duration timeout) {
    absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      std::set<std::string> seen;
      for (const auto& a : alerts()) seen.insert(a.entity_id());
      bool all = true;
      for (const auto& e : entities) all = all && seen.count(e);
      if (all) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

 private:
  std::unique_ptr<ww::v1::AlertService::Stub> stub_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<ww::v1::Alert>> reader_;
  absl::Mutex mu_;
  std::vector<ww::v1::Alert> alerts_;
  std::thread thread_;
};

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = ww::testing::BrokerOrSkip();
    if (client_.bootstrap_servers.empty()) GTEST_SKIP() << "WW_TEST_BOOTSTRAP is not set: run through ctest -L e2e";
    bin_ = Env("WW_BIN_DIR");
    src_ = Env("WW_SOURCE_DIR");
    prefix_ = ww::testing::UniquePrefix("e2e");
    std::filesystem::create_directories(bin_ + "/../test-logs");
    auto created = Wwctl({"topics", "create", "--partitions", "2"});
    ASSERT_EQ(created.exit_code, 0) << created.out;
    for (const char* name : {"ingestor", "deduper", "tagger", "alerter"}) {
      std::string log = absl::StrCat(bin_, "/../test-logs/", prefix_, name, ".log");
      auto p = std::make_unique<Process>(
          std::vector<std::string>{absl::StrCat(bin_, "/ww-", name),
                                   "--bootstrap_servers=" + client_.bootstrap_servers,
                                   "--topic_prefix=" + prefix_, "--grpc_listen=127.0.0.1:0",
                                   "--instance_id=" + prefix_ + name},
          log);
      std::string line = p->WaitForLine("grpc port", absl::Seconds(30));
      ASSERT_FALSE(line.empty()) << name << " did not start; see " << log;
      addr_[name] = "127.0.0.1:" + line.substr(line.rfind(' ') + 1);
      services_.push_back(std::move(p));
    }
    auto status = Wwctl({"status", "--wait", "60s"});
    ASSERT_EQ(status.exit_code, 0) << status.out;
  }

  void TearDown() override {
    for (auto& p : services_) {
      EXPECT_EQ(p->Stop(), 0) << "a service did not shut down cleanly on SIGTERM";
    }
  }

  ww::testing::RunResult Wwctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {bin_ + "/wwctl"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--bootstrap-servers=" + client_.bootstrap_servers);
    argv.push_back("--topic-prefix=" + prefix_);
    for (const auto& [name, addr] : addr_) argv.push_back(absl::StrCat("--", name, "=", addr));
    return ww::testing::Run(argv, absl::Seconds(60));
  }

  std::string Submit(const std::string& file, const std::string& url) {
    auto r = Wwctl({"submit", "--title", "Kim's train", "--source", "e2e", "--url", url,
                    src_ + "/samples/articles/" + file});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return r.out;
  }

  kafka::ClientConfig client_;
  std::string bin_, src_, prefix_;
  std::map<std::string, std::string> addr_;
  std::vector<std::unique_ptr<Process>> services_;
};

TEST_F(PipelineTest, SeedStyleArticleRaisesAlertsOnceForEachWatchedEntity) {
  auto applied = Wwctl({"watchlist", "apply", src_ + "/samples/watchlist.yaml"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out;
  Subscriber sub(addr_["alerter"]);

  const std::string article = Slurp(src_ + "/samples/articles/kim-train.txt");
  std::string id = Submit("kim-train.txt", "https://news.example/world/kim-train?utm_source=x");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(sub.WaitFor({"kim-jong-un", "vladivostok", "vladimir-putin", "north-korea"},
                          absl::Seconds(60)))
      << "alerts received: " << sub.alerts().size();

  std::vector<ww::v1::Alert> first = sub.alerts();
  std::set<std::string> ids;
  for (const auto& a : first) {
    EXPECT_TRUE(ids.insert(a.id()).second) << "alert " << a.id() << " delivered twice";
    EXPECT_EQ(a.source(), "e2e");
    EXPECT_EQ(a.url(), "https://news.example/world/kim-train");
    ASSERT_GT(a.mentions_size(), 0);
    for (const auto& m : a.mentions()) {
      ASSERT_EQ(m.field(), "text");
      ASSERT_LE(m.end(), article.size());
      EXPECT_EQ(article.substr(m.start(), m.end() - m.start()), m.text())
          << "offsets point at the mention in the submitted text";
    }
    if (a.entity_id() == "kim-jong-un") {
      EXPECT_EQ(a.entity_name(), "Kim Jong Un");
      EXPECT_EQ(a.mentions_size(), 3) << "Kim Jong Un twice, Kim Jong-un once";
    }
  }
  EXPECT_EQ(first.size(), 4u);

  // The same article again, and a reprint that differs only in its quotes under another
  // URL: both are the same story, so no new alert.
  Submit("kim-train.txt", "https://news.example/world/kim-train");
  Submit("kim-train-reprint.txt", "https://other.example/kim");
  // A different story afterwards proves the pipeline has processed everything before it.
  Submit("pyongyang-ko.txt", "https://news.example/ko/kim");
  ASSERT_TRUE(sub.WaitFor({"kim-jong-un"}, absl::Seconds(30)));
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (sub.alerts().size() < first.size() + 4 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  std::vector<ww::v1::Alert> all = sub.alerts();
  ASSERT_EQ(all.size(), first.size() + 4) << "the Korean story raises alerts for Kim, "
                                             "Vladivostok, Putin and North Korea; the copies none";
  for (size_t i = first.size(); i < all.size(); ++i) {
    EXPECT_EQ(all[i].url(), "https://news.example/ko/kim");
  }
}

TEST_F(PipelineTest, ABadRecordIsDeadLetteredAndThePipelineGoesOn) {
  ASSERT_EQ(Wwctl({"watchlist", "apply", src_ + "/samples/watchlist.yaml"}).exit_code, 0);
  Subscriber sub(addr_["alerter"]);
  auto producer = kafka::Producer::Create(client_);
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE((*producer)->Send({prefix_ + "articles.raw", "junk", "\xff\xfe not an article"}).ok());
  Submit("vladivostok-forum-ru.txt", "https://news.example/ru/forum");
  ASSERT_TRUE(sub.WaitFor({"vladimir-putin"}, absl::Seconds(60)));

  auto dead = ww::testing::ReadTopic(client_, prefix_ + "deadletter", 1, absl::Seconds(20));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].key, "junk");
  EXPECT_EQ(dead[0].header("ww-dlq-stage").value_or(""), "deduper");
  EXPECT_NE(dead[0].header("ww-dlq-reason").value_or("").find("not a ww.v1.Article"),
            std::string::npos);
}

}  // namespace
}  // namespace ww
