// wwctl's Kafka commands against a real broker: replay (time range, filters, dry run,
// interruption and resume without duplicates), groups describe (lag as kafka-consumer-groups
// prints it), offsets reset (refused on a live group, applied on an idle one) and errors.
#include <atomic>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/groups.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/replay.h"
#include "libs/kafka/stage_loop.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"
#include "ww/v1/records.pb.h"

namespace ww::kafka {
namespace {

using ::ww::testing::ReadTopic;
using ::ww::testing::UniquePrefix;

// Runs wwctl against the test broker with its own topic prefix (so checkpoints are private).
::ww::testing::RunResult Wwctl(const ClientConfig& c, const std::string& prefix,
                               std::vector<std::string> args) {
  const char* bin = std::getenv("WW_BIN_DIR");
  std::vector<std::string> argv = {absl::StrCat(bin ? bin : ".", "/wwctl")};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--bootstrap-servers", c.bootstrap_servers, "--topic-prefix", prefix});
  return ::ww::testing::Run(argv, absl::Seconds(120));
}

std::string Iso(int64_t ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMillis(ms), absl::UTCTimeZone());
}

std::string HeaderOr(const Record& r, std::string_view name) {
  auto h = r.header(name);
  return h ? std::string(*h) : "<none>";
}

// 30 records one minute apart starting at `t0` (a whole second), keys k0..k2, header
// parity=even|odd, value v<i>.
std::vector<Record> ProduceMinutes(const ClientConfig& c, const std::string& topic, int64_t t0,
                                   int n) {
  auto producer = Producer::Create(c);
  EXPECT_TRUE(producer.ok()) << producer.status();
  for (int i = 0; i < n; ++i) {
    OutRecord r{topic, absl::StrCat("k", i % 3), absl::StrCat("v", i)};
    r.headers = {{"parity", i % 2 == 0 ? "even" : "odd"}, {"n", absl::StrCat(i)}};
    r.timestamp_ms = t0 + i * 60'000;
    auto d = (*producer)->Send(r);
    EXPECT_TRUE(d.ok()) << d.status();
  }
  return ReadTopic(c, topic, n, absl::Seconds(30));
}

TEST(ReplayFilter, ParsesKeyAndHeaderConditions) {
  auto key = ParseReplayFilter("key=a=b");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->kind, ReplayFilter::Kind::kKey);
  EXPECT_EQ(key->value, "a=b");
  auto header = ParseReplayFilter("header:ww-source-stage=ingestor");
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->kind, ReplayFilter::Kind::kHeader);
  EXPECT_EQ(header->name, "ww-source-stage");
  EXPECT_EQ(header->value, "ingestor");
  EXPECT_FALSE(ParseReplayFilter("title=x").ok());
  EXPECT_FALSE(ParseReplayFilter("header:=x").ok());
  EXPECT_FALSE(ParseReplayFilter("key").ok());
}

TEST(WwctlReplay, TimeRangeWithFilterIntoAnotherTopicKeepsKeysHeadersAndTimestamps) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("replay-time");
  const std::string src = prefix + "src", dst = prefix + "dst";
  ASSERT_TRUE(EnsureTopics(client, {{src, 2}, {dst, 3}}).ok());
  const int64_t t0 = (absl::ToUnixMillis(absl::Now()) / 1000 - 10 * 3600) * 1000;
  std::vector<Record> originals = ProduceMinutes(client, src, t0, 30);
  ASSERT_EQ(originals.size(), 30u);
  std::map<std::string, Record> by_value;
  for (const Record& r : originals) by_value[r.value] = r;

  const std::vector<std::string> range = {"--from", src, "--to", dst, "--since",
                                          Iso(t0 + 10 * 60'000), "--until", Iso(t0 + 20 * 60'000),
                                          "--where", "header:parity=even"};
  // Dry run: counts, copies nothing.
  std::vector<std::string> dry = range;
  dry.insert(dry.begin(), "replay");
  dry.insert(dry.end(), {"--dry-run", "--output", "json"});
  auto d = Wwctl(client, prefix, dry);
  ASSERT_EQ(d.exit_code, 0) << d.out;
  EXPECT_TRUE(absl::StrContains(d.out, "\"matched\":5,")) << d.out;
  EXPECT_TRUE(ReadTopic(client, dst, 1, absl::Seconds(2)).empty()) << "a dry run copies nothing";

  std::vector<std::string> run = range;
  run.insert(run.begin(), "replay");
  auto r = Wwctl(client, prefix, run);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "copied 5 of 10")) << r.out;

  std::vector<Record> copies = ReadTopic(client, dst, 5, absl::Seconds(30));
  ASSERT_EQ(copies.size(), 5u);
  std::set<std::string> values;
  for (const Record& c : copies) {
    ASSERT_TRUE(by_value.contains(c.value)) << c.value;
    const Record& o = by_value[c.value];
    values.insert(c.value);
    EXPECT_EQ(c.key, o.key);
    EXPECT_EQ(c.timestamp_ms, o.timestamp_ms) << c.value;
    EXPECT_EQ(HeaderOr(c, "parity"), "even");
    EXPECT_EQ(HeaderOr(c, "n"), HeaderOr(o, "n"));
    EXPECT_EQ(HeaderOr(c, kHeaderReplayOf), absl::StrCat(src, "/", o.partition, "/", o.offset));
  }
  EXPECT_EQ(values, (std::set<std::string>{"v10", "v12", "v14", "v16", "v18"}));

  // Rerun with the same arguments: the job is complete, nothing is copied again.
  auto again = Wwctl(client, prefix, run);
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_TRUE(absl::StrContains(again.out, "already completed")) << again.out;
  EXPECT_EQ(ReadTopic(client, dst, 6, absl::Seconds(3)).size(), 5u);
}

TEST(WwctlReplay, AnInterruptedReplayResumesWithoutDuplicates) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("replay-resume");
  const std::string src = prefix + "src", dst = prefix + "dst";
  ASSERT_TRUE(EnsureTopics(client, {{src, 2}, {dst, 2}}).ok());
  const int64_t t0 = (absl::ToUnixMillis(absl::Now()) / 1000 - 3600) * 1000;
  ASSERT_EQ(ProduceMinutes(client, src, t0, 40).size(), 40u);

  // First run stops after 15 copies (as if interrupted); --limit is not part of the job id.
  auto first = Wwctl(client, prefix, {"replay", "--from", src, "--to", dst, "--limit", "15",
                                      "--output", "json"});
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_TRUE(absl::StrContains(first.out, "\"state\":\"interrupted\"")) << first.out;
  EXPECT_TRUE(absl::StrContains(first.out, "\"copied\":15,")) << first.out;
  EXPECT_EQ(ReadTopic(client, dst, 16, absl::Seconds(5)).size(), 15u);

  auto second = Wwctl(client, prefix, {"replay", "--from", src, "--to", dst, "--output", "json"});
  ASSERT_EQ(second.exit_code, 0) << second.out;
  EXPECT_TRUE(absl::StrContains(second.out, "\"resumed\":true")) << second.out;
  EXPECT_TRUE(absl::StrContains(second.out, "\"state\":\"complete\"")) << second.out;

  std::vector<Record> copies = ReadTopic(client, dst, 41, absl::Seconds(10));
  ASSERT_EQ(copies.size(), 40u) << "every record exactly once";
  std::set<std::string> sources, values;
  for (const Record& c : copies) {
    sources.insert(HeaderOr(c, kHeaderReplayOf));
    values.insert(c.value);
  }
  EXPECT_EQ(sources.size(), 40u);
  EXPECT_EQ(values.size(), 40u);
}

TEST(WwctlReplay, AReplayKilledMidTransactionResumesWithoutDuplicates) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("replay-kill");
  const std::string src = prefix + "src", dst = prefix + "dst";
  ASSERT_TRUE(EnsureTopics(client, {{src, 2}, {dst, 2}}).ok());
  const int64_t t0 = (absl::ToUnixMillis(absl::Now()) / 1000 - 3600) * 1000;
  ASSERT_EQ(ProduceMinutes(client, src, t0, 60).size(), 60u);
  const char* bin = std::getenv("WW_BIN_DIR");
  ASSERT_NE(bin, nullptr);
  // SIGKILL after a few seconds of a slow copy: wherever it stops (possibly inside an open
  // transaction), the rerun below must end with every record exactly once.
  auto killed = ::ww::testing::Run(
      {"/usr/bin/timeout", "-s", "KILL", "4", absl::StrCat(bin, "/wwctl"), "replay", "--from",
       src, "--to", dst, "--rate", "10/s", "--bootstrap-servers", client.bootstrap_servers,
       "--topic-prefix", prefix},
      absl::Seconds(60));
  EXPECT_NE(killed.exit_code, 0) << "the first run should have been killed";
  auto rerun = Wwctl(client, prefix, {"replay", "--from", src, "--to", dst, "--output", "json"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.out;
  EXPECT_TRUE(absl::StrContains(rerun.out, "\"state\":\"complete\"")) << rerun.out;
  std::vector<Record> copies = ReadTopic(client, dst, 61, absl::Seconds(10));
  ASSERT_EQ(copies.size(), 60u);
  std::set<std::string> sources;
  for (const Record& c : copies) sources.insert(HeaderOr(c, kHeaderReplayOf));
  EXPECT_EQ(sources.size(), 60u);
}

TEST(WwctlReplay, FiltersOnFieldsOfTheDecodedRecord) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("replay-field");
  const std::string src = prefix + "articles.raw", dst = prefix + "articles.copy";
  ASSERT_TRUE(EnsureTopics(client, {{src, 1}, {dst, 1}}).ok());
  auto producer = Producer::Create(client);
  ASSERT_TRUE(producer.ok());
  for (const char* source : {"reuters", "afp", "reuters"}) {
    ww::v1::Article a;
    a.set_source(source);
    a.set_title(absl::StrCat("from ", source));
    ASSERT_TRUE((*producer)->Send({src, source, a.SerializeAsString()}).ok());
  }
  auto r = Wwctl(client, prefix, {"replay", "--from", src, "--to", dst, "--where",
                                  "field:source=reuters"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::vector<Record> copies = ReadTopic(client, dst, 2, absl::Seconds(20));
  ASSERT_EQ(copies.size(), 2u);
  for (const Record& c : copies) EXPECT_EQ(c.key, "reuters");
  auto bad = Wwctl(client, prefix, {"replay", "--from", src, "--where", "field:nope=1"});
  EXPECT_EQ(bad.exit_code, 2);
}

TEST(WwctlReplay, ClearErrorsAndExitCodes) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("replay-errors");
  ASSERT_TRUE(EnsureTopics(client, {{prefix + "src", 1}}).ok());
  auto unknown = Wwctl(client, prefix, {"replay", "--from", prefix + "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  auto unknown_to = Wwctl(client, prefix, {"replay", "--from", prefix + "src", "--to",
                                           prefix + "nope"});
  EXPECT_EQ(unknown_to.exit_code, 1);
  auto bad_time =
      Wwctl(client, prefix, {"replay", "--from", prefix + "src", "--since", "yesterday"});
  EXPECT_EQ(bad_time.exit_code, 2);
  auto bad_where = Wwctl(client, prefix, {"replay", "--from", prefix + "src", "--where", "x"});
  EXPECT_EQ(bad_where.exit_code, 2);
  auto both = Wwctl(client, prefix, {"replay", "--from", prefix + "src", "--since", "1d",
                                     "--from-offset", "0:0"});
  EXPECT_EQ(both.exit_code, 2);
}

TEST(Replay, OffsetRangeThroughTheLibrary) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("replay-offsets");
  const std::string src = prefix + "src", dst = prefix + "dst";
  ASSERT_TRUE(EnsureTopics(client, {{src, 1}, {dst, 1}}).ok());
  const int64_t t0 = (absl::ToUnixMillis(absl::Now()) / 1000 - 3600) * 1000;
  ASSERT_EQ(ProduceMinutes(client, src, t0, 12).size(), 12u);
  ReplayOptions o;
  o.client = client;
  o.from_topic = src;
  o.to_topic = dst;
  o.from_offsets = {{0, 3}};
  o.to_offsets = {{0, 9}};
  o.where = {{ReplayFilter::Kind::kKey, "", "k0"}};
  o.checkpoint_topic = prefix + "replay.checkpoints";
  int calls = 0;
  auto p = Replay(o, [&](const ReplayProgress&) { ++calls; });
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->complete);
  EXPECT_GE(calls, 1);
  EXPECT_EQ(p->scanned, 6);  // offsets 3..8
  std::vector<Record> copies = ReadTopic(client, dst, 2, absl::Seconds(20));
  ASSERT_EQ(copies.size(), 2u);  // v3 and v6 have key k0
  EXPECT_EQ(copies[0].value, "v3");
  EXPECT_EQ(copies[1].value, "v6");
}

// Waits (polling, no timing assertion) until `pred` holds or a minute passed.
bool Eventually(const std::function<bool()>& pred) {
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    if (pred()) return true;
    absl::SleepFor(absl::Milliseconds(250));
  }
  return false;
}

// LAG per "topic/partition" from kafka-consumer-groups --describe (the same Kafka release).
std::map<std::string, std::string> KafkaToolLag(const ClientConfig& c, const std::string& group,
                                                std::string* said) {
  const char* src = std::getenv("WW_SOURCE_DIR");
  auto r = ::ww::testing::Run(
      {"/bin/bash", absl::StrCat(src ? src : ".", "/tools/dev/kafka"), "run",
       "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--bootstrap-server",
       c.bootstrap_servers, "--describe", "--group", group},
      absl::Seconds(120));
  *said = absl::StrCat("exit ", r.exit_code, ":\n", r.out);
  std::map<std::string, std::string> out;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string g, topic, partition, current, end, lag;
    if (!(f >> g >> topic >> partition >> current >> end >> lag) || g != group) continue;
    out[absl::StrCat(topic, "/", partition)] = lag;
  }
  return out;
}

TEST(WwctlGroups, LagMatchesKafkaToolsAndResetIsRefusedWhileTheGroupIsLive) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("groups");
  const std::string in = prefix + "in", out = prefix + "out", dlq = prefix + "dlq";
  const std::string group = prefix + "group";
  ASSERT_TRUE(EnsureTopics(client, {{in, 2}, {out, 1}, {dlq, 1}}).ok());
  const int64_t t0 = (absl::ToUnixMillis(absl::Now()) / 1000 - 3600) * 1000;
  ASSERT_EQ(ProduceMinutes(client, in, t0, 20).size(), 20u);

  StageOptions o;
  o.stage = "test";
  o.client = client;
  o.group_id = group;
  o.input_topics = {in};
  o.deadletter_topic = dlq;
  o.transactional_id = prefix + "tx";
  auto loop = StageLoop::Create(
      o, {[&](const Record& r) -> absl::StatusOr<std::vector<OutRecord>> {
        return std::vector<OutRecord>{{out, r.key, r.value}};
      }});
  ASSERT_TRUE(loop.ok()) << loop.status();
  std::atomic<bool> stop{false};
  absl::Status result;
  std::thread t([&] { result = (*loop)->Run(stop); });
  ASSERT_TRUE(Eventually([&] { return (*loop)->stats().records_in.load() >= 20; }));
  ASSERT_TRUE(Eventually([&] {
    auto d = DescribeGroup(client, group);
    return d.ok() && !d->members.empty();
  }));

  // Live group: the plan is shown, --execute is refused.
  auto refused = Wwctl(client, prefix, {"offsets", "reset", "--group", group, "--topic", in,
                                        "--to-earliest", "--execute"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  auto live = Wwctl(client, prefix, {"groups", "describe", group, "--output", "json"});
  EXPECT_EQ(live.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(live.out, "\"member_id\"")) << live.out;

  stop = true;
  t.join();
  EXPECT_TRUE(result.ok()) << result;
  loop->reset();
  ASSERT_TRUE(Eventually([&] {
    auto d = DescribeGroup(client, group);
    return d.ok() && d->members.empty();
  }));

  // Five more records: lag 5 in total, the same per partition as kafka-consumer-groups says.
  ProduceMinutes(client, in, t0 + 3'600'000, 5);
  auto d = DescribeGroup(client, group);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->total_lag, 5);
  std::map<std::string, std::string> ours;
  for (const auto& p : d->partitions) {
    ours[absl::StrCat(p.topic, "/", p.partition)] = p.lag < 0 ? "-" : absl::StrCat(p.lag);
  }
  std::string said;
  EXPECT_EQ(ours, KafkaToolLag(client, group, &said)) << said;
  auto text = Wwctl(client, prefix, {"groups", "describe", group});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(text.out, "total lag 5")) << text.out;

  // Idle group: a preview changes nothing, --execute applies.
  auto preview = Wwctl(client, prefix, {"offsets", "reset", "--group", group, "--topic", in,
                                        "--to-earliest"});
  EXPECT_EQ(preview.exit_code, 0) << preview.out;
  EXPECT_TRUE(absl::StrContains(preview.out, "--execute")) << preview.out;
  EXPECT_EQ(DescribeGroup(client, group)->total_lag, 5);
  auto applied = Wwctl(client, prefix, {"offsets", "reset", "--group", group, "--topic", in,
                                        "--to-earliest", "--execute"});
  EXPECT_EQ(applied.exit_code, 0) << applied.out;
  auto committed = CommittedOffsets(client, group, in);
  ASSERT_TRUE(committed.ok());
  for (int64_t off : *committed) EXPECT_EQ(off, 0);
  auto reset = DescribeGroup(client, group);
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(reset->total_lag, 25);
  int64_t want_after_shift = 25;
  for (const auto& p : reset->partitions) want_after_shift -= std::min<int64_t>(2, p.log_end);

  auto shifted = Wwctl(client, prefix, {"offsets", "reset", "--group", group, "--topic", in,
                                        "--shift", "2", "--execute", "--output", "json"});
  EXPECT_EQ(shifted.exit_code, 0) << shifted.out;
  EXPECT_EQ(DescribeGroup(client, group)->total_lag, want_after_shift);
}

TEST(WwctlConsume, DecodesByTopicAndDeadLettersGoBackToTheirSource) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("consume");
  const std::string articles = prefix + "articles.raw", dlq = prefix + "deadletter";
  ASSERT_TRUE(EnsureTopics(client, {{articles, 1}, {dlq, 1}}).ok());
  auto producer = Producer::Create(client);
  ASSERT_TRUE(producer.ok());
  ww::v1::Article a;
  a.set_id("a1");
  a.set_title("Kim's train");
  ASSERT_TRUE((*producer)->Send({articles, "a1", a.SerializeAsString()}).ok());
  OutRecord bad{dlq, "a2", "not a protobuf"};
  bad.headers = {{"x", "y"},
                 {std::string(kHeaderDlqReason), "cannot parse"},
                 {std::string(kHeaderDlqStage), "tagger"},
                 {std::string(kHeaderDlqTopic), articles},
                 {std::string(kHeaderDlqPartition), "0"},
                 {std::string(kHeaderDlqOffset), "7"}};
  ASSERT_TRUE((*producer)->Send(bad).ok());

  auto consumed = Wwctl(client, prefix, {"consume", articles, "--output", "json"});
  ASSERT_EQ(consumed.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(consumed.out, "\"title\":\"Kim's train\"")) << consumed.out;
  auto raw = Wwctl(client, prefix, {"consume", articles, "--raw", "--limit", "1"});
  EXPECT_EQ(raw.exit_code, 0);
  EXPECT_FALSE(absl::StrContains(raw.out, "\"title\"")) << raw.out;

  auto list = Wwctl(client, prefix, {"deadletter", "list"});
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(list.out, "cannot parse")) << list.out;
  EXPECT_TRUE(absl::StrContains(list.out, articles + "/0/7")) << list.out;
  auto missing = Wwctl(client, prefix, {"deadletter", "show", "0:99"});
  EXPECT_EQ(missing.exit_code, 1);

  auto retry = Wwctl(client, prefix, {"deadletter", "retry", "0:0"});
  ASSERT_EQ(retry.exit_code, 0) << retry.out;
  std::vector<Record> back = ReadTopic(client, articles, 2, absl::Seconds(20));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].key, "a2");
  EXPECT_EQ(back[1].value, "not a protobuf");
  EXPECT_EQ(HeaderOr(back[1], "x"), "y");
  EXPECT_EQ(HeaderOr(back[1], kHeaderDlqReason), "<none>");
  EXPECT_EQ(HeaderOr(back[1], "ww-retry-of"), dlq + "/0/0");

  auto unknown = Wwctl(client, prefix, {"consume", prefix + "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  auto bad_since = Wwctl(client, prefix, {"consume", articles, "--since", "soon"});
  EXPECT_EQ(bad_since.exit_code, 2);
}

}  // namespace
}  // namespace ww::kafka
