// ww-ingestor as a process polling feeds from a loopback HTTP server started by the test,
// through the real broker: each item reaches <prefix>articles.raw once, the second poll is a
// conditional GET answered 304, a broken feed is reported in its state on <prefix>feeds (and
// by `wwctl feeds list`) without holding up the others, and a restarted ingestor publishes
// only what is new.
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/http_server.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"
#include "ww/v1/records.pb.h"

namespace ww::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// /a and /b: RSS feeds with ETags and 304s; /broken: a 200 whose body is not a feed.
class Feeds {
 public:
  Feeds() : http_([this](const std::string& request) { return Respond(request); }) {}
  std::string Url(const std::string& path) const { return http_.Url(path); }
  // Feed /a becomes version `version` with items A1..A<items>.
  void SetA(int version, int items) {
    std::lock_guard<std::mutex> l(mu_);
    a_version_ = version;
    a_items_ = items;
  }
  // Responses so far with this status ("200", "304") for this path.
  int Count(const std::string& path, const std::string& status) {
    std::lock_guard<std::mutex> l(mu_);
    return counts_[path + " " + status];
  }

 private:
  std::string Respond(const std::string& request) {
    std::lock_guard<std::mutex> l(mu_);
    std::string path = HttpServer::Path(request);
    auto feed = [&](const std::string& name, int version, int items) {
      bool not_modified = false;
      std::string reply = HttpServer::Conditional(
          request, absl::StrCat("\"", name, version, "\""), "application/rss+xml",
          [&] {
            std::string body = absl::StrCat("<rss version=\"2.0\"><channel><title>Feed ", name,
                                            "</title><link>https://", name, ".example/</link>");
            for (int i = 1; i <= items; ++i) {
              absl::StrAppend(&body, "<item><title>", name, i, "</title><link>https://", name,
                              ".example/story/", i, "</link><guid>", name, "-", i,
                              "</guid><description>Story ", i, " of feed ", name,
                              ".</description></item>");
            }
            return body + "</channel></rss>";
          },
          &not_modified);
      ++counts_[path + (not_modified ? " 304" : " 200")];
      return reply;
    };
    if (path == "/a") return feed("A", a_version_, a_items_);
    if (path == "/b") return feed("B", 1, 2);
    ++counts_[path + " 200"];
    if (path == "/broken") {
      return HttpServer::Reply("200 OK", "Content-Type: text/html\r\n",
                               "{\"this\": \"is not a feed\"}");
    }
    return HttpServer::Reply("404 Not Found", "", "");
  }

  std::mutex mu_;
  int a_version_ = 1, a_items_ = 3;
  std::map<std::string, int> counts_;
  HttpServer http_;  // last: its thread stops before the state above goes
};

class IngestorFeedsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = BrokerOrSkip();
    if (client_.bootstrap_servers.empty()) {
      GTEST_SKIP() << "WW_TEST_BOOTSTRAP is not set: run through ctest -L e2e";
    }
    bin_ = Env("WW_BIN_DIR");
    prefix_ = UniquePrefix("feeds");
    std::filesystem::create_directories(bin_ + "/../test-logs");
    RunResult created = Wwctl({"topics", "create", "--partitions", "1"});
    ASSERT_EQ(created.exit_code, 0) << created.out;
  }

  RunResult Wwctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {bin_ + "/wwctl"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--bootstrap-servers=" + client_.bootstrap_servers);
    argv.push_back("--topic-prefix=" + prefix_);
    if (!ingestor_addr_.empty()) argv.push_back("--ingestor=" + ingestor_addr_);
    return ::ww::testing::Run(argv, absl::Seconds(60));
  }

  // Starts ww-ingestor polling the three feeds every second; `run` names its log.
  std::unique_ptr<Process> StartIngestor(const std::string& run) {
    std::string log = absl::StrCat(bin_, "/../test-logs/", prefix_, "ingestor-", run, ".log");
    auto p = std::make_unique<Process>(
        std::vector<std::string>{
            bin_ + "/ww-ingestor", "--bootstrap_servers=" + client_.bootstrap_servers,
            "--topic_prefix=" + prefix_, "--grpc_listen=127.0.0.1:0",
            "--instance_id=" + prefix_ + "ingestor",
            "--feeds=" +
                absl::StrJoin({feeds_.Url("/a"), feeds_.Url("/b"), feeds_.Url("/broken")}, ","),
            "--fetch_allow_networks=127.0.0.1/32", "--poll_interval=1s", "--max_backoff=2s"},
        log);
    std::string line = p->WaitForLine("grpc port", absl::Seconds(30));
    EXPECT_FALSE(line.empty()) << "ww-ingestor did not start; see " << log;
    if (!line.empty()) ingestor_addr_ = "127.0.0.1:" + line.substr(line.rfind(' ') + 1);
    return p;
  }

  // Waits until `done` holds (polled every 100 ms) or the timeout.
  template <typename F>
  bool WaitFor(F done, absl::Duration timeout) {
    for (absl::Time end = absl::Now() + timeout; absl::Now() < end;) {
      if (done()) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return done();
  }

  // Titles of the articles on the raw topic, once `want` are there (plus a short wait for any
  // that should not be).
  std::vector<std::string> RawTitles(size_t want) {
    std::vector<std::string> titles;
    for (const kafka::Record& r :
         ReadTopic(client_, prefix_ + "articles.raw", want, absl::Seconds(30))) {
      ww::v1::Article a;
      EXPECT_TRUE(a.ParseFromString(r.value));
      titles.push_back(a.title());
    }
    return titles;
  }

  // The latest state of each feed on the feeds topic, by URL.
  std::map<std::string, ww::v1::FeedState> FeedStates() {
    std::map<std::string, ww::v1::FeedState> by_key;
    for (const kafka::Record& r : ReadTopic(client_, prefix_ + "feeds", 1000, absl::Seconds(3))) {
      if (r.tombstone) continue;
      ww::v1::FeedState s;
      if (s.ParseFromString(r.value)) by_key[r.key] = s;
    }
    std::map<std::string, ww::v1::FeedState> by_url;
    for (const auto& [key, s] : by_key) by_url[s.url()] = s;
    return by_url;
  }

  kafka::ClientConfig client_;
  std::string bin_, prefix_, ingestor_addr_;
  Feeds feeds_;
};

TEST_F(IngestorFeedsTest, PublishesOnceReportsBrokenFeedsAndResumesAfterRestart) {
  std::unique_ptr<Process> ingestor = StartIngestor("first");
  ASSERT_TRUE(ingestor->running());
  // The second poll of each good feed is a conditional GET answered 304.
  ASSERT_TRUE(
      WaitFor([&] { return feeds_.Count("/a", "304") > 0 && feeds_.Count("/b", "304") > 0; },
              absl::Seconds(60)))
      << "no conditional GET seen: /a 200s " << feeds_.Count("/a", "200");
  EXPECT_EQ(feeds_.Count("/a", "200"), 1);
  EXPECT_EQ(feeds_.Count("/b", "200"), 1);
  EXPECT_GE(feeds_.Count("/broken", "200"), 1);

  EXPECT_THAT(RawTitles(5), UnorderedElementsAre("A1", "A2", "A3", "B1", "B2"));

  std::map<std::string, ww::v1::FeedState> states = FeedStates();
  ASSERT_EQ(states.count(feeds_.Url("/broken")), 1u);
  const ww::v1::FeedState& broken = states[feeds_.Url("/broken")];
  EXPECT_THAT(broken.last_error(), HasSubstr("not a feed"));
  EXPECT_GE(broken.consecutive_failures(), 1);
  EXPECT_EQ(broken.items_published(), 0);
  const ww::v1::FeedState& a = states[feeds_.Url("/a")];
  EXPECT_EQ(a.etag(), "\"A1\"");
  EXPECT_EQ(a.items_published(), 3);
  EXPECT_EQ(a.consecutive_failures(), 0);
  EXPECT_EQ(a.title(), "Feed A");

  // What an operator sees.
  RunResult list = Wwctl({"feeds", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.out;
  EXPECT_THAT(list.out, HasSubstr(feeds_.Url("/broken")));
  EXPECT_THAT(list.out, HasSubstr("failing"));
  EXPECT_THAT(list.out, HasSubstr("not a feed"));

  EXPECT_EQ(ingestor->Stop(), 0) << "ww-ingestor did not shut down cleanly on SIGTERM";

  // Feed A changes (new ETag, one new item) while the ingestor is down; the restarted one
  // reads its state back from the feeds topic and publishes only A4.
  feeds_.SetA(2, 4);
  ingestor = StartIngestor("second");
  ASSERT_TRUE(
      WaitFor([&] { return feeds_.Count("/a", "200") >= 2 && feeds_.Count("/b", "304") >= 2; },
              absl::Seconds(60)));
  EXPECT_EQ(feeds_.Count("/b", "200"), 1) << "the restarted ingestor forgot B's ETag";
  EXPECT_THAT(RawTitles(6), UnorderedElementsAre("A1", "A2", "A3", "A4", "B1", "B2"));
  EXPECT_EQ(ingestor->Stop(), 0);
}

}  // namespace
}  // namespace ww::testing
