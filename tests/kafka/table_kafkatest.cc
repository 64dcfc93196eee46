// libs/kafka/table.h against a real broker: read to the end, then follow.
#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/table.h"
#include "tests/support/kafka_env.h"

namespace ww::kafka {
namespace {

const std::function<bool()> kNever = [] { return false; };

void Send(const ClientConfig& c, const std::string& topic, int from, int to) {
  auto producer = Producer::Create(c);
  ASSERT_TRUE(producer.ok());
  for (int i = from; i < to; ++i) {
    ASSERT_TRUE((*producer)->Send({topic, absl::StrCat("k", i), absl::StrCat("v", i)}).ok());
  }
}

TEST(Table, CatchUpReadsEveryPartitionToItsEndThenFollowSeesWhatComesNext) {
  WW_REQUIRE_BROKER(client);
  const std::string topic = ::ww::testing::UniquePrefix("table") + "t";
  ASSERT_TRUE(EnsureTopics(client, {{topic, 3}}).ok());
  Send(client, topic, 0, 50);
  auto table = TableReader::Open(client, topic, {"test"}, kNever);
  ASSERT_TRUE(table.ok()) << table.status();
  std::set<std::string> seen;
  const ApplyFn apply = [&](const std::vector<Record>& records) {
    EXPECT_FALSE(records.empty()) << "apply is called with records only";
    for (const Record& r : records) seen.insert(r.value);
  };
  ASSERT_TRUE((*table)->CatchUp(apply, kNever).ok());
  EXPECT_TRUE((*table)->loaded());
  EXPECT_EQ(seen.size(), 50u) << "loaded means every record written before was applied";

  Send(client, topic, 50, 60);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (seen.size() < 60 && absl::Now() < deadline) (*table)->FollowOnce(apply);
  EXPECT_EQ(seen.size(), 60u);
  EXPECT_EQ((*table)->records_read(), 60u);
}

TEST(Table, AMissingTopicIsNotFoundNotAnEndlessWait) {
  WW_REQUIRE_BROKER(client);
  auto table =
      TableReader::Open(client, ::ww::testing::UniquePrefix("table") + "absent", {"test"}, kNever);
  EXPECT_TRUE(absl::IsNotFound(table.status())) << table.status();
}

TEST(Table, RunTableStopsWhenAskedAndCallsOnLoadedOnce) {
  WW_REQUIRE_BROKER(client);
  const std::string topic = ::ww::testing::UniquePrefix("table") + "run";
  ASSERT_TRUE(EnsureTopics(client, {{topic, 1}}).ok());
  Send(client, topic, 0, 5);
  std::atomic<bool> stop{false};
  std::atomic<int> loaded{0}, applied{0};
  absl::Status result = absl::UnknownError("not run");
  std::thread t([&] {
    result = RunTable(
        client, topic, {"test"},
        [&](const std::vector<Record>& r) { applied += static_cast<int>(r.size()); },
        [&] { ++loaded; }, stop);
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (loaded.load() == 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(applied.load(), 5) << "on_loaded comes after every record was applied";
  stop = true;
  t.join();
  EXPECT_TRUE(result.ok()) << result;
  EXPECT_EQ(loaded.load(), 1);
}

}  // namespace
}  // namespace ww::kafka
