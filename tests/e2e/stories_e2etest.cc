// Stories end to end (issue 17): two independently written reports of one event (their own
// words; the same people, place and day) raise one alert per rule, the second report
// updating the first's alerts; a report of a different event about the same people raises
// alerts of its own. The articles are samples/stories.jsonl, submitted over gRPC after a
// week's worth of unrelated news (what a running pipeline's vocabulary has seen).
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "gtest/gtest.h"
#include "tests/support/pipeline.h"
#include "ww/v1/ingest.grpc.pb.h"

namespace ww {
namespace {

using ::ww::testing::PipelineTest;
using ::ww::testing::Subscriber;

class StoriesTest : public PipelineTest {
 protected:
  // Submits the sample article `id` as its outlet would; returns the article id.
  std::string SubmitSample(const std::string& id) {
    if (samples_.empty()) {
      std::ifstream in(Sample("stories.jsonl"));
      for (std::string line; std::getline(in, line);) {
        auto j = nlohmann::json::parse(line);
        samples_[j["id"].get<std::string>()] = j;
      }
    }
    const nlohmann::json& j = samples_.at(id);
    if (!ingest_) {
      ingest_ = ww::v1::IngestService::NewStub(
          grpc::CreateChannel(addr_["ingestor"], grpc::InsecureChannelCredentials()));
    }
    ww::v1::SubmitRequest req;
    req.set_title(j["title"].get<std::string>());
    req.set_text(j["text"].get<std::string>());
    req.set_source(j["source"].get<std::string>());
    req.set_url("https://" + j["source"].get<std::string>() + ".example/" + id);
    grpc::ClientContext ctx;
    ww::v1::SubmitResponse resp;
    grpc::Status s = ingest_->Submit(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.article_id();
  }

  std::map<std::string, nlohmann::json> samples_;
  std::unique_ptr<ww::v1::IngestService::Stub> ingest_;
};

// The latest version of each alert, by id.
std::map<std::string, ww::v1::Alert> Latest(const std::vector<ww::v1::Alert>& alerts) {
  std::map<std::string, ww::v1::Alert> latest;
  for (const auto& a : alerts) {
    auto [it, added] = latest.emplace(a.id(), a);
    if (!added && a.version() > it->second.version()) it->second = a;
  }
  return latest;
}

TEST_F(StoriesTest, TwoReportsOfOneEventRaiseOneAlertPerRuleAndAnotherEventItsOwn) {
  ASSERT_EQ(Wwctl({"watchlist", "apply", Sample("watchlist.yaml")}).exit_code, 0);
  auto rules = Wwctl({"rules", "apply", Sample("watchlist.yaml")});
  ASSERT_EQ(rules.exit_code, 0) << rules.out;
  Subscriber sub(addr_["alerter"]);
  for (int i = 1; i <= 8; ++i) SubmitSample("background-" + std::to_string(i));

  const std::string wire = SubmitSample("arrival-wire");
  ASSERT_TRUE(
      sub.WaitForEntities({"kim-jong-un", "vladimir-putin", "vladivostok"}, absl::Seconds(60)));
  std::map<std::string, ww::v1::Alert> first = Latest(sub.alerts());
  for (const auto& [id, a] : first) {
    EXPECT_EQ(a.story_id(), wire) << a.rule_id();
    EXPECT_EQ(a.per(), "story");
  }

  // The agency's own report: every alert of the story grows to two reports, two outlets.
  SubmitSample("arrival-agency");
  ASSERT_TRUE(sub.WaitUntil(
      [&](const std::vector<ww::v1::Alert>& got) {
        auto latest = Latest(got);
        for (const auto& [id, a] : first) {
          if (latest.at(id).report_count() < 2) return false;
        }
        return true;
      },
      absl::Seconds(60)))
      << "the second report did not update the first report's alerts";

  // Another event about the same people, the same day.
  const std::string missile = SubmitSample("missile-agency");
  ASSERT_TRUE(sub.WaitUntil(
      [&](const std::vector<ww::v1::Alert>& got) {
        for (const auto& a : got) {
          if (a.story_id() == missile) return true;
        }
        return false;
      },
      absl::Seconds(60)))
      << "the missile launch raised no alert of its own";

  std::map<std::string, std::set<std::string>> alerts_of_rule;  // rule -> alert ids
  for (const auto& [id, a] : Latest(sub.alerts())) {
    if (a.story_id() != wire) continue;
    alerts_of_rule[a.rule_id()].insert(id);
    EXPECT_EQ(a.report_count(), 2) << a.rule_id();
    EXPECT_EQ(a.outlet_count(), 2) << a.rule_id();
    EXPECT_EQ(std::set<std::string>(a.outlets().begin(), a.outlets().end()),
              (std::set<std::string>{"wire", "agency"}));
    if (first.count(id)) {
      EXPECT_EQ(a.version(), 2) << a.rule_id() << ": raised, then updated once";
      EXPECT_EQ(a.latest_url(), "https://agency.example/arrival-agency");
    }
  }
  for (const auto& [rule, ids] : alerts_of_rule) {
    EXPECT_EQ(ids.size(), 1u) << "rule " << rule << " alerted more than once on one event";
  }
  EXPECT_TRUE(alerts_of_rule.count("kim-putin-summit"));
  // The missile launch: Kim's mention alert is new, not an update of the arrival's.
  bool kim_missile = false;
  for (const auto& [id, a] : Latest(sub.alerts())) {
    if (a.story_id() != missile) continue;
    EXPECT_EQ(a.version(), 1);
    EXPECT_FALSE(first.count(id));
    kim_missile |= a.entity_id() == "kim-jong-un";
  }
  EXPECT_TRUE(kim_missile);

  // What an operator sees: the arrival is the largest live story, two reports by two
  // outlets; the missile launch a story of its own.
  auto list = Wwctl({"stories", "list", "--since", "1h", "--output", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.out;
  std::map<std::string, nlohmann::json> listed;
  std::istringstream lines(list.out);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.contains("story")) listed[j["story"].get<std::string>()] = j;
  }
  ASSERT_TRUE(listed.count(wire)) << list.out;
  EXPECT_EQ(listed[wire]["reports"], 2);
  EXPECT_EQ(listed[wire]["outlet_count"], 2);
  EXPECT_EQ(listed[wire]["headline"], samples_.at("arrival-wire")["title"]);
  EXPECT_TRUE(listed.count(missile)) << list.out;
}

}  // namespace
}  // namespace ww
