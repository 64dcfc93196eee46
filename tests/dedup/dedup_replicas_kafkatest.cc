// The deduper with several replicas against a real broker: two copies of a story that land
// on different partitions of ww.articles.raw and are fingerprinted by different replicas at
// the same moment end up in one cluster with one first article; a replica started later,
// with nothing in memory, rebuilds the clusters from the claims topic.
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/stage_loop.h"
#include "services/deduper/dedup_stage.h"
#include "tests/support/kafka_env.h"
#include "ww/v1/records.pb.h"

namespace ww::services {
namespace {

using ::ww::testing::ReadTopic;
using ::ww::testing::UniquePrefix;

const char* kStory =
    "Rescue teams in northern Chile searched collapsed buildings on Wednesday after a "
    "magnitude 7.1 earthquake struck near the port of Iquique late on Tuesday night.\n"
    "The national emergency office said at least six people had died and more than 2,000 "
    "homes were damaged, while power was cut to about 40,000 households in the region.\n"
    "President Luis Ortega flew to the area and declared a state of catastrophe, which lets "
    "the armed forces help with the relief effort and keep order.\n"
    "The quake was felt as far away as Bolivia and southern Peru.";
const char* kOther =
    "Rescue teams in eastern Turkey searched collapsed buildings on Sunday after a magnitude "
    "5.9 earthquake struck near the city of Van, the disaster agency AFAD said.\n"
    "Officials said two people were killed and dozens injured, and that schools in the "
    "province would stay closed for a week while engineers inspect them.";

struct TopicSet {
  std::string raw, claims, unique, dups, dlq;
};

struct Replica {
  std::unique_ptr<DedupStage> stage;
  std::unique_ptr<kafka::StageLoop> fingerprint, cluster;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;

  Replica(const kafka::ClientConfig& c, const TopicSet& t, const std::string& name) {
    auto s = DedupStage::Create(t.unique, t.dups, {}, ReplayFromTopic(c, t.claims),
                                CommittedFromGroup(c, t.raw + "-clusters", t.claims));
    EXPECT_TRUE(s.ok());
    stage = *std::move(s);
    kafka::StageOptions o;
    o.client = c;
    o.deadletter_topic = t.dlq;
    o.stage = "deduper-fingerprint";
    o.group_id = t.raw + "-fp";
    o.input_topics = {t.raw};
    o.transactional_id = o.group_id + "-" + name;
    const std::string claims = t.claims;
    auto fp = kafka::StageLoop::Create(
        o, {[claims](const kafka::Record& r) { return FingerprintArticle(r, claims); }});
    EXPECT_TRUE(fp.ok()) << fp.status();
    fingerprint = *std::move(fp);
    o.stage = "deduper";
    o.group_id = t.raw + "-clusters";
    o.input_topics = {t.claims};
    o.transactional_id = o.group_id + "-" + name;
    auto cl =
        kafka::StageLoop::Create(o, {[this](const kafka::Record& r) { return stage->Process(r); },
                                     [this] { stage->Commit(); }, [this] { stage->Rollback(); },
                                     [this] { stage->OnRevoke(); }});
    EXPECT_TRUE(cl.ok()) << cl.status();
    cluster = *std::move(cl);
    for (kafka::StageLoop* loop : {fingerprint.get(), cluster.get()}) {
      threads.emplace_back([this, loop] { EXPECT_TRUE(loop->Run(stop).ok()); });
    }
  }
  ~Replica() {
    stop = true;
    for (auto& t : threads) t.join();
  }
};

void Produce(const kafka::ClientConfig& c, const std::string& topic, int partition,
             const std::string& id, const std::string& source, const std::string& text) {
  ww::v1::Article a;
  a.set_id(id);
  a.set_source(source);
  a.set_url(absl::StrCat("https://", source, ".example/", id));
  a.set_text(text);
  auto p = kafka::Producer::Create(c);
  ASSERT_TRUE(p.ok());
  kafka::OutRecord r{topic, id, a.SerializeAsString()};
  r.partition = partition;
  ASSERT_TRUE((*p)->Send(r).ok());
}

bool WaitFor(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(60)) {
  absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return true;
}

std::map<std::string, ww::v1::Article> ById(const std::vector<kafka::Record>& records) {
  std::map<std::string, ww::v1::Article> out;
  for (const auto& r : records) EXPECT_TRUE(out[r.key].ParseFromString(r.value));
  return out;
}

TopicSet MakeTopics(const kafka::ClientConfig& client) {
  const std::string p = UniquePrefix("dedup");
  TopicSet t{p + "raw", p + "claims", p + "unique", p + "dups", p + "dlq"};
  EXPECT_TRUE(kafka::EnsureTopics(
                  client, {{t.raw, 2}, {t.claims, 1}, {t.unique, 2}, {t.dups, 2}, {t.dlq, 1}})
                  .ok());
  return t;
}

TEST(DedupReplicas, CopiesOnDifferentPartitionsAndReplicasMeetInOneCluster) {
  WW_REQUIRE_BROKER(client);
  TopicSet t = MakeTopics(client);
  const std::string copy =
      std::string("By Staff Reporter\nSANTIAGO (Reuters) - ") + kStory + "\nNewspapers in English";
  {
    Replica r1(client, t, "r1"), r2(client, t, "r2");
    // Both replicas hold one partition of raw before the copies arrive.
    ASSERT_TRUE(WaitFor([&] {
      return r1.fingerprint->stats().assigned.load() && r2.fingerprint->stats().assigned.load();
    })) << "both replicas should join the fingerprint group";
    Produce(client, t.raw, 0, "a-wire", "wire", kStory);
    Produce(client, t.raw, 1, "b-herald", "herald", copy);
    ASSERT_TRUE(WaitFor([&] {
      return r1.fingerprint->stats().records_in + r2.fingerprint->stats().records_in >= 2;
    }));
    EXPECT_EQ(r1.fingerprint->stats().records_in.load(), 1u) << "each replica took one copy";
    EXPECT_EQ(r2.fingerprint->stats().records_in.load(), 1u);
    Produce(client, t.raw, 0, "c-other", "wire", kOther);

    auto unique = ById(ReadTopic(client, t.unique, 2, absl::Seconds(60)));
    auto dups = ById(ReadTopic(client, t.dups, 1, absl::Seconds(60)));
    ASSERT_EQ(unique.size(), 2u);
    ASSERT_EQ(dups.size(), 1u) << "one first article, one duplicate";
    ASSERT_TRUE(unique.contains("c-other"));
    const auto& [dup_id, dup] = *dups.begin();
    const std::string first = dup_id == "a-wire" ? "b-herald" : "a-wire";
    ASSERT_TRUE(unique.contains(first));
    EXPECT_EQ(unique[first].cluster_id(), first);
    EXPECT_EQ(dup.cluster_id(), first);
    EXPECT_EQ(dup.duplicate_of(), first);
    EXPECT_GE(dup.duplicate_similarity(), 0.4f);
    EXPECT_EQ(dup.cluster_articles(), 2u);
    EXPECT_EQ(dup.cluster_sources_size(), 2);
  }
}

// A replica that joins after the first two left rebuilds the clusters from the claims
// topic. (This once found a StageLoop bug: a record that arrived with a new assignment was
// dropped without rewinding, so the replica skipped it.)
TEST(DedupReplicas, AReplicaStartedLaterRebuildsFromTheClaimsTopic) {
  WW_REQUIRE_BROKER(client);
  TopicSet t = MakeTopics(client);
  const std::string copy = std::string("By Staff Reporter\n") + kStory;
  {
    Replica r1(client, t, "r1");
    Produce(client, t.raw, 0, "a-wire", "wire", kStory);
    Produce(client, t.raw, 1, "b-herald", "herald", copy);
    Produce(client, t.raw, 0, "c-other", "wire", kOther);
    ASSERT_EQ(ReadTopic(client, t.dups, 1, absl::Seconds(60)).size(), 1u);
  }
  // Every replica is gone; a new one, with empty memory, rebuilds from the claims topic.
  Produce(client, t.raw, 1, "d-gazette", "gazette", std::string(kStory) + "\nRead more: quakes");
  // No pause for the old members' sessions to end: the new member must fetch whatever
  // assignment it gets. (A 12 s sleep once hid a stage-loop bug here: the loop re-assigned
  // its partitions right after each rebalance, and quick assignment changes can leave
  // librdkafka's fetchers stopped, confluentinc/librdkafka#5573. The loop no longer does.)
  Replica r3(client, t, "r3");
  auto dups = ById(ReadTopic(client, t.dups, 2, absl::Seconds(90)));
  ASSERT_EQ(dups.size(), 2u);
  ASSERT_TRUE(dups.contains("d-gazette"));
  const auto& d = dups["d-gazette"];
  auto unique = ById(ReadTopic(client, t.unique, 2, absl::Seconds(10)));
  EXPECT_EQ(unique.size(), 2u) << "the late copy is not a new story";
  EXPECT_TRUE(unique.contains(d.cluster_id()));
  EXPECT_EQ(d.cluster_articles(), 3u);
  EXPECT_EQ(d.cluster_sources_size(), 3);
}

}  // namespace
}  // namespace ww::services
