// wwctl's Kafka commands against a real broker: replay (time range, filters, dry run,
// interruption and resume without duplicates), groups describe (lag as kafka-consumer-groups
// prints it, time lag), offsets reset (refused on a live group, applied on an idle one, saved
// and reused as a plan file), topics describe, status lag, consume --follow, connection
// settings from a config file, and errors.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
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
    r.timestamp_ms = t0 + int64_t{60'000} * i;
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
  const int64_t t0 = (absl::ToUnixMillis(absl::Now()) / 1000 - int64_t{10} * 3600) * 1000;
  std::vector<Record> originals = ProduceMinutes(client, src, t0, 30);
  ASSERT_EQ(originals.size(), 30u);
  std::map<std::string, Record> by_value;
  for (const Record& r : originals) by_value[r.value] = r;

  const std::vector<std::string> range = {"--from",  src,
                                          "--to",    dst,
                                          "--since", Iso(t0 + int64_t{10} * 60'000),
                                          "--until", Iso(t0 + int64_t{20} * 60'000),
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
  auto first = Wwctl(client, prefix,
                     {"replay", "--from", src, "--to", dst, "--limit", "15", "--output", "json"});
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
      {"/usr/bin/timeout", "-s", "KILL", "4", absl::StrCat(bin, "/wwctl"), "replay", "--from", src,
       "--to", dst, "--rate", "10/s", "--bootstrap-servers", client.bootstrap_servers,
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
  auto r = Wwctl(client, prefix,
                 {"replay", "--from", src, "--to", dst, "--where", "field:source=reuters"});
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
  auto unknown_to =
      Wwctl(client, prefix, {"replay", "--from", prefix + "src", "--to", prefix + "nope"});
  EXPECT_EQ(unknown_to.exit_code, 1);
  auto bad_time =
      Wwctl(client, prefix, {"replay", "--from", prefix + "src", "--since", "yesterday"});
  EXPECT_EQ(bad_time.exit_code, 2);
  auto bad_where = Wwctl(client, prefix, {"replay", "--from", prefix + "src", "--where", "x"});
  EXPECT_EQ(bad_where.exit_code, 2);
  auto both = Wwctl(client, prefix,
                    {"replay", "--from", prefix + "src", "--since", "1d", "--from-offset", "0:0"});
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
  auto loop = StageLoop::Create(o, {[&](const Record& r) -> absl::StatusOr<std::vector<OutRecord>> {
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
  auto refused =
      Wwctl(client, prefix,
            {"offsets", "reset", "--group", group, "--topic", in, "--to-earliest", "--execute"});
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
  auto preview =
      Wwctl(client, prefix, {"offsets", "reset", "--group", group, "--topic", in, "--to-earliest"});
  EXPECT_EQ(preview.exit_code, 0) << preview.out;
  EXPECT_TRUE(absl::StrContains(preview.out, "--execute")) << preview.out;
  EXPECT_EQ(DescribeGroup(client, group)->total_lag, 5);
  auto applied =
      Wwctl(client, prefix,
            {"offsets", "reset", "--group", group, "--topic", in, "--to-earliest", "--execute"});
  EXPECT_EQ(applied.exit_code, 0) << applied.out;
  auto committed = CommittedOffsets(client, group, in);
  ASSERT_TRUE(committed.ok());
  for (int64_t off : *committed) EXPECT_EQ(off, 0);
  auto reset = DescribeGroup(client, group);
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(reset->total_lag, 25);
  int64_t want_after_shift = 25;
  for (const auto& p : reset->partitions) want_after_shift -= std::min<int64_t>(2, p.log_end);

  auto shifted = Wwctl(client, prefix,
                       {"offsets", "reset", "--group", group, "--topic", in, "--shift", "2",
                        "--execute", "--output", "json"});
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

// Commits `targets` (partition -> offset) for an idle `group` on `topic`.
void Commit(const ClientConfig& c, const std::string& group, const std::string& topic,
            const std::map<int32_t, int64_t>& targets) {
  OffsetReset reset;
  reset.kind = OffsetReset::Kind::kExplicit;
  reset.offsets = targets;
  auto plan = PlanOffsetReset(c, group, topic, reset);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(ApplyOffsetReset(c, group, topic, *plan).ok());
}

std::string TempFile(const std::string& name, const std::string& text) {
  std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The JSON objects wwctl printed, one a line.
std::vector<nlohmann::json> JsonLines(const std::string& out) {
  std::vector<nlohmann::json> v;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded()) v.push_back(j);
  }
  return v;
}

// A running stage in `group` on `in` (a live group for the refusal checks).
struct LiveGroup {
  std::unique_ptr<StageLoop> loop;
  std::atomic<bool> stop{false};
  absl::Status result;
  std::thread thread;
  LiveGroup(const ClientConfig& c, const std::string& prefix, const std::string& group,
            const std::string& in) {
    StageOptions o;
    o.stage = "test";
    o.client = c;
    o.group_id = group;
    o.input_topics = {in};
    o.deadletter_topic = prefix + "dlq";
    o.transactional_id = prefix + "tx";
    auto l = StageLoop::Create(o, {[](const Record&) -> absl::StatusOr<std::vector<OutRecord>> {
                                 return std::vector<OutRecord>{};
                               }});
    EXPECT_TRUE(l.ok()) << l.status();
    if (!l.ok()) return;
    loop = *std::move(l);
    thread = std::thread([this] { result = loop->Run(stop); });
  }
  ~LiveGroup() { Stop(); }
  void Stop() {
    stop = true;
    if (thread.joinable()) thread.join();
    loop.reset();
  }
};

TEST(WwctlOffsets, AnExportedPlanIsPreviewedAndAppliedFromFileButNotOnALiveGroup) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("offsets-file");
  const std::string in = prefix + "in", group = prefix + "group";
  ASSERT_TRUE(EnsureTopics(client, {{in, 2}, {prefix + "dlq", 1}}).ok());
  const int64_t t0 = (absl::ToUnixMillis(absl::Now()) / 1000 - 3600) * 1000;
  ASSERT_EQ(ProduceMinutes(client, in, t0, 20).size(), 20u);
  auto marks = Watermarks(client, in);
  ASSERT_TRUE(marks.ok());
  Commit(client, group, in, {{0, (*marks)[0].second}, {1, (*marks)[1].second}});
  ASSERT_EQ(DescribeGroup(client, group)->total_lag, 0);

  // --export writes the plan and changes nothing.
  const std::string file = TempFile(prefix + "plan.json", "");
  auto exported = Wwctl(
      client, prefix,
      {"offsets", "reset", "--group", group, "--topic", in, "--shift", "-3", "--export", file});
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  EXPECT_TRUE(absl::StrContains(exported.out, "plan written to " + file)) << exported.out;
  auto plan = nlohmann::json::parse(Slurp(file), nullptr, false);
  ASSERT_FALSE(plan.is_discarded()) << Slurp(file);
  EXPECT_EQ(plan["group"], group);
  EXPECT_EQ(plan["topic"], in);
  ASSERT_EQ(plan["partitions"].size(), 2u);
  for (const auto& p : plan["partitions"]) {
    const int64_t hi = (*marks)[p["partition"].get<int>()].second;
    EXPECT_EQ(p["current"], hi);
    EXPECT_EQ(p["target"], std::max<int64_t>(0, hi - 3));
  }
  EXPECT_EQ(DescribeGroup(client, group)->total_lag, 0) << "--export alone applies nothing";

  // --from-file previews; a --group that is not the plan's is refused.
  auto preview = Wwctl(client, prefix, {"offsets", "reset", "--from-file", file});
  ASSERT_EQ(preview.exit_code, 0) << preview.out;
  EXPECT_TRUE(absl::StrContains(preview.out, "add --execute")) << preview.out;
  EXPECT_EQ(DescribeGroup(client, group)->total_lag, 0);
  auto other =
      Wwctl(client, prefix,
            {"offsets", "reset", "--from-file", file, "--group", prefix + "other", "--execute"});
  EXPECT_EQ(other.exit_code, 2);

  // Live group: refused.
  {
    LiveGroup live(client, prefix, group, in);
    ASSERT_TRUE(Eventually([&] {
      auto d = DescribeGroup(client, group);
      return d.ok() && !d->members.empty();
    }));
    auto refused = Wwctl(client, prefix, {"offsets", "reset", "--from-file", file, "--execute"});
    EXPECT_EQ(refused.exit_code, 1) << refused.out;
    live.Stop();
    EXPECT_TRUE(live.result.ok()) << live.result;
  }
  ASSERT_TRUE(Eventually([&] {
    auto d = DescribeGroup(client, group);
    return d.ok() && d->members.empty();
  }));
  ASSERT_EQ(DescribeGroup(client, group)->total_lag, 0) << "the refused plan changed nothing";

  // Idle: applied, exactly the targets of the file.
  auto applied = Wwctl(client, prefix, {"offsets", "reset", "--from-file", file, "--execute"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out;
  auto committed = CommittedOffsets(client, group, in);
  ASSERT_TRUE(committed.ok());
  for (const auto& p : plan["partitions"]) {
    EXPECT_EQ((*committed)[p["partition"].get<int>()], p["target"].get<int64_t>());
  }

  // A plan for a partition the topic does not have: a clear error, exit 2.
  const std::string bad = TempFile(prefix + "bad.json",
                                   absl::StrCat(R"({"group":")", group, R"(","topic":")", in,
                                                R"(","partitions":[{"partition":7,"target":0}]})"));
  auto refused_bad = Wwctl(client, prefix, {"offsets", "reset", "--from-file", bad});
  EXPECT_EQ(refused_bad.exit_code, 2) << refused_bad.out;
}

// The operator's everyday case: a scratch topic to replay into, then gone again.
TEST(WwctlTopics, CreateANamedTopicWithConfigsAndDeleteItOnlyWithYes) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("topics-create");
  const std::string scratch = prefix + "scratch";
  auto created = Wwctl(
      client, prefix,
      {"topics", "create", scratch, "--partitions", "2", "--topic-config", "retention.ms=7200000"});
  ASSERT_EQ(created.exit_code, 0) << created.out;
  auto json = Wwctl(client, prefix, {"topics", "describe", scratch, "--output", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.out;
  std::vector<nlohmann::json> topics = JsonLines(json.out);
  ASSERT_EQ(topics.size(), 1u) << json.out;
  EXPECT_EQ(topics[0]["partition_count"], 2);
  EXPECT_EQ(topics[0]["retention_ms"], 7200000);

  auto bad = Wwctl(client, prefix, {"topics", "create", scratch, "--topic-config", "retention.ms"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out;

  auto refused = Wwctl(client, prefix, {"topics", "delete", scratch});
  EXPECT_EQ(refused.exit_code, 2) << refused.out;
  EXPECT_EQ(Wwctl(client, prefix, {"topics", "describe", scratch}).exit_code, 0)
      << "without --yes nothing is deleted";
  auto deleted = Wwctl(client, prefix, {"topics", "delete", scratch, "--yes"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.out;
  // Deletion spreads to the brokers' metadata asynchronously: ask until it has.
  int describe = 0;
  for (const absl::Time end = absl::Now() + absl::Seconds(20); absl::Now() < end;) {
    describe = Wwctl(client, prefix, {"topics", "describe", scratch}).exit_code;
    if (describe == 1) break;
  }
  EXPECT_EQ(describe, 1) << "the topic is gone";
}

TEST(WwctlTopics, DescribeShowsPartitionsWatermarksRetentionAndCompaction) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("topics-describe");
  const std::string stream = prefix + "stream", table = prefix + "table";
  ASSERT_TRUE(EnsureTopics(client, {{stream, 3, 1, {{"retention.ms", "3600000"}}},
                                    {table, 1, 1, {{"cleanup.policy", "compact"}}}})
                  .ok());
  const int64_t t0 = (absl::ToUnixMillis(absl::Now()) / 1000 - 600) * 1000;
  std::vector<Record> records = ProduceMinutes(client, stream, t0, 9);
  ASSERT_EQ(records.size(), 9u);
  std::map<int, int64_t> high;  // partition -> next offset, from what was read back
  for (const Record& r : records) high[r.partition] = std::max(high[r.partition], r.offset + 1);

  auto json = Wwctl(client, prefix, {"topics", "describe", stream, table, "--output", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.out;
  std::vector<nlohmann::json> topics = JsonLines(json.out);
  ASSERT_EQ(topics.size(), 2u) << json.out;
  EXPECT_EQ(topics[0]["topic"], stream);
  EXPECT_EQ(topics[0]["partition_count"], 3);
  EXPECT_EQ(topics[0]["replication_factor"], 1);
  EXPECT_EQ(topics[0]["retention_ms"], 3600000);
  EXPECT_EQ(topics[0]["cleanup_policy"], "delete");
  EXPECT_EQ(topics[0]["messages"], 9);
  ASSERT_EQ(topics[0]["partitions"].size(), 3u);
  for (const auto& p : topics[0]["partitions"]) {
    const int partition = p["partition"].get<int>();
    EXPECT_EQ(p["low"], 0);
    EXPECT_EQ(p["high"], high[partition]) << "partition " << partition;
    EXPECT_EQ(p["replicas"].size(), 1u);
  }
  EXPECT_EQ(topics[1]["topic"], table);
  EXPECT_EQ(topics[1]["cleanup_policy"], "compact");
  EXPECT_EQ(topics[1]["partition_count"], 1);

  auto text = Wwctl(client, prefix, {"topics", "describe", table});
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_TRUE(absl::StrContains(text.out, "cleanup.policy compact")) << text.out;
  EXPECT_TRUE(absl::StrContains(text.out, "HIGH-WATERMARK")) << text.out;
  auto hours = Wwctl(client, prefix, {"topics", "describe", stream});
  EXPECT_TRUE(absl::StrContains(hours.out, "retention 1h")) << hours.out;

  auto unknown = Wwctl(client, prefix, {"topics", "describe", prefix + "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
}

TEST(WwctlGroups, TimeLagIsTheAgeOfTheOldestUnconsumedRecord) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("time-lag");
  const std::string in = prefix + "in", group = prefix + "group";
  ASSERT_TRUE(EnsureTopics(client, {{in, 2}}).ok());
  const int64_t t0 = (absl::ToUnixMillis(absl::Now()) / 1000 - int64_t{2} * 3600) * 1000;
  std::vector<Record> records = ProduceMinutes(client, in, t0, 20);
  ASSERT_EQ(records.size(), 20u);
  std::map<std::pair<int, int64_t>, int64_t> stamp;  // (partition, offset) -> timestamp
  std::map<int, int64_t> high;
  for (const Record& r : records) {
    stamp[{r.partition, r.offset}] = r.timestamp_ms;
    high[r.partition] = std::max(high[r.partition], r.offset + 1);
  }
  // The fuller partition is two records in; the other is caught up.
  const int behind = high[0] >= high[1] ? 0 : 1, other = 1 - behind;
  ASSERT_GE(high[behind], 3);
  Commit(client, group, in, {{behind, 2}, {other, high[other]}});

  const int64_t before = absl::ToUnixMillis(absl::Now());
  auto d = DescribeGroup(client, group);
  const int64_t after = absl::ToUnixMillis(absl::Now());
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->partitions.size(), 2u);
  const int64_t oldest = stamp[{behind, 2}];
  EXPECT_GE(d->partitions[behind].time_lag_ms, before - oldest);
  EXPECT_LE(d->partitions[behind].time_lag_ms, after - oldest);
  EXPECT_EQ(d->partitions[other].time_lag_ms, 0) << "caught up";
  EXPECT_EQ(d->max_time_lag_ms, d->partitions[behind].time_lag_ms);

  const int64_t cli_before = absl::ToUnixMillis(absl::Now());
  auto json = Wwctl(client, prefix, {"groups", "describe", group, "--output", "json"});
  const int64_t cli_after = absl::ToUnixMillis(absl::Now());
  ASSERT_EQ(json.exit_code, 0) << json.out;
  std::vector<nlohmann::json> lines = JsonLines(json.out);
  ASSERT_EQ(lines.size(), 1u) << json.out;
  const auto& parts = lines[0]["partitions"];
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_GE(parts[behind]["time_lag_ms"].get<int64_t>(), cli_before - oldest);
  EXPECT_LE(parts[behind]["time_lag_ms"].get<int64_t>(), cli_after - oldest);
  EXPECT_EQ(parts[other]["time_lag_ms"], 0);
  auto text = Wwctl(client, prefix, {"groups", "describe", group});
  EXPECT_TRUE(absl::StrContains(text.out, "TIME-LAG")) << text.out;
  EXPECT_TRUE(absl::StrContains(text.out, "time lag 1h")) << text.out;  // just under 2h
}

TEST(WwctlStatus, LagColumnSumsEachServicesGroups) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("status-lag");
  const std::string in = prefix + "in";
  ASSERT_TRUE(EnsureTopics(client, {{in, 1}}).ok());
  const int64_t t0 = (absl::ToUnixMillis(absl::Now()) / 1000 - 3600) * 1000;
  ASSERT_EQ(ProduceMinutes(client, in, t0, 10).size(), 10u);
  Commit(client, prefix + "a", in, {{0, 7}});  // lag 3
  Commit(client, prefix + "b", in, {{0, 6}});  // lag 4
  // No service runs: health is UNREACHABLE (exit 1), the lag still comes from Kafka.
  auto r = Wwctl(client, prefix,
                 {"status",
                  "--output",
                  "json",
                  "--group",
                  "tagger=" + prefix + "a",
                  "--group",
                  absl::StrCat("deduper=", prefix, "a,", prefix, "b"),
                  "--group",
                  "alerter=" + prefix + "never-started",
                  "--ingestor",
                  "127.0.0.1:19212",
                  "--deduper",
                  "127.0.0.1:19213",
                  "--tagger",
                  "127.0.0.1:19214",
                  "--alerter",
                  "127.0.0.1:19215",
                  "--notifier",
                  "127.0.0.1:19216",
                  "--group",
                  "notifier=" + prefix + "never-started"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  std::map<std::string, int64_t> lag;
  for (const auto& line : JsonLines(r.out)) {
    // The notifier is optional: its absence alone would not fail the status.
    EXPECT_EQ(line["health"],
              line["service"] == "notifier" ? "NOT RUNNING (optional)" : "UNREACHABLE");
    lag[line["service"].get<std::string>()] = line["lag"].get<int64_t>();
  }
  EXPECT_EQ(
      lag, (std::map<std::string, int64_t>{
               {"ingestor", -1}, {"deduper", 7}, {"tagger", 3}, {"alerter", -1}, {"notifier", -1}}))
      << r.out;
}

TEST(WwctlConnection, SettingsComeFromTheConfigFileEnvironmentAndFlags) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("connection");
  const std::string topic = prefix + "t";
  ASSERT_TRUE(EnsureTopics(client, {{topic, 1}}).ok());
  const char* bin = std::getenv("WW_BIN_DIR");
  ASSERT_NE(bin, nullptr);
  const std::string wwctl = absl::StrCat(bin, "/wwctl");
  auto run = [&](const std::string& config, std::vector<std::string> args) {
    std::vector<std::string> argv = {"/usr/bin/env", "-u", "WW_BOOTSTRAP_SERVERS",
                                     "WW_CONFIG=" + config, wwctl};
    argv.insert(argv.end(), args.begin(), args.end());
    return ::ww::testing::Run(argv, absl::Seconds(60));
  };
  // The broker address and a librdkafka property from the file alone.
  const std::string good =
      TempFile(prefix + "good.conf", absl::StrCat("bootstrap-servers = ", client.bootstrap_servers,
                                                  "\nkafka.client.id: wwctl-test\n"));
  auto ok = run(good, {"topics", "describe", topic});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_TRUE(absl::StrContains(ok.out, topic)) << ok.out;
  // A bad property in the file reaches librdkafka (and is named); a flag overrides it.
  const std::string bad =
      TempFile(prefix + "bad.conf", absl::StrCat("bootstrap-servers = ", client.bootstrap_servers,
                                                 "\nkafka.security.protocol = carrier-pigeon\n"));
  auto refused = run(bad, {"topics", "describe", topic});
  EXPECT_EQ(refused.exit_code, 2) << refused.out;
  auto fixed =
      run(bad, {"topics", "describe", topic, "--kafka-property", "security.protocol=plaintext"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out;
  // The command line wins over the file for the broker address too.
  const std::string nowhere =
      TempFile(prefix + "nowhere.conf", "bootstrap-servers = 127.0.0.1:1\n");
  auto here =
      run(nowhere, {"--bootstrap-servers", client.bootstrap_servers, "topics", "describe", topic});
  EXPECT_EQ(here.exit_code, 0) << here.out;
}

TEST(WwctlConsume, FollowPrintsNewRecordsUntilSigterm) {
  WW_REQUIRE_BROKER(client);
  const std::string prefix = UniquePrefix("follow");
  const std::string topic = prefix + "t";
  ASSERT_TRUE(EnsureTopics(client, {{topic, 1}}).ok());
  auto producer = Producer::Create(client);
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE((*producer)->Send({topic, "k", "first-value"}).ok());
  const char* bin = std::getenv("WW_BIN_DIR");
  ASSERT_NE(bin, nullptr);
  ::ww::testing::Process follow(
      {absl::StrCat(bin, "/wwctl"), "consume", topic, "--follow", "--output", "json",
       "--bootstrap-servers", client.bootstrap_servers},
      (std::filesystem::temp_directory_path() / (prefix + "log")).string());
  EXPECT_NE(follow.WaitForLine("first-value", absl::Seconds(30)), "");
  absl::SleepFor(absl::Seconds(1));  // past the end of the topic: still running
  EXPECT_TRUE(follow.running());
  ASSERT_TRUE((*producer)->Send({topic, "k", "second-value"}).ok());
  EXPECT_NE(follow.WaitForLine("second-value", absl::Seconds(30)), "");
  EXPECT_EQ(follow.Stop(), 0) << "SIGTERM ends --follow cleanly";
}

}  // namespace
}  // namespace ww::kafka
