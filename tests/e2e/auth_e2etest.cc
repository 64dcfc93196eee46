// Who may do what, end to end: every service (the notifier included) started with one tokens
// file (hashes only), each API refusing calls without a token or with the wrong role, and
// tokens added to the file taking effect without a restart.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/rpc/auth.h"
#include "nlohmann/json.hpp"
#include "tests/support/pipeline.h"

namespace ww {
namespace {

using ::ww::testing::PipelineTest;
using ::ww::testing::RunResult;
using ::ww::testing::Subscriber;

// What wwctl said, on either stream.
bool Has(const RunResult& r, const std::string& what) {
  return r.out.find(what) != std::string::npos || r.err.find(what) != std::string::npos;
}

class AuthTest : public PipelineTest {
 protected:
  AuthTest() {
    // Two tenants; each token is made here and only its hash goes to the file.
    const std::vector<std::tuple<std::string, std::string, std::string>> who = {
        {"editor-a", "desk-a", "editor"},
        {"editor-b", "desk-b", "editor"},
        {"subscriber-a", "desk-a", "subscriber"},
        {"subscriber-b", "desk-b", "subscriber"},
        {"submitter", "wire", "submitter"}};
    std::string lines = "# e2e tokens: hashes only\n";
    for (const auto& [name, tenant, role] : who) {
      token_[name] = rpc::NewToken();
      absl::StrAppend(&lines, rpc::HashToken(token_[name]), " ", tenant, " ", role, "\n");
    }
    tokens_file_ = (std::filesystem::temp_directory_path() /
                    absl::StrCat("ww-e2e-auth-", ::getpid(), ".tokens"))
                       .string();
    std::ofstream(tokens_file_, std::ios::trunc) << lines;
    for (const char* service : {"ingestor", "deduper", "tagger", "alerter", "notifier"}) {
      extra_args_[service] = {"--tokens_file=" + tokens_file_};
    }
    // Only the tenants' own rules: implicit rules belong to the tenant "default".
    extra_args_["alerter"].push_back("--implicit_entity_rules=false");
    // Per-tenant limits, small enough to reach: 8 entities (the sample watchlist has 7), two
    // submits at once and then one every 100 s.
    extra_args_["tagger"].push_back("--tenant_max_entities=8");
    extra_args_["ingestor"].push_back("--tenant_max_feeds=1");
    extra_args_["ingestor"].push_back("--tenant_submit_rate=0.01");
    extra_args_["ingestor"].push_back("--tenant_submit_burst=2");
  }
  ~AuthTest() override { std::filesystem::remove(tokens_file_); }
  void SetUp() override {
    PipelineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    StartService("notifier");  // its DestinationService is a tenant's API too
  }

  RunResult As(const std::string& who, std::vector<std::string> args) {
    args.push_back("--token=" + token_.at(who));
    return Wwctl(std::move(args));
  }
  std::string Rules(const std::string& name, const std::string& body) {
    std::string path = (std::filesystem::temp_directory_path() /
                        absl::StrCat("ww-e2e-auth-", name, ::getpid(), ".yaml"))
                           .string();
    std::ofstream(path, std::ios::trunc) << body;
    return path;
  }

  std::map<std::string, std::string> token_;
  std::string tokens_file_;
};

TEST_F(AuthTest, EveryServiceAsksForATokenAndARoleThatMayCallTheMethod) {
  // The file the services read holds no token in clear.
  std::stringstream file;
  file << std::ifstream(tokens_file_).rdbuf();
  for (const auto& [name, token] : token_) {
    EXPECT_EQ(file.str().find(token), std::string::npos) << name << "'s token is in the file";
  }

  // No token: every service's API answers UNAUTHENTICATED (health stays open: SetUp's
  // `wwctl status --wait` saw every service ready).
  const std::string watchlist = Sample("watchlist.yaml");
  const std::string article = Sample("articles/kim-train.txt");
  for (const std::vector<std::string>& call : std::vector<std::vector<std::string>>{
           {"watchlist", "apply", watchlist},                          // tagger
           {"watchlist", "list"},                                      // tagger
           {"submit", "--url", "https://news.example/anon", article},  // ingestor
           {"feeds", "list"},                                          // ingestor
           {"rules", "list"},                                          // alerter
           {"alerts", "list", "--since", "1h"},                        // alerter
           {"destinations", "list"}}) {                                // notifier
    RunResult r = Wwctl(call);
    EXPECT_NE(r.exit_code, 0) << absl::StrJoin(call, " ") << ": " << r.out;
    EXPECT_TRUE(Has(r, "no token")) << absl::StrJoin(call, " ") << ": " << r.out;
  }
  Subscriber anonymous(addr_["alerter"]);
  EXPECT_EQ(anonymous.Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  RunResult guessed = Wwctl({"watchlist", "list", "--token", "ww_guess"});
  EXPECT_TRUE(Has(guessed, "unknown token")) << guessed.out;

  // The wrong role: PERMISSION_DENIED, naming the role that would do.
  RunResult sub_apply = As("subscriber-a", {"watchlist", "apply", watchlist});
  EXPECT_NE(sub_apply.exit_code, 0);
  EXPECT_TRUE(Has(sub_apply, "needs role editor")) << sub_apply.out;
  RunResult submitter_rules =
      As("submitter", {"rules", "apply", Rules("x", "rules:\n  - id: x\n    when: vladivostok\n")});
  EXPECT_TRUE(Has(submitter_rules, "needs role editor")) << submitter_rules.out;
  RunResult editor_submit =
      As("editor-a", {"submit", "--url", "https://news.example/editor", article});
  EXPECT_TRUE(Has(editor_submit, "needs role submitter")) << editor_submit.out;

  // The right roles: each tenant's editor sets its tenant's watchlist and rules, the
  // submitter submits, each tenant's subscriber receives its own tenant's alert only.
  RunResult applied = As("editor-a", {"watchlist", "apply", watchlist});
  ASSERT_EQ(applied.exit_code, 0) << applied.out;
  const RunResult listed_a = As("editor-a", {"watchlist", "list", "--output", "json"});
  ASSERT_EQ(listed_a.exit_code, 0);
  ASSERT_TRUE(Has(listed_a, "\"kim-jong-un\"")) << listed_a.out;
  // desk-b's own watchlist (apply replaces the tenant's entities, and only the tenant's).
  RunResult applied_b =
      As("editor-b", {"watchlist", "apply",
                      Rules("wl-b",
                            "entities:\n  - id: vladivostok\n    name: Vladivostok\n"
                            "    kind: place\n    aliases: [Vladivostok]\n")});
  ASSERT_EQ(applied_b.exit_code, 0) << applied_b.out;
  const RunResult listed_b = As("editor-b", {"watchlist", "list", "--output", "json"});
  EXPECT_TRUE(Has(listed_b, "\"vladivostok\"")) << listed_b.out;
  EXPECT_FALSE(Has(listed_b, "kim-jong-un")) << "desk-b sees desk-a's entities: " << listed_b.out;
  EXPECT_EQ(As("editor-a", {"watchlist", "list", "--output", "json"}).out, listed_a.out)
      << "desk-b's apply changed desk-a's watchlist";
  RunResult removed = As("editor-b", {"watchlist", "remove", "kim-jong-un"});
  EXPECT_NE(removed.exit_code, 0) << "desk-b removed desk-a's entity";
  ASSERT_EQ(As("editor-a", {"rules", "apply",
                            Rules("a",
                                  "rules:\n  - id: summit\n    when: {all: [kim-jong-un, "
                                  "vladimir-putin]}\n")})
                .exit_code,
            0);
  ASSERT_EQ(As("editor-b",
               {"rules", "apply", Rules("b", "rules:\n  - id: port\n    when: vladivostok\n")})
                .exit_code,
            0);
  Subscriber sub_a(addr_["alerter"], {}, token_["subscriber-a"]);
  Subscriber sub_b(addr_["alerter"], {}, token_["subscriber-b"]);
  RunResult submitted = As("submitter", {"submit", "--title", "Kim's train", "--url",
                                         "https://news.example/kim", article});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out;
  ASSERT_TRUE(sub_a.WaitForCount(1, absl::Seconds(60)));
  ASSERT_TRUE(sub_b.WaitForCount(1, absl::Seconds(60)));
  EXPECT_EQ(sub_a.alerts()[0].owner(), "desk-a");
  EXPECT_EQ(sub_a.alerts()[0].rule_id(), "summit");
  EXPECT_EQ(sub_b.alerts()[0].owner(), "desk-b");
  EXPECT_EQ(sub_b.alerts()[0].rule_id(), "port");

  // Destinations: a subscriber may not set them; desk-a's are not desk-b's to see or remove.
  // (Their filter admits no alert of this test: nothing is sent.)
  const std::string hooks = Rules("hooks",
                                  "destinations:\n  - id: desk-a-hook\n    type: webhook\n"
                                  "    url: https://hooks.example/desk-a\n"
                                  "    rules: [no-such-rule]\n");
  RunResult sub_dest = As("subscriber-a", {"destinations", "apply", hooks});
  EXPECT_TRUE(Has(sub_dest, "needs role editor")) << sub_dest.err;
  RunResult dest = As("editor-a", {"destinations", "apply", hooks});
  ASSERT_EQ(dest.exit_code, 0) << dest.err;
  EXPECT_TRUE(Has(As("editor-a", {"destinations", "list"}), "desk-a-hook"));
  EXPECT_FALSE(Has(As("editor-b", {"destinations", "list"}), "desk-a-hook"));
  EXPECT_NE(As("editor-b", {"destinations", "remove", "desk-a-hook"}).exit_code, 0);
  RunResult dest_b = As("editor-b", {"destinations", "apply",
                                     Rules("hooks-b",
                                           "destinations:\n  - id: desk-b-hook\n"
                                           "    type: webhook\n"
                                           "    url: https://hooks.example/desk-b\n"
                                           "    rules: [no-such-rule]\n")});
  ASSERT_EQ(dest_b.exit_code, 0) << dest_b.err;
  EXPECT_TRUE(Has(As("editor-a", {"destinations", "list"}), "desk-a-hook"))
      << "desk-b's apply removed desk-a's destination";

  // Feeds: desk-a's feed is not desk-b's to see or remove.
  RunResult feed = As("editor-a", {"feeds", "add", "https://feeds.example/desk-a.xml"});
  ASSERT_EQ(feed.exit_code, 0) << feed.err;
  EXPECT_TRUE(Has(As("editor-a", {"feeds", "list"}), "feeds.example/desk-a.xml"));
  EXPECT_FALSE(Has(As("editor-b", {"feeds", "list"}), "desk-a.xml"));
  EXPECT_NE(As("editor-b", {"feeds", "remove", "https://feeds.example/desk-a.xml"}).exit_code, 0);
  EXPECT_TRUE(Has(As("editor-a", {"feeds", "list"}), "feeds.example/desk-a.xml"));
  RunResult second_feed = As("editor-a", {"feeds", "add", "https://feeds.example/more.xml"});
  EXPECT_TRUE(Has(second_feed, "tenant desk-a would have 2 feeds")) << second_feed.err;

  // Limits: a ninth entity for desk-b (it has one), a third article at once for the wire.
  std::string nine = "entities:\n";
  for (int i = 0; i < 9; ++i) absl::StrAppend(&nine, "  - {id: town-", i, ", name: Town", i, "}\n");
  RunResult too_many = As("editor-b", {"watchlist", "add", Rules("nine", nine)});
  EXPECT_NE(too_many.exit_code, 0);
  EXPECT_TRUE(Has(too_many, "tenant desk-b would have 10 watchlist entities")) << too_many.err;
  EXPECT_EQ(As("submitter", {"submit", "--url", "https://news.example/2", article}).exit_code, 0);
  RunResult third = As("submitter", {"submit", "--url", "https://news.example/3", article});
  EXPECT_NE(third.exit_code, 0);
  EXPECT_TRUE(Has(third, "tenant wire submits more than")) << third.err;

  // The audit has each change, refused ones too: who (tenant, token id, role), what, from
  // where, how it ended; no token.
  std::map<std::string, std::vector<int>> changes;  // "tenant method" -> status codes
  RunResult audit = Wwctl({"audit", "--since", "1h", "--output", "json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  for (const auto& [name, token] : token_) {
    EXPECT_EQ(audit.out.find(token), std::string::npos) << name << "'s token is in the audit";
  }
  for (absl::string_view line : absl::StrSplit(audit.out, '\n', absl::SkipEmpty())) {
    const nlohmann::json r = nlohmann::json::parse(line);
    changes[r.value("tenant", "") + " " + r.value("method", "")].push_back(r.value("code", 0));
    EXPECT_FALSE(r.value("peer", "").empty()) << line;
    const std::string who = r.value("tenant", "") == "desk-a" ? "editor-a" : "editor-b";
    EXPECT_EQ(r.value("token_id", ""), rpc::HashToken(token_.at(who)).substr(0, 19)) << line;
    EXPECT_EQ(r.value("role", ""), "editor") << line;
  }
  const int exhausted = static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(changes, (std::map<std::string, std::vector<int>>{
                         {"desk-a /ww.v1.WatchlistService/PutEntities", {0}},
                         {"desk-a /ww.v1.RuleService/PutRules", {0}},
                         {"desk-a /ww.v1.IngestService/AddFeed", {0, exhausted}},
                         {"desk-b /ww.v1.IngestService/RemoveFeed",
                          {static_cast<int>(grpc::StatusCode::NOT_FOUND)}},
                         {"desk-b /ww.v1.WatchlistService/PutEntities", {0, exhausted}},
                         {"desk-b /ww.v1.RuleService/PutRules", {0}},
                         {"desk-a /ww.v1.DestinationService/PutDestinations", {0}},
                         {"desk-b /ww.v1.DestinationService/PutDestinations", {0}}}))
      << audit.out;

  // A token added to the file works without a restart; removing it revokes it.
  RunResult created = Wwctl(
      {"tokens", "create", "--tenant", "desk-c", "--role", "subscriber", "--file", tokens_file_});
  ASSERT_EQ(created.exit_code, 0) << created.out;
  std::vector<std::string> out_lines = absl::StrSplit(created.out, '\n', absl::SkipEmpty());
  ASSERT_FALSE(out_lines.empty());
  const std::string fresh = out_lines.back();
  ASSERT_EQ(fresh.substr(0, 3), "ww_") << created.out;
  bool accepted = false;
  for (const absl::Time until = absl::Now() + absl::Seconds(30);
       !accepted && absl::Now() < until;) {
    accepted = Wwctl({"alerts", "list", "--since", "1h", "--token", fresh}).exit_code == 0;
  }
  EXPECT_TRUE(accepted) << "the alerter did not take the new token within 30 s";
}

}  // namespace
}  // namespace ww
