// The shared consume -> process -> produce loop against a real broker.
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/stage_loop.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace ww::kafka {
namespace {

using ::ww::testing::ReadTopic;
using ::ww::testing::UniquePrefix;

struct Topics {
  std::string in, out, dlq;
};

Topics MakeTopics(const ClientConfig& c, const std::string& name, int partitions = 2) {
  std::string p = UniquePrefix(name);
  Topics t{p + "in", p + "out", p + "dlq"};
  EXPECT_TRUE(EnsureTopics(c, {{t.in, partitions}, {t.out, partitions}, {t.dlq, 1}}).ok());
  return t;
}

void ProduceAll(const ClientConfig& c, const std::string& topic,
                const std::vector<std::string>& values) {
  auto producer = Producer::Create(c);
  ASSERT_TRUE(producer.ok());
  for (size_t i = 0; i < values.size(); ++i) {
    // One key: one partition, so order is kept and checkable.
    auto d = (*producer)->Send({topic, "k", values[i]});
    ASSERT_TRUE(d.ok()) << d.status();
  }
}

// A stage "test" reading `t.in` in group `group`, dead-lettering to `t.dlq`.
StageOptions Options(const ClientConfig& client, const Topics& t, const std::string& group,
                     const std::string& txid, size_t max_batch = 500) {
  StageOptions o;
  o.stage = "test";
  o.client = client;
  o.group_id = group;
  o.input_topics = {t.in};
  o.deadletter_topic = t.dlq;
  o.transactional_id = txid;
  o.max_batch = max_batch;
  return o;
}

StageFn Upper(const std::string& out) {
  return [out](const Record& r) -> absl::StatusOr<std::vector<OutRecord>> {
    if (r.value.starts_with("bad")) return absl::InvalidArgumentError("cannot read " + r.value);
    return std::vector<OutRecord>{{out, r.key, absl::AsciiStrToUpper(r.value)}};
  };
}

// Runs the loop in a thread until `done` says so (or 60 s), then stops it.
void RunUntil(StageLoop& loop, const std::function<bool()>& done) {
  std::atomic<bool> stop{false};
  absl::Status result;
  std::thread t([&] { result = loop.Run(stop); });
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (!done() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(100));
  stop = true;
  t.join();
  EXPECT_TRUE(result.ok()) << result;
}

TEST(StageLoop, OutputsAndOffsetsAreCommittedTogetherAndBadRecordsAreDeadLettered) {
  WW_REQUIRE_BROKER(client);
  Topics t = MakeTopics(client, "commit");
  std::vector<std::string> values;
  for (int i = 0; i < 20; ++i) values.push_back(i == 7 ? "bad-7" : absl::StrCat("v", i));
  ProduceAll(client, t.in, values);

  StageOptions o = Options(client, t, t.in + "-group", t.in + "-tx", 6);  // several transactions
  auto loop = StageLoop::Create(o, {Upper(t.out)});
  ASSERT_TRUE(loop.ok()) << loop.status();
  RunUntil(**loop, [&] { return (*loop)->stats().records_in.load() >= 20; });
  EXPECT_GE((*loop)->stats().commits.load(), 4u);
  loop->reset();

  std::vector<Record> out = ReadTopic(client, t.out, 19, absl::Seconds(20));
  ASSERT_EQ(out.size(), 19u);
  size_t j = 0;
  for (int i = 0; i < 20; ++i) {
    if (i == 7) continue;
    EXPECT_EQ(out[j].value, absl::StrCat("V", i));
    EXPECT_EQ(out[j].header(kHeaderSourceStage).value_or(""), "test");
    ++j;
  }
  std::vector<Record> dead = ReadTopic(client, t.dlq, 1, absl::Seconds(20));
  ASSERT_EQ(dead.size(), 1u) << "the bad record is dead-lettered, once";
  EXPECT_EQ(dead[0].value, "bad-7");
  EXPECT_NE(dead[0].header(kHeaderDlqReason).value_or("").find("cannot read bad-7"),
            std::string::npos);
  EXPECT_EQ(dead[0].header(kHeaderDlqTopic).value_or(""), t.in);
  EXPECT_EQ(dead[0].header(kHeaderDlqOffset).value_or(""), "7");

  auto committed = CommittedOffsets(client, o.group_id, t.in);
  ASSERT_TRUE(committed.ok()) << committed.status();
  int64_t total = 0;
  for (int64_t off : *committed) total += std::max<int64_t>(off, 0);
  EXPECT_EQ(total, 20) << "every input's offset is committed";
}

// A record whose output the broker refuses only at delivery (here: larger than the output
// topic's max.message.bytes, which the client cannot know) aborts its transaction. The
// loop must not reread that batch forever: it isolates the record, dead-letters it with
// the broker's reason, and commits the records around it.
TEST(StageLoop, AnOutputTheBrokerRefusesIsDeadLetteredAndTheRecordsAroundItCommitted) {
  WW_REQUIRE_BROKER(client);
  const std::string p = UniquePrefix("poison");
  Topics t{p + "in", p + "out", p + "dlq"};
  ASSERT_TRUE(
      EnsureTopics(client, {{t.in, 1}, {t.out, 1, 1, {{"max.message.bytes", "2000"}}}, {t.dlq, 1}})
          .ok());
  std::vector<std::string> values;
  for (int i = 0; i < 12; ++i)
    values.push_back(i == 5 ? std::string(6000, 'x') : absl::StrCat("v", i));
  ProduceAll(client, t.in, values);

  StageOptions o = Options(client, t, t.in + "-group", t.in + "-tx", 4);
  auto loop = StageLoop::Create(o, {Upper(t.out)});
  ASSERT_TRUE(loop.ok()) << loop.status();
  RunUntil(**loop, [&] {
    return (*loop)->stats().records_in.load() >= 12 && (*loop)->stats().deadlettered.load() >= 1;
  });
  EXPECT_EQ((*loop)->stats().records_in.load(), 12u);
  loop->reset();

  std::vector<Record> out = ReadTopic(client, t.out, 11, absl::Seconds(20));
  ASSERT_EQ(out.size(), 11u) << "every record but the refused one, once";
  for (size_t j = 0, i = 0; i < 12; ++i) {
    if (i == 5) continue;
    EXPECT_EQ(out[j++].value, absl::StrCat("V", i));
  }
  std::vector<Record> dead = ReadTopic(client, t.dlq, 1, absl::Seconds(20));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].header(kHeaderDlqOffset).value_or(""), "5");
  EXPECT_NE(dead[0].header(kHeaderDlqReason).value_or("").find("too large"), std::string::npos)
      << dead[0].header(kHeaderDlqReason).value_or("");
}

TEST(StageLoop, ACrashInTheMiddleOfATransactionNeitherLosesNorRepeats) {
  WW_REQUIRE_BROKER(client);
  Topics t = MakeTopics(client, "crash", 1);
  std::vector<std::string> values;
  for (int i = 0; i < 10; ++i) values.push_back(absl::StrCat("v", i));
  ProduceAll(client, t.in, values);
  const std::string group = t.in + "-group", txid = t.in + "-tx";

  // First incarnation: outputs for v0..v5 are produced inside the open transaction, then
  // the process dies at v6 before committing.
  const char* bin = std::getenv("WW_BIN_DIR");
  ASSERT_NE(bin, nullptr);
  auto crashed = ww::testing::Run({absl::StrCat(bin, "/stage_crasher"), client.bootstrap_servers,
                                   t.in, t.out, t.dlq, group, txid, "v6"},
                                  absl::Seconds(90));
  ASSERT_EQ(crashed.exit_code, 3) << "the crasher should die at v6";

  // Second incarnation, same transactional id: it fences the first and redoes the batch.
  StageOptions o = Options(client, t, group, txid);
  auto loop = StageLoop::Create(o, {Upper(t.out)});
  ASSERT_TRUE(loop.ok());
  RunUntil(**loop, [&] { return (*loop)->stats().records_in.load() >= 10; });
  loop->reset();

  std::vector<Record> out = ReadTopic(client, t.out, 10, absl::Seconds(20));
  ASSERT_EQ(out.size(), 10u) << "read_committed sees each output exactly once";
  for (int i = 0; i < 10; ++i) EXPECT_EQ(out[i].value, absl::StrCat("V", i));
}

// A stage that keeps state about its partitions (the deduper) must hear when they are taken
// away: here a second member joins the group and the first gives its partition up.
TEST(StageLoop, TheStageHearsWhenItsPartitionsAreTakenAway) {
  WW_REQUIRE_BROKER(client);
  Topics t = MakeTopics(client, "revoke", 1);
  const std::string group = t.in + "-group";
  std::atomic<int> revoked{0};
  Stage first{Upper(t.out)};
  first.on_revoke = [&] { ++revoked; };
  auto a = StageLoop::Create(Options(client, t, group, t.in + "-tx-a"), first);
  auto b = StageLoop::Create(Options(client, t, group, t.in + "-tx-b"), {Upper(t.out)});
  ASSERT_TRUE(a.ok() && b.ok());
  std::atomic<bool> stop_a{false}, stop_b{false};
  std::thread run_a([&] { EXPECT_TRUE((*a)->Run(stop_a).ok()); });
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (!(*a)->stats().assigned.load() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE((*a)->stats().assigned.load()) << "the first member should hold the partition";
  EXPECT_EQ(revoked.load(), 0);
  std::thread run_b([&] { EXPECT_TRUE((*b)->Run(stop_b).ok()); });
  while (revoked.load() == 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(100));
  EXPECT_GE(revoked.load(), 1) << "the rebalance took the partition without telling the stage";
  stop_a = stop_b = true;
  run_a.join();
  run_b.join();
}

}  // namespace
}  // namespace ww::kafka
