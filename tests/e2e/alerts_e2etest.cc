// Alert rules and subscriptions end to end: resuming with a cursor, tenants and tokens,
// and one story carried by fifty outlets.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/kafka/admin.h"
#include "tests/support/pipeline.h"
#include "tests/support/process.h"
#include "ww/v1/ingest.grpc.pb.h"

namespace ww {
namespace {

using ::ww::testing::PipelineTest;
using ::ww::testing::Subscriber;

std::string WriteTemp(const std::string& name, const std::string& content) {
  std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << content;
  return path;
}

TEST_F(PipelineTest, ASubscriberThatResumesWithItsCursorMissesNothingAndSeesNothingTwice) {
  ASSERT_EQ(Wwctl({"watchlist", "apply", Sample("watchlist.yaml")}).exit_code, 0);
  std::set<std::string> first_ids;
  std::string cursor;
  {
    Subscriber sub(addr_["alerter"]);
    Submit("kim-train.txt", "https://news.example/kim");
    ASSERT_TRUE(sub.WaitForCount(4, absl::Seconds(60)));
    for (const auto& a : sub.alerts()) first_ids.insert(a.id());
    cursor = sub.alerts().back().cursor();
    ASSERT_FALSE(cursor.empty());
  }  // disconnected

  // Raised while nobody listened: Korean story (4 alerts) and Russian one (2).
  Submit("pyongyang-ko.txt", "https://news.example/ko");
  Submit("vladivostok-forum-ru.txt", "https://news.example/ru");
  auto missed = Wwctl({"alerts", "list", "--since", "1h", "--output", "json"});
  ASSERT_EQ(missed.exit_code, 0) << missed.out;

  // Resumed through SubscribeBatched: a cursor from either RPC serves the other, and the
  // replay and the live stream go out in batches.
  ww::v1::SubscribeRequest resume;
  resume.set_cursor(cursor);
  Subscriber again(addr_["alerter"], resume, "", /*batched=*/true);
  ASSERT_TRUE(again.WaitForCount(6, absl::Seconds(60))) << again.alerts().size();
  absl::SleepFor(absl::Seconds(2));  // anything more would be a repeat
  std::vector<ww::v1::Alert> got = again.alerts();
  ASSERT_EQ(got.size(), 6u);
  std::set<std::string> urls;
  for (const auto& a : got) {
    EXPECT_FALSE(first_ids.count(a.id())) << "seen before the disconnect: " << a.id();
    urls.insert(a.url());
  }
  EXPECT_EQ(urls, (std::set<std::string>{"https://news.example/ko", "https://news.example/ru"}));

  // And then the live stream goes on.
  Submit("kim-train.txt", "https://other.example/kim-copy", "second-outlet");
  ASSERT_TRUE(again.WaitForCount(10, absl::Seconds(60)));
  std::vector<ww::v1::Alert> all = again.alerts();
  for (size_t i = 6; i < all.size(); ++i) {
    const ww::v1::Alert& update = all[i];
    EXPECT_TRUE(first_ids.count(update.id())) << "a copy updates the first story's alerts";
    EXPECT_EQ(update.version(), 2);
    EXPECT_EQ(update.outlet_count(), 2);
  }

  // A cursor that is not one is refused clearly.
  ww::v1::SubscribeRequest bad;
  bad.set_cursor("yesterday");
  Subscriber refused(addr_["alerter"], bad);
  EXPECT_EQ(refused.Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(PipelineTest, ACursorOlderThanTheAlertsTopicKeepsGetsOutOfRangeNotSilence) {
  ASSERT_EQ(Wwctl({"watchlist", "apply", Sample("watchlist.yaml")}).exit_code, 0);
  std::string first_cursor;
  {
    Subscriber sub(addr_["alerter"]);
    Submit("kim-train.txt", "https://news.example/kim");
    ASSERT_TRUE(sub.WaitForCount(4, absl::Seconds(60)));
    first_cursor = sub.alerts().front().cursor();
  }
  // Retention removes old records; here every record written so far goes at once. Alerts
  // came after the first one, so its cursor now points before the start of a partition.
  const std::string topic = prefix_ + "alerts";
  auto marks = kafka::Watermarks(client_, topic);
  ASSERT_TRUE(marks.ok()) << marks.status();
  std::string partitions;
  for (size_t p = 0; p < marks->size(); ++p) {
    absl::StrAppend(&partitions, p ? "," : "", "{\"topic\":\"", topic, "\",\"partition\":", p,
                    ",\"offset\":", (*marks)[p].second, "}");
  }
  const std::string offsets = WriteTemp(absl::StrCat("ww-e2e-delete-", prefix_, "json"),
                                        "{\"version\":1,\"partitions\":[" + partitions + "]}");
  auto deleted =
      testing::Run({src_ + "/tools/dev/kafka", "run", "org.apache.kafka.tools.DeleteRecordsCommand",
                    "--bootstrap-server", client_.bootstrap_servers, "--offset-json-file", offsets},
                   absl::Seconds(120));
  ASSERT_EQ(deleted.exit_code, 0) << deleted.out;

  ww::v1::SubscribeRequest resume;
  resume.set_cursor(first_cursor);
  auto stub = ww::v1::AlertService::NewStub(
      grpc::CreateChannel(addr_["alerter"], grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;  // silence would end in DEADLINE_EXCEEDED
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto stale = stub->Subscribe(&ctx, resume);
  int received = 0;
  for (ww::v1::Alert a; stale->Read(&a);) ++received;
  grpc::Status status = stale->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE) << status.error_message();
  EXPECT_NE(status.error_message().find("older than the alerts topic keeps"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(received, 0);

  // Without a cursor the same subscriber is welcome.
  Subscriber fresh(addr_["alerter"]);
  Submit("vladivostok-forum-ru.txt", "https://news.example/ru");
  EXPECT_TRUE(fresh.WaitForCount(1, absl::Seconds(60)));
}

class TenantTest : public PipelineTest {
 protected:
  TenantTest() {
    extra_args_["alerter"] = {
        "--tokens_file=" + WriteTemp("ww-e2e-tokens", "tok-a desk-a\ntok-b desk-b\n"),
        "--implicit_entity_rules=false"};
  }
};

TEST_F(TenantTest, ATenantSeesAndManagesOnlyItsOwnRulesAndAlerts) {
  ASSERT_EQ(Wwctl({"watchlist", "apply", Sample("watchlist.yaml")}).exit_code, 0);
  auto a =
      Wwctl({"rules", "apply", "--token", "tok-a",
             WriteTemp("ww-e2e-rules-a.yaml",
                       "rules:\n  - id: summit\n    when: {all: [kim-jong-un, vladimir-putin]}\n"
                       "    severity: high\n")});
  ASSERT_EQ(a.exit_code, 0) << a.out;
  auto b =
      Wwctl({"rules", "apply", "--token", "tok-b",
             WriteTemp("ww-e2e-rules-b.yaml", "rules:\n  - id: port\n    when: vladivostok\n")});
  ASSERT_EQ(b.exit_code, 0) << b.out;
  auto list_a = Wwctl({"rules", "list", "--token", "tok-a", "--output", "json"});
  EXPECT_NE(list_a.out.find("\"summit\""), std::string::npos);
  EXPECT_EQ(list_a.out.find("\"port\""), std::string::npos) << "desk-a must not see desk-b's rule";
  EXPECT_NE(Wwctl({"rules", "list", "--token", "wrong"}).exit_code, 0);

  Subscriber sub_a(addr_["alerter"], {}, "tok-a");
  Subscriber sub_b(addr_["alerter"], {}, "tok-b");
  Subscriber nobody(addr_["alerter"], {}, "wrong");
  EXPECT_EQ(nobody.Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  Subscriber anonymous(addr_["alerter"]);
  EXPECT_EQ(anonymous.Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);

  Submit("kim-train.txt", "https://news.example/kim");
  ASSERT_TRUE(sub_a.WaitForCount(1, absl::Seconds(60)));
  ASSERT_TRUE(sub_b.WaitForCount(1, absl::Seconds(60)));
  absl::SleepFor(absl::Seconds(2));
  ASSERT_EQ(sub_a.alerts().size(), 1u);
  EXPECT_EQ(sub_a.alerts()[0].rule_id(), "summit");
  EXPECT_EQ(sub_a.alerts()[0].owner(), "desk-a");
  EXPECT_EQ(sub_a.alerts()[0].severity(), "high");
  ASSERT_EQ(sub_b.alerts().size(), 1u);
  EXPECT_EQ(sub_b.alerts()[0].rule_id(), "port");
  EXPECT_EQ(sub_b.alerts()[0].owner(), "desk-b");
}

class TlsTest : public PipelineTest {
 protected:
  TlsTest() {
    const auto dir = std::filesystem::temp_directory_path() / "ww-e2e-tls";
    std::filesystem::create_directories(dir);
    cert_ = (dir / "cert.pem").string();
    const std::string key = (dir / "key.pem").string();
    const std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "
        "subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
        key + " -out " + cert_ + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make a test certificate";
    for (const char* s : {"ingestor", "deduper", "tagger", "alerter"}) {
      extra_args_[s] = {"--tls_cert_file=" + cert_, "--tls_key_file=" + key};
    }
    wwctl_args_ = {"--ca-file=" + cert_};
  }
  std::string cert_;
};

TEST_F(TlsTest, ServicesSpeakTlsWhenGivenACertificateAndRefusePlaintext) {
  // SetUp's `wwctl status --wait` already reached all four over TLS.
  ASSERT_EQ(Wwctl({"watchlist", "apply", Sample("watchlist.yaml")}).exit_code, 0);
  Submit("vladivostok-forum-ru.txt", "https://news.example/ru");
  auto tail = Wwctl({"alerts", "tail", "--limit", "1", "--timeout", "60s", "--output", "json"});
  EXPECT_EQ(tail.exit_code, 0) << tail.out;
  EXPECT_NE(tail.out.find("\"rule_id\":\"mention:"), std::string::npos) << tail.out;

  wwctl_args_.clear();  // a plaintext client
  auto plain = Wwctl({"status"});
  EXPECT_NE(plain.exit_code, 0) << "plaintext must not reach a TLS server: " << plain.out;
}

TEST_F(PipelineTest, FiftyOutletsCarryingOneStoryRaiseOneAlertUpdatedToFiftyOutlets) {
  ASSERT_EQ(Wwctl({"watchlist", "apply", Sample("watchlist.yaml")}).exit_code, 0);
  ww::v1::SubscribeRequest only_kim;
  only_kim.mutable_filter()->add_entity_ids("kim-jong-un");
  Subscriber sub(addr_["alerter"], only_kim);
  std::ifstream in(Sample("articles/kim-train.txt"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto ingest = ww::v1::IngestService::NewStub(
      grpc::CreateChannel(addr_["ingestor"], grpc::InsecureChannelCredentials()));
  for (int i = 1; i <= 50; ++i) {
    ww::v1::SubmitRequest req;
    req.set_title("Kim's train crosses into Russia");
    req.set_text(text);
    req.set_source(absl::StrCat("outlet-", i));
    req.set_url(absl::StrCat("https://outlet-", i, ".example/world/kim"));
    grpc::ClientContext ctx;
    ww::v1::SubmitResponse resp;
    ASSERT_TRUE(ingest->Submit(&ctx, req, &resp).ok());
  }
  absl::Time deadline = absl::Now() + absl::Seconds(90);
  int64_t outlets = 0;
  while (outlets < 50 && absl::Now() < deadline) {
    for (const auto& a : sub.alerts()) outlets = std::max(outlets, a.outlet_count());
    absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_EQ(outlets, 50);
  std::set<std::string> ids;
  int64_t last_version = 0;
  for (const auto& a : sub.alerts()) {
    ids.insert(a.id());
    EXPECT_GT(a.version(), last_version) << "updates arrive in order, none twice";
    last_version = a.version();
  }
  EXPECT_EQ(ids.size(), 1u) << "one story, one alert";
  std::vector<ww::v1::Alert> received = sub.alerts();
  const ww::v1::Alert& final = received.back();
  // Copies may reach the alerter before the first one is tagged: then the alert is raised
  // already knowing them (version 1), else it is updated; either way one alert, 50 outlets.
  EXPECT_EQ(final.outlet_count(), 50);
  std::set<std::string> names(final.outlets().begin(), final.outlets().end());
  EXPECT_EQ(names.size(), 50u);
  EXPECT_TRUE(names.count("outlet-1") && names.count("outlet-50"));
}

// Issue 13, as a desk saw it: one wire story reprinted by five outlets, each with its own
// header line and footer, submitted through `wwctl submit`. Every rule fires once, and its
// alert is updated copy by copy to version 5 with five outlets.
// Once dead-lettered (its tagged record was over 1 MB): an article that names someone
// 20,000 times alerts, and the alert says how often.
TEST_F(PipelineTest, AnArticleThatNamesSomeone20000TimesStillAlerts) {
  ASSERT_EQ(Wwctl({"watchlist", "apply", Sample("watchlist.yaml")}).exit_code, 0);
  Subscriber sub(addr_["alerter"]);
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "Kim Jong Un waved. ";
  const std::string path = WriteTemp(absl::StrCat("ww_20000_", getpid(), ".txt"), text);
  auto submitted = Wwctl({"submit", "--source", "loud", "--url", "https://loud.example/kim",
                          "--title", "Waving", path});
  std::filesystem::remove(path);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out;
  ASSERT_TRUE(sub.WaitForEntities({"kim-jong-un"}, absl::Seconds(60)));
  const ww::v1::Alert a = sub.alerts().front();
  EXPECT_EQ(a.mention_count(), 20000);
  EXPECT_LE(a.mentions_size(), 50);
}

TEST_F(PipelineTest, FiveOutletsWithTheirOwnHeaderAndFooterRaiseOneAlertPerRule) {
  ASSERT_EQ(Wwctl({"watchlist", "apply", Sample("watchlist.yaml")}).exit_code, 0);
  Subscriber sub(addr_["alerter"]);
  std::ifstream in(Sample("articles/kim-train.txt"));
  const std::string story((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (int i = 1; i <= 5; ++i) {
    const std::string path = WriteTemp(
        absl::StrCat("ww_outlet_copy_", getpid(), "_", i, ".txt"),
        absl::StrCat("Outlet ", i, " edition\n\n", story, "\n\nCopyright outlet ", i, "\n"));
    auto submitted = Wwctl({"submit", "--source", absl::StrCat("outlet-", i), "--url",
                            absl::StrCat("https://outlet", i, ".example/kim"), "--title",
                            "Kim Jong Un's train headed to Russia", path});
    std::filesystem::remove(path);
    ASSERT_EQ(submitted.exit_code, 0) << submitted.out;
    if (i == 1) {
      // The first copy raises the story's alerts: one per rule that matches.
      ASSERT_TRUE(sub.WaitForCount(3, absl::Seconds(60)));
      ASSERT_TRUE(sub.WaitUntil(
          [](const std::vector<ww::v1::Alert>& got) {
            std::set<std::string> entities;
            for (const auto& a : got) entities.insert(a.entity_id());
            return entities.count("kim-jong-un") && entities.count("vladivostok") &&
                   entities.count("vladimir-putin");
          },
          absl::Seconds(60)));
    }
    // Each copy updates every alert of the story to `i` outlets before the next arrives.
    ASSERT_TRUE(sub.WaitUntil(
        [&](const std::vector<ww::v1::Alert>& got) {
          std::map<std::string, int64_t> outlets;
          for (const auto& a : got) outlets[a.id()] = std::max(outlets[a.id()], a.outlet_count());
          for (const auto& [id, n] : outlets) {
            if (n < i) return false;
          }
          return true;
        },
        absl::Seconds(60)))
        << "copy " << i << " did not reach every alert of the story";
  }
  std::map<std::string, ww::v1::Alert> latest;
  for (const auto& a : sub.alerts()) {
    auto [it, added] = latest.emplace(a.id(), a);
    if (!added) {
      EXPECT_GT(a.version(), it->second.version()) << "updates in order, none twice";
      it->second = a;
    }
  }
  std::set<std::string> rules;
  for (const auto& [id, a] : latest) {
    EXPECT_TRUE(rules.insert(a.rule_id()).second) << "a second alert for rule " << a.rule_id();
  }
  EXPECT_GE(rules.size(), 3u);
  for (const auto& [id, a] : latest) {
    EXPECT_EQ(a.version(), 5) << a.rule_id();
    EXPECT_EQ(a.outlet_count(), 5) << a.rule_id();
    std::set<std::string> names(a.outlets().begin(), a.outlets().end());
    EXPECT_EQ(names,
              (std::set<std::string>{"outlet-1", "outlet-2", "outlet-3", "outlet-4", "outlet-5"}));
  }
}

}  // namespace
}  // namespace ww
