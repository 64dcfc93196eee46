// wwctl loadgen's raw Kafka path (tools/wwctl/kafka_hops.h) against a real broker: every
// record sent goes through the chain of hops, plain and transactional, and the topics made
// for the run are gone after it.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/kafka/admin.h"
#include "tests/support/kafka_env.h"
#include "tools/wwctl/kafka_hops.h"

namespace ww::wwctl {
namespace {

using ::ww::testing::UniquePrefix;

void RunChain(const kafka::ClientConfig& client, bool transactional) {
  const std::string base = UniquePrefix(transactional ? "hops-txn" : "hops-plain");
  const std::string dlq = base + "dlq";
  ASSERT_TRUE(kafka::EnsureTopics(client, {{dlq, 1}}).ok());
  HopsOptions o;
  o.hops = 2;
  o.transactional = transactional;
  o.rate = 50;
  o.duration = absl::Seconds(2);
  o.ramp = absl::Milliseconds(500);
  o.topic_base = base + "chain.";
  o.deadletter_topic = dlq;
  HopsResult r;
  int n = 0;
  absl::Status s = RunKafkaHops(
      client, o, [&] { return absl::StrCat("record ", n++); }, &r);
  ASSERT_TRUE(s.ok()) << s;
  // 2 s at 50/s after the ramp: about 100 measured records, each through both hops.
  EXPECT_GE(r.sent, 80);
  EXPECT_LE(r.sent, 110);
  EXPECT_EQ(r.received, r.sent) << "a record was lost in the hops";
  EXPECT_EQ(static_cast<int64_t>(r.latency.count()), r.received);
  EXPECT_GT(r.latency.Quantile(0.5), 0);
  EXPECT_LT(r.latency.Max(), 10000);
  auto topics = kafka::ListTopics(client);
  ASSERT_TRUE(topics.ok());
  for (const auto& t : *topics) {
    EXPECT_FALSE(absl::StartsWith(t.name, o.topic_base)) << "left behind: " << t.name;
  }
  kafka::DeleteTopics(client, {dlq}).IgnoreError();
}

TEST(KafkaHops, PlainHopsCarryEveryRecord) {
  WW_REQUIRE_BROKER(client);
  RunChain(client, false);
}

TEST(KafkaHops, TransactionalHopsCarryEveryRecord) {
  WW_REQUIRE_BROKER(client);
  RunChain(client, true);
}

}  // namespace
}  // namespace ww::wwctl
