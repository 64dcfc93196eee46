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
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/kafka/producer.h"
#include "tests/support/kafka_env.h"
#include "tests/support/pipeline.h"
#include "tests/support/process.h"
#include "ww/v1/alerts.grpc.pb.h"

namespace ww {
namespace {

using ::ww::testing::PipelineTest;
using ::ww::testing::Subscriber;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_F(PipelineTest, SeedStyleArticleRaisesAlertsOnceForEachWatchedEntity) {
  auto applied = Wwctl({"watchlist", "apply", src_ + "/samples/watchlist.yaml"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out;
  Subscriber sub(addr_["alerter"]);

  const std::string article = Slurp(src_ + "/samples/articles/kim-train.txt");
  std::string id = Submit("kim-train.txt", "https://news.example/world/kim-train?utm_source=x");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(sub.WaitForEntities({"kim-jong-un", "vladivostok", "vladimir-putin", "north-korea"},
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
  ASSERT_TRUE(sub.WaitForEntities({"kim-jong-un"}, absl::Seconds(30)));
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
  ASSERT_TRUE(
      (*producer)->Send({prefix_ + "articles.raw", "junk", "\xff\xfe not an article"}).ok());
  Submit("vladivostok-forum-ru.txt", "https://news.example/ru/forum");
  ASSERT_TRUE(sub.WaitForEntities({"vladimir-putin"}, absl::Seconds(60)));

  auto dead = ww::testing::ReadTopic(client_, prefix_ + "deadletter", 1, absl::Seconds(20));
  // What an operator's Prometheus sees: the dead letter counted, the alerts raised.
  std::string deduper = Metrics("deduper");
  EXPECT_NE(deduper.find(
                absl::StrCat("ww_records_deadlettered_total{stage=\"deduper-fingerprint\",topic=\"",
                             prefix_, "articles.raw\"} 1\n")),
            std::string::npos)
      << deduper;
  std::string alerter = Metrics("alerter");
  EXPECT_NE(
      alerter.find("ww_alerts_raised_total{rule=\"mention:vladimir-putin\",severity=\"info\"} 1\n"),
      std::string::npos)
      << alerter;
  EXPECT_NE(alerter.find("ww_transactions_total{result=\"commit\",stage=\"alerter\"}"),
            std::string::npos);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].key, "junk");
  EXPECT_EQ(dead[0].header("ww-dlq-stage").value_or(""), "deduper-fingerprint");
  EXPECT_NE(dead[0].header("ww-dlq-reason").value_or("").find("not a ww.v1.Article"),
            std::string::npos);
}

}  // namespace
}  // namespace ww
