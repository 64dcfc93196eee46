// `wwctl watchlist add|remove|export` against the running pipeline, as an operator uses them:
// an added entity is tagged and alerted on, a removed one is gone from the export and no
// longer alerts, and an export applied again gives the same export.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/tagging/watchlist.h"
#include "tests/support/pipeline.h"
#include "tests/support/process.h"
#include "ww/v1/watchlist.grpc.pb.h"

namespace ww {
namespace {

using ::ww::testing::PipelineTest;
using ::ww::testing::RunResult;
using ::ww::testing::Subscriber;

constexpr char kAddedYaml[] = R"yaml(entities:
  - id: khurelsukh
    name: Ukhnaagiin Khürelsükh
    kind: person
    surname_only: true
    aliases: ["Хүрэлсүх"]
  - id: ulaanbaatar
    name: Ulaanbaatar
    kind: place
    aliases: ["Улаанбаатар", {text: "UB", case_sensitive: true}]
)yaml";

class WatchlistCommandsTest : public PipelineTest {
 protected:
  void SetUp() override {
    PipelineTest::SetUp();
    dir_ = std::filesystem::temp_directory_path() / absl::StrCat("ww-watchlist-", prefix_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    PipelineTest::TearDown();
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // wwctl with stderr in the output too (for the error messages a user reads).
  RunResult WwctlWithStderr(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/bin/sh", "-c", "exec \"$@\" 2>&1", "sh", bin_ + "/wwctl"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--bootstrap-servers=" + client_.bootstrap_servers);
    argv.push_back("--topic-prefix=" + prefix_);
    for (const auto& [name, addr] : addr_) argv.push_back(absl::StrCat("--", name, "=", addr));
    return ::ww::testing::Run(argv, absl::Seconds(60));
  }

  // `watchlist export` parsed back: what `watchlist apply` would load.
  tagging::Watchlist Export() {
    RunResult r = Wwctl({"watchlist", "export"});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    auto wl = tagging::ParseWatchlistYaml(r.out);
    EXPECT_TRUE(wl.ok()) << wl.status() << "\n" << r.out;
    return wl.ok() ? *wl : tagging::Watchlist{};
  }

  static std::set<std::string> Ids(const tagging::Watchlist& wl) {
    std::set<std::string> ids;
    for (const auto& e : wl.entities) ids.insert(e.id);
    return ids;
  }

  std::string SubmitText(const std::string& name, const std::string& text) {
    RunResult r = Wwctl({"submit", "--source", "e2e", "--url",
                         absl::StrCat("https://news.example/", name), Write(name, text)});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return r.out;
  }

  std::filesystem::path dir_;
};

size_t CountFor(const std::vector<ww::v1::Alert>& alerts, const std::string& entity) {
  size_t n = 0;
  for (const auto& a : alerts) n += a.entity_id() == entity;
  return n;
}

TEST_F(WatchlistCommandsTest, AddTagsNewEntitiesRemoveDropsThemExportRoundTrips) {
  ASSERT_EQ(Wwctl({"watchlist", "apply", Sample("watchlist.yaml")}).exit_code, 0);
  const std::set<std::string> sample_ids = Ids(Export());
  ASSERT_EQ(sample_ids.size(), 4u);
  Subscriber sub(addr_["alerter"]);

  // add keeps the entities already there and carries the per-entity and per-alias options.
  RunResult added = Wwctl({"watchlist", "add", Write("added.yaml", kAddedYaml)});
  ASSERT_EQ(added.exit_code, 0) << added.out;
  tagging::Watchlist after_add = Export();
  std::set<std::string> want = sample_ids;
  want.insert({"khurelsukh", "ulaanbaatar"});
  EXPECT_EQ(Ids(after_add), want);
  for (const auto& e : after_add.entities) {
    if (e.id == "khurelsukh") {
      EXPECT_TRUE(e.surname_only);
    }
    if (e.id == "ulaanbaatar") {
      ASSERT_EQ(e.aliases.size(), 2u);
      EXPECT_TRUE(e.OptionsOf(1).case_sensitive) << "UB stays case-sensitive";
    }
  }

  // An article naming them (the surname alone, without diacritics) is tagged and alerted.
  const std::string text =
      "Mongolia's president Khurelsukh opened the parliament session in UB on Tuesday.";
  ASSERT_FALSE(SubmitText("mongolia.txt", text).empty());
  ASSERT_TRUE(sub.WaitForEntities({"khurelsukh", "ulaanbaatar"}, absl::Seconds(60)))
      << "alerts received: " << sub.alerts().size();
  for (const auto& a : sub.alerts()) {
    for (const auto& m : a.mentions()) {
      ASSERT_LE(m.end(), text.size());
      EXPECT_EQ(text.substr(m.start(), m.end() - m.start()), m.text());
      if (a.entity_id() == "khurelsukh") {
        EXPECT_EQ(m.text(), "Khurelsukh");
      } else if (a.entity_id() == "ulaanbaatar") {
        EXPECT_EQ(m.text(), "UB");
      }
    }
  }

  // An unknown id is an error that names it, and nothing is removed.
  RunResult typo = WwctlWithStderr({"watchlist", "remove", "khurelsukh", "no-such-entity"});
  EXPECT_NE(typo.exit_code, 0) << typo.out;
  EXPECT_NE(typo.out.find("no-such-entity"), std::string::npos) << typo.out;
  EXPECT_EQ(Ids(Export()), want);

  // The service itself refuses an unknown id too (for other clients than wwctl).
  {
    auto stub = ww::v1::WatchlistService::NewStub(
        grpc::CreateChannel(addr_["tagger"], grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ww::v1::DeleteEntityRequest req;
    req.set_id("no-such-entity");
    ww::v1::DeleteEntityResponse resp;
    grpc::Status s = stub->DeleteEntity(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
    EXPECT_NE(s.error_message().find("no-such-entity"), std::string::npos);
  }

  RunResult removed = Wwctl({"watchlist", "remove", "khurelsukh"});
  ASSERT_EQ(removed.exit_code, 0) << removed.out;
  want.erase("khurelsukh");
  EXPECT_EQ(Ids(Export()), want);

  // A new story naming him and Putin: Putin's alert proves it was processed, his is gone.
  const size_t before = CountFor(sub.alerts(), "khurelsukh");
  const size_t putin_before = CountFor(sub.alerts(), "vladimir-putin");
  SubmitText("summit.txt", "Khurelsukh and Vladimir Putin signed a gas pipeline accord.");
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (CountFor(sub.alerts(), "vladimir-putin") == putin_before && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_GT(CountFor(sub.alerts(), "vladimir-putin"), putin_before);
  EXPECT_EQ(CountFor(sub.alerts(), "khurelsukh"), before) << "a removed entity still alerts";

  // Round trip: export, apply the export, export again: the same text.
  RunResult first = Wwctl({"watchlist", "export"});
  ASSERT_EQ(first.exit_code, 0) << first.out;
  RunResult reapplied = Wwctl({"watchlist", "apply", Write("export.yaml", first.out)});
  ASSERT_EQ(reapplied.exit_code, 0) << reapplied.out;
  EXPECT_NE(reapplied.out.find("0 removed"), std::string::npos) << reapplied.out;
  RunResult second = Wwctl({"watchlist", "export"});
  ASSERT_EQ(second.exit_code, 0);
  EXPECT_EQ(second.out, first.out);

  // --output json: one entity a line.
  RunResult json = Wwctl({"watchlist", "export", "--output", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.out;
  EXPECT_EQ(static_cast<size_t>(std::count(json.out.begin(), json.out.end(), '\n')), want.size());
  EXPECT_NE(json.out.find("\"case_sensitive\":true"), std::string::npos) << json.out;
}

}  // namespace
}  // namespace ww
