// wwctl backfill through the real pipeline: an article alerted for the entities watched when
// it arrived is, after a new entity and a rule on it are added and the backfill runs,
// alerted for those too, exactly once, while its first alert is not repeated (not even by a
// second backfill over the same articles).
#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/kafka/groups.h"
#include "tests/support/pipeline.h"

namespace ww {
namespace {

using ::ww::testing::PipelineTest;
using ::ww::testing::Subscriber;

class BackfillTest : public PipelineTest {
 protected:
  // Until the tagger's and the alerter's groups have consumed everything: whatever the
  // pipeline will make of the articles so far has been published. The offset lag of a
  // partition written in transactions stays 1 (the commit marker), so "nothing left" is a
  // time lag of 0: no record after the committed offset.
  bool Drained() {
    absl::Time deadline = absl::Now() + absl::Seconds(90);
    while (absl::Now() < deadline) {
      bool done = true;
      for (const char* stage : {"tagger", "alerter"}) {
        auto d = kafka::DescribeGroup(client_, prefix_ + stage);
        done = done && d.ok() && !d->partitions.empty();
        for (const auto& p : d.ok() ? d->partitions : std::vector<kafka::PartitionLag>{}) {
          done = done && (p.log_end == 0 || p.committed >= 0) && p.time_lag_ms <= 0;
        }
      }
      if (done) return true;
      absl::SleepFor(absl::Milliseconds(250));
    }
    return false;
  }

  // rule id -> alerts received with it.
  static std::map<std::string, std::vector<ww::v1::Alert>> ByRule(
      const std::vector<ww::v1::Alert>& alerts) {
    std::map<std::string, std::vector<ww::v1::Alert>> out;
    for (const auto& a : alerts) out[a.rule_id()].push_back(a);
    return out;
  }
};

TEST_F(BackfillTest, PastArticlesAlertForANewEntityAndRuleOnceAndOldAlertsAreNotRepeated) {
  auto file = [&](const std::string& name, const std::string& content) {
    const auto path = std::filesystem::temp_directory_path() / (prefix_ + name);
    std::ofstream(path) << content;
    return path.string();
  };
  const std::string kim_only = file("kim.yaml",
                                    "entities:\n"
                                    "  - {id: kim-jong-un, name: Kim Jong Un, kind: person}\n");
  const std::string with_putin =
      file("kim-putin.yaml",
           "entities:\n"
           "  - {id: kim-jong-un, name: Kim Jong Un, kind: person}\n"
           "  - {id: vladimir-putin, name: Vladimir Putin, kind: person, aliases: [Putin]}\n");
  const std::string rule = file("rule.yaml",
                                "rules:\n"
                                "  - id: kim-putin-summit\n"
                                "    name: Kim meets Putin\n"
                                "    when: {all: [kim-jong-un, vladimir-putin]}\n"
                                "    severity: high\n");
  ASSERT_EQ(Wwctl({"watchlist", "apply", kim_only}).exit_code, 0);
  Subscriber sub(addr_["alerter"]);
  Submit("kim-train.txt", "https://news.example/kim");
  ASSERT_TRUE(sub.WaitForEntities({"kim-jong-un"}, absl::Seconds(60)));
  ASSERT_TRUE(Drained());
  auto before = ByRule(sub.alerts());
  ASSERT_EQ(before.size(), 1u) << "only Kim is watched";
  ASSERT_EQ(before.begin()->second.size(), 1u);
  const ww::v1::Alert kim = before.begin()->second[0];

  // Putin and a rule on him are added later; the backfill re-runs the past hour.
  auto added = Wwctl({"rules", "add", rule});
  ASSERT_EQ(added.exit_code, 0) << added.out;
  auto backfill = Wwctl({"backfill", "--watchlist", with_putin, "--since", "1h"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.out;
  EXPECT_TRUE(absl::StrContains(backfill.out, "has loaded watchlist")) << backfill.out;
  EXPECT_TRUE(absl::StrContains(backfill.out, "copied 1 of 1")) << backfill.out;
  ASSERT_TRUE(sub.WaitForEntities({"vladimir-putin"}, absl::Seconds(60)));
  ASSERT_TRUE(Drained());
  absl::SleepFor(absl::Seconds(2));  // a repeat would have been delivered by now

  auto after = ByRule(sub.alerts());
  ASSERT_EQ(after.size(), 3u) << "Kim's, Putin's and the summit rule's";
  ASSERT_EQ(after["mention:kim-jong-un"].size(), 1u) << "Kim's alert is not repeated";
  EXPECT_EQ(after["mention:kim-jong-un"][0].id(), kim.id());
  ASSERT_EQ(after["mention:vladimir-putin"].size(), 1u);
  ASSERT_EQ(after["kim-putin-summit"].size(), 1u);
  for (const auto& [rule_id, alerts] : after) {
    EXPECT_EQ(alerts[0].url(), "https://news.example/kim") << rule_id;
    EXPECT_EQ(alerts[0].version(), 1) << rule_id;
  }

  // The same backfill again is already done; another range replays the article again and
  // still raises nothing.
  auto again = Wwctl({"backfill", "--watchlist", with_putin, "--since", "1h"});
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_TRUE(absl::StrContains(again.out, "already completed")) << again.out;
  auto wider = Wwctl({"backfill", "--watchlist", with_putin, "--since", "2h"});
  ASSERT_EQ(wider.exit_code, 0) << wider.out;
  EXPECT_TRUE(absl::StrContains(wider.out, "copied 2 of 2"))
      << "the article and its first copy: " << wider.out;
  ASSERT_TRUE(Drained());
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(sub.alerts().size(), 3u) << "nothing raised twice";
}

}  // namespace
}  // namespace ww
