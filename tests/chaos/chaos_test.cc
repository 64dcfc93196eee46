// The chaos tier (ctest -L chaos): the four pipeline services and the notifier as processes
// on a broker of this test's own, under a load of distinct articles, while the broker or a service
// is killed. Each case reads every alert committed to the alerts topic (read_committed) and checks
// that each expected alert is there exactly once, none missing, and that no service
// process exited because the broker was away.
//
// Figures (articles, alerts, lost, twice, recovery time) are printed as "chaos:" lines for
// RELIABILITY.md.
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/kafka/reader.h"
#include "tests/support/pipeline.h"
#include "tests/support/process.h"
#include "ww/v1/ingest.grpc.pb.h"
#include "ww/v1/records.pb.h"

namespace ww {
namespace {

std::string Env(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

// A broker of the tier's own (killing the shared one would break the other tiers' tests),
// started once for the binary by tools/dev/kafka, killed and restarted by the cases.
class ChaosBroker {
 public:
  static ChaosBroker& Get() {
    static ChaosBroker broker;
    return broker;
  }
  // A JVM that exits while starting (seen once on a busy machine, with nothing in its
  // logs) is the test bed's trouble, not the pipeline's: try again, and say so.
  bool Start() {
    for (int attempt = 1; attempt <= 3; ++attempt) {
      testing::RunResult r = testing::Run({script_, "start", dir_, port_}, absl::Seconds(300));
      if (r.exit_code == 0) return true;
      std::fprintf(stderr, "chaos: broker start attempt %d failed (see %s/stdout.log)\n", attempt,
                   dir_.c_str());
    }
    return false;
  }
  // kill -9 of the broker's JVM: no shutdown, as a crash or a node failure.
  void Kill() {
    std::ifstream in(dir_ + "/kafka.pid");
    pid_t pid = 0;
    in >> pid;
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    while (kill(pid, 0) == 0) absl::SleepFor(absl::Milliseconds(50));  // not our child: poll
    std::filesystem::remove(dir_ + "/kafka.pid");
  }
  void Stop() { testing::Run({script_, "stop", dir_}, absl::Seconds(60)); }
  std::string bootstrap() const { return "127.0.0.1:" + port_; }

 private:
  ChaosBroker()
      : script_(Env("WW_SOURCE_DIR") + "/tools/dev/kafka"),
        dir_(Env("WW_BIN_DIR") + "/../chaos-kafka"),
        port_(Env("WW_CHAOS_KAFKA_PORT", "29192")) {
    testing::Run({script_, "stop", dir_}, absl::Seconds(60));
    std::filesystem::remove_all(dir_);
  }
  std::string script_, dir_, port_;
};

class BrokerEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (Env("WW_SOURCE_DIR").empty() || Env("WW_BIN_DIR").empty()) return;  // cases skip
    ASSERT_TRUE(ChaosBroker::Get().Start()) << "could not start the chaos tier's broker";
    setenv("WW_TEST_BOOTSTRAP", ChaosBroker::Get().bootstrap().c_str(), 1);
  }
  void TearDown() override {
    if (!Env("WW_TEST_BOOTSTRAP").empty()) ChaosBroker::Get().Stop();
  }
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new BrokerEnvironment);

// A distinct article (no two share a run of three words) that mentions two watched
// entities, Kim Jong Un and Vladivostok, each raising its implicit mention alert.
std::string ArticleText(uint64_t seed) {
  static const char* kSyllables[] = {"ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve",
                                     "da", "gu", "ho", "ji", "ke", "ma", "no", "pe", "ru",
                                     "sa", "to", "wi", "ya", "zo", "be", "fi", "la", "mo"};
  std::mt19937_64 rng(seed);
  auto word = [&] {
    std::string w;
    for (int n = 2 + static_cast<int>(rng() % 3); n > 0; --n) w += kSyllables[rng() % 27];
    return w;
  };
  std::vector<std::string> words;
  for (int i = 0; i < 90; ++i) words.push_back(word());
  words.insert(words.begin() + 10 + static_cast<int>(rng() % 30), "Kim Jong Un");
  words.insert(words.begin() + 50 + static_cast<int>(rng() % 30), "Vladivostok.");
  std::string text;
  for (size_t i = 0; i < words.size(); ++i) {
    absl::StrAppend(&text, i == 0 ? "" : (i % 33 == 0 ? ".\n\n" : " "), words[i]);
  }
  return text + ".";
}

class ChaosTest : public testing::PipelineTest {
 protected:
  // Every load article is its own copy cluster, but they all name the same two people and
  // places: as stories they would be one event, one alert per rule. What is checked here is
  // that each alert is committed once, so the rules alert per copy cluster (per: copy), one
  // alert per article and entity, and the implicit per-story mention rules are off.
  ChaosTest() { extra_args_["alerter"] = {"--implicit_entity_rules=false"}; }

  void SetUp() override {
    PipelineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto applied = Wwctl({"watchlist", "apply", Sample("watchlist.yaml")});
    ASSERT_EQ(applied.exit_code, 0) << applied.out;
    const std::string rules = (std::filesystem::temp_directory_path() /
                               absl::StrCat("ww_chaos_rules_", getpid(), ".yaml"))
                                  .string();
    std::ofstream(rules) << "rules:\n"
                            "  - {id: kim, when: kim-jong-un, per: copy}\n"
                            "  - {id: vladivostok, when: vladivostok, per: copy}\n";
    auto put = Wwctl({"rules", "apply", rules});
    std::filesystem::remove(rules);
    ASSERT_EQ(put.exit_code, 0) << put.out;
    // The delivery service too: it must ride out the same outages (no destinations here:
    // what is checked is that it stays up and shuts down cleanly afterwards).
    extra_args_["notifier"] = {"--alerter=" + addr_["alerter"], "--feed_listen=127.0.0.1:0"};
    StartService("notifier");
  }

  // Submits `n` distinct articles through the ingestor's gRPC API, each until it is
  // accepted (an article refused while the broker is away is submitted again: the same
  // URL is the same article id, so a copy that did land is a redelivery, never a repeat).
  // An article refused for five minutes (longer than any outage here) stops the load:
  // the ingestor is stuck, and the case fails on it rather than hanging.
  void SubmitLoad(const std::string& tag, int n, std::atomic<int>* done) {
    auto stub = ww::v1::IngestService::NewStub(
        grpc::CreateChannel(addr_["ingestor"], grpc::InsecureChannelCredentials()));
    for (int i = 0; i < n; ++i) {
      ww::v1::SubmitRequest req;
      req.set_title(absl::StrCat("Report ", tag, " ", i));
      req.set_text(ArticleText(std::hash<std::string>()(tag) * 1000003u + i));
      req.set_url(absl::StrCat("https://chaos.example/", tag, "/", i));
      req.set_source(absl::StrCat("outlet-", i % 7));
      const absl::Time first_try = absl::Now();
      for (;;) {
        if (abandon_.load()) return;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        ww::v1::SubmitResponse resp;
        const grpc::Status st = stub->Submit(&ctx, req, &resp);
        if (st.ok()) break;
        if (absl::Now() - first_try > absl::Minutes(5)) {
          refusal_ = absl::StrCat(req.url(), " refused for 5 minutes, last: ", st.error_message());
          gave_up_ = true;  // publishes refusal_ to the test's thread
          return;
        }
      }
      ++*done;
    }
  }

  std::atomic<bool> abandon_{false};  // the load stops retrying (the broker is gone)
  std::atomic<bool> gave_up_{false};  // the load stopped: an article was refused too long
  std::string refusal_;               // why (written before gave_up_ is set)

  // Until `n` articles are in, or the load gave up.
  void WaitForSubmitted(const std::atomic<int>& submitted, int n) {
    while (submitted.load() < n && !gave_up_.load()) {
      absl::SleepFor(absl::Milliseconds(20));  // polls the load
    }
  }

  struct Count {
    size_t expected = 0, lost = 0, twice = 0, other = 0;
  };
  // Reads the alerts topic to its end: every (article URL, entity) of `tag` expected once.
  Count CountAlerts(const std::string& tag, int n) {
    std::map<std::pair<std::string, std::string>, int> seen;  // (url, entity) -> alerts
    Count c;
    auto reader =
        kafka::TopicReader::Create(client_, prefix_ + "alerts", kafka::StartFrom::kBeginning);
    EXPECT_TRUE(reader.ok()) << reader.status();
    if (!reader.ok()) return c;
    while (!(*reader)->caught_up()) {
      for (const kafka::Record& r : (*reader)->Poll(absl::Milliseconds(200))) {
        ww::v1::Alert a;
        if (!a.ParseFromString(r.value)) continue;
        if (a.url().find("/" + tag + "/") == std::string::npos) continue;
        ++seen[{a.url(), a.entity_id()}];
      }
    }
    for (int i = 0; i < n; ++i) {
      for (const char* entity : {"kim-jong-un", "vladivostok"}) {
        ++c.expected;
        auto it = seen.find({absl::StrCat("https://chaos.example/", tag, "/", i), entity});
        if (it == seen.end()) {
          ++c.lost;
        } else {
          if (it->second > 1) c.twice += it->second - 1;
          seen.erase(it);
        }
      }
    }
    c.other = seen.size();
    return c;
  }

  // Waits until every expected alert of `tag` is committed (or the timeout); the time taken.
  absl::Duration WaitForAlerts(const std::string& tag, int n, absl::Duration timeout) {
    const absl::Time start = absl::Now();
    while (absl::Now() - start < timeout) {
      if (CountAlerts(tag, n).lost == 0) break;
    }
    return absl::Now() - start;
  }

  void ExpectAllServicesRunning(const char* when) {
    for (const char* name : {"ingestor", "deduper", "tagger", "alerter", "notifier"}) {
      EXPECT_TRUE(service(name).running()) << "ww-" << name << " exited " << when;
    }
  }

  void Report(const std::string& what, int articles, const Count& c, absl::Duration recovery) {
    std::printf(
        "chaos: %s | articles %d | alerts expected %zu | lost %zu | twice %zu | "
        "recovered in %.1f s\n",
        what.c_str(), articles, c.expected, c.lost, c.twice, absl::ToDoubleSeconds(recovery));
    EXPECT_EQ(c.lost, 0u) << what;
    EXPECT_EQ(c.twice, 0u) << what;
    EXPECT_EQ(c.other, 0u) << what << ": alerts for articles never submitted";
  }

  // Submits `n` articles; once a third are in, kills the broker, keeps it down for
  // `down`, restarts it; then every alert must come, once, with every service alive.
  void BrokerOutage(const std::string& tag, int n, absl::Duration down) {
    std::atomic<int> submitted{0};
    std::thread load([&] { SubmitLoad(tag, n, &submitted); });
    WaitForSubmitted(submitted, n / 3);
    ChaosBroker::Get().Kill();
    const absl::Time killed = absl::Now();
    while (absl::Now() - killed < down) {
      ExpectAllServicesRunning("while the broker was down");
      if (HasFailure()) break;
      absl::SleepFor(absl::Seconds(1));  // the outage itself: nothing to wait for
    }
    const bool started = ChaosBroker::Get().Start();
    const absl::Time back = absl::Now();
    if (!started) abandon_ = true;
    load.join();  // before any ASSERT: a joinable thread must not outlive the test
    ASSERT_TRUE(started) << "the broker did not come back";
    ASSERT_FALSE(gave_up_.load()) << refusal_;
    WaitForAlerts(tag, n, absl::Minutes(3));
    const absl::Duration recovery = absl::Now() - back;
    ExpectAllServicesRunning("after the broker came back");
    Report(absl::StrCat("broker kill -9, down ", absl::FormatDuration(down)), n,
           CountAlerts(tag, n), recovery);
  }
};

TEST_F(ChaosTest, BrokerDownForTwoMinutesLosesNothingRepeatsNothingAndNoServiceExits) {
  BrokerOutage("down120", 600, absl::Seconds(120));
}

TEST_F(ChaosTest, BrokerKilledAndBackInSecondsLosesNothing) {
  BrokerOutage("down5", 600, absl::Seconds(5));
}

TEST_F(ChaosTest, EachServiceKilledMidStreamAndRestartedLosesNothing) {
  for (const char* victim : {"deduper", "tagger", "alerter", "ingestor"}) {
    const std::string tag = absl::StrCat("kill-", victim);
    const int n = 400;
    std::atomic<int> submitted{0};
    // The ingestor's own death would fail the submissions: its load goes in first.
    if (std::string(victim) == "ingestor") {
      SubmitLoad(tag, n, &submitted);
      KillService(victim);
      StartService(victim);
    } else {
      std::thread load([&] { SubmitLoad(tag, n, &submitted); });
      WaitForSubmitted(submitted, n / 3);
      KillService(victim);
      StartService(victim);
      load.join();
    }
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_FALSE(gave_up_.load()) << refusal_;
    const absl::Time restarted = absl::Now();
    WaitForAlerts(tag, n, absl::Minutes(2));
    Report(absl::StrCat("kill -9 ww-", victim, ", restarted"), n, CountAlerts(tag, n),
           absl::Now() - restarted);
  }
}

}  // namespace
}  // namespace ww
