#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/alerter/alert_hub.h"
#include "services/alerter/alert_service.h"
#include "services/alerter/alert_stage.h"
#include "services/alerter/cursor.h"
#include "ww/v1/records.pb.h"

namespace ww::services {
namespace {

ww::v1::Mention Mention(const std::string& entity, uint32_t start) {
  ww::v1::Mention m;
  m.set_entity_id(entity);
  m.set_entity_name(entity + " name");
  m.set_alias(entity);
  m.set_field("text");
  m.set_start(start);
  m.set_end(start + static_cast<uint32_t>(entity.size()));
  m.set_text(entity);
  m.set_snippet("... " + entity + " ...");
  return m;
}

// A new report as the deduper describes it: the first of its copy cluster, in `story` (its
// own by default), which now has `outlets` and `reports`.
kafka::Record Tagged(const std::string& id, const std::string& source, std::string story = "",
                     std::vector<std::string> outlets = {}, uint32_t reports = 1) {
  if (story.empty()) story = id;
  if (outlets.empty()) outlets = {source};
  ww::v1::TaggedArticle t;
  t.mutable_article()->set_id(id);
  t.mutable_article()->set_cluster_id(id);
  t.mutable_article()->add_cluster_sources(source);
  t.mutable_article()->set_cluster_articles(1);
  t.mutable_article()->set_story_id(story);
  for (const auto& o : outlets) t.mutable_article()->add_story_sources(o);
  t.mutable_article()->set_story_source_count(static_cast<uint32_t>(outlets.size()));
  t.mutable_article()->set_story_reports(reports);
  t.mutable_article()->set_story_articles(static_cast<uint32_t>(outlets.size()));
  t.mutable_article()->set_url("https://" + source + "/" + id);
  t.mutable_article()->set_source(source);
  t.mutable_article()->set_title("Kim meets Putin");
  t.mutable_article()->set_text("kim met putin, and kim smiled");
  *t.add_mentions() = Mention("kim", 0);
  *t.add_mentions() = Mention("putin", 8);
  *t.add_mentions() = Mention("kim", 19);
  return {"tagged", 0, 0, id, t.SerializeAsString(), false, {}, 0};
}

// A copy of the report `cluster` (whose story is the cluster's own), carried so far by
// `outlets` (this one's last), as the deduper writes it.
kafka::Record Copy(const std::string& cluster, const std::vector<std::string>& outlets) {
  const std::string& source = outlets.back();
  ww::v1::Article a;
  a.set_id(cluster + "-" + source);
  a.set_cluster_id(cluster);
  a.set_duplicate_of(cluster);
  for (const auto& o : outlets) a.add_cluster_sources(o);
  a.set_cluster_articles(static_cast<uint32_t>(outlets.size()));
  a.set_story_id(cluster);
  for (const auto& o : outlets) a.add_story_sources(o);
  a.set_story_source_count(static_cast<uint32_t>(outlets.size()));
  a.set_story_articles(static_cast<uint32_t>(outlets.size()));
  a.set_story_reports(1);
  a.set_source(source);
  a.set_url("https://" + source + "/story");
  return {"dups", 0, 0, a.id(), a.SerializeAsString(), false, {}, 0};
}

std::vector<ww::v1::Alert> Alerts(const absl::StatusOr<std::vector<kafka::OutRecord>>& out) {
  std::vector<ww::v1::Alert> v;
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return v;
  for (const auto& r : *out) {
    EXPECT_EQ(r.topic, "alerts");
    ww::v1::Alert a;
    EXPECT_TRUE(a.ParseFromString(r.value));
    EXPECT_EQ(r.key, a.id());
    v.push_back(a);
  }
  return v;
}

std::shared_ptr<const std::vector<alerting::Rule>> Rules() {
  auto r = alerting::ParseRulesYaml(
      "rules:\n  - id: summit\n    name: Kim meets Putin\n    when: {all: [kim, putin]}\n"
      "    severity: high\n",
      "desk");
  EXPECT_TRUE(r.ok());
  return std::make_shared<const std::vector<alerting::Rule>>(*r);
}

TEST(AlertStage, RuleAlertExplainsItself) {
  AlertStage stage({"alerts", "tagged", "dups", false}, Rules);
  auto alerts = Alerts(stage.Process(Tagged("a1", "wire")));
  ASSERT_EQ(alerts.size(), 1u);
  const ww::v1::Alert& a = alerts[0];
  EXPECT_EQ(a.rule_id(), "summit");
  EXPECT_EQ(a.rule_name(), "Kim meets Putin");
  EXPECT_EQ(a.owner(), "desk");
  EXPECT_EQ(a.severity(), "high");
  EXPECT_EQ(a.why(), "all of [kim (2), putin (1)]");
  EXPECT_EQ(a.mentions_size(), 3);
  EXPECT_EQ(a.entity_ids_size(), 2);
  EXPECT_EQ(a.snippet(), "... «kim» ...");
  EXPECT_EQ(a.version(), 1);
  EXPECT_EQ(a.outlet_count(), 1);
  EXPECT_TRUE(Alerts(stage.Process(Tagged("a1", "wire"))).empty()) << "redelivery: nothing new";
}

TEST(AlertStage, ImplicitRulesGiveOneAlertPerMentionedEntity) {
  AlertStage stage({"alerts", "tagged", "dups", true}, nullptr);
  auto alerts = Alerts(stage.Process(Tagged("a1", "wire")));
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].rule_id(), "mention:kim");
  EXPECT_EQ(alerts[0].owner(), "default");
  EXPECT_EQ(alerts[1].rule_id(), "mention:putin");
}

TEST(AlertStage, FiftyOutletsOneAlertUpdated) {
  AlertStage stage({"alerts", "tagged", "dups", false}, Rules);
  auto first = Alerts(stage.Process(Tagged("a1", "outlet-1")));
  ASSERT_EQ(first.size(), 1u);
  ww::v1::Alert last;
  std::vector<std::string> outlets = {"outlet-1"};
  for (int i = 2; i <= 50; ++i) {
    outlets.push_back("outlet-" + std::to_string(i));
    auto upd = Alerts(stage.Process(Copy("a1", outlets)));
    ASSERT_EQ(upd.size(), 1u);
    last = upd[0];
  }
  EXPECT_EQ(last.id(), first[0].id());
  EXPECT_EQ(last.version(), 50);
  EXPECT_EQ(last.outlet_count(), 50);
  EXPECT_EQ(last.outlets_size(), 50);
  EXPECT_EQ(last.latest_url(), "https://outlet-50/story");
  EXPECT_EQ(last.why(), first[0].why()) << "an update keeps what the alert said";
}

TEST(AlertStage, RestartRemembersRaisedAlerts) {
  AlertStage before({"alerts", "tagged", "dups", false}, Rules);
  auto out = before.Process(Tagged("a1", "wire"));
  ASSERT_TRUE(out.ok());
  AlertStage after({"alerts", "tagged", "dups", false}, Rules);
  after.Remember({"alerts", 0, 0, (*out)[0].key, (*out)[0].value, false, {}, 0});
  EXPECT_TRUE(Alerts(after.Process(Tagged("a1", "wire"))).empty());
  auto upd = Alerts(after.Process(Copy("a1", {"wire", "paper"})));
  ASSERT_EQ(upd.size(), 1u);
  EXPECT_EQ(upd[0].version(), 2);
}

TEST(AlertStage, AnotherReportOfTheStoryUpdatesTheAlertAndANewStoryRaisesOne) {
  AlertStage stage({"alerts", "tagged", "dups", false}, Rules);
  auto first = Alerts(stage.Process(Tagged("reuters-1", "reuters")));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].story_id(), "reuters-1");
  EXPECT_EQ(first[0].per(), "story");
  EXPECT_EQ(first[0].report_count(), 1);
  // Yonhap's own report of the same event: the deduper put it in reuters-1's story.
  auto second =
      Alerts(stage.Process(Tagged("yonhap-1", "yonhap", "reuters-1", {"reuters", "yonhap"}, 2)));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id(), first[0].id()) << "one alert per rule and story";
  EXPECT_EQ(second[0].version(), 2);
  EXPECT_EQ(second[0].report_count(), 2);
  EXPECT_EQ(second[0].outlet_count(), 2);
  EXPECT_EQ(second[0].latest_url(), "https://yonhap/yonhap-1");
  EXPECT_EQ(second[0].title(), first[0].title()) << "an update keeps what the alert said";
  // Another event about the same people: a story of its own, an alert of its own.
  auto other = Alerts(stage.Process(Tagged("yonhap-2", "yonhap")));
  ASSERT_EQ(other.size(), 1u);
  EXPECT_NE(other[0].id(), first[0].id());
  EXPECT_EQ(other[0].version(), 1);
}

TEST(AlertStage, PerCopyRulesAlertOncePerCopyCluster) {
  auto rules = [] {
    auto r = alerting::ParseRulesYaml(
        "rules:\n  - id: every-report\n    when: {all: [kim]}\n    per: copy\n", "desk");
    EXPECT_TRUE(r.ok());
    return std::make_shared<const std::vector<alerting::Rule>>(*r);
  };
  AlertStage stage({"alerts", "tagged", "dups", false}, rules);
  auto first = Alerts(stage.Process(Tagged("reuters-1", "reuters")));
  auto second =
      Alerts(stage.Process(Tagged("yonhap-1", "yonhap", "reuters-1", {"reuters", "yonhap"}, 2)));
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0].id(), first[0].id()) << "per: copy: each report is its own subject";
  EXPECT_EQ(second[0].per(), "copy");
  EXPECT_EQ(second[0].story_id(), "reuters-1");
  // A copy of the first report grows the first alert only.
  auto copy = Alerts(stage.Process(Copy("reuters-1", {"reuters", "tass"})));
  ASSERT_EQ(copy.size(), 1u);
  EXPECT_EQ(copy[0].id(), first[0].id());
  EXPECT_EQ(copy[0].outlet_count(), 2);
}

TEST(AlertStage, GarbageIsRefused) {
  AlertStage stage({"alerts", "tagged", "dups", true}, nullptr);
  EXPECT_EQ(stage.Process({"tagged", 0, 0, "k", "\x0a\xff", false, {}, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(stage.Process({"dups", 0, 0, "k", "\x0a\xff", false, {}, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

ww::v1::Alert AlertFor(const std::string& id, const std::string& entity,
                       const std::string& owner = "default", const std::string& sev = "info") {
  ww::v1::Alert a;
  a.set_id(id);
  a.set_entity_id(entity);
  a.set_owner(owner);
  a.set_severity(sev);
  return a;
}

TEST(AlertFilter, TenantEntityRuleAndSeverity) {
  AlertFilterSpec f;
  f.tenant = "a";
  EXPECT_TRUE(f.Admits(AlertFor("x", "kim", "a")));
  EXPECT_FALSE(f.Admits(AlertFor("x", "kim", "b"))) << "tenant A never sees tenant B's alert";
  f.entities = {"kim"};
  EXPECT_FALSE(f.Admits(AlertFor("x", "putin", "a")));
  f.min_severity = alerting::Severity::kHigh;
  EXPECT_FALSE(f.Admits(AlertFor("x", "kim", "a", "medium")));
  EXPECT_TRUE(f.Admits(AlertFor("x", "kim", "a", "critical")));
}

TEST(AlertHub, LiveStreamStartsWhereThePositionsSay) {
  AlertHub hub;
  hub.Advance({{0, 5}, {1, 3}});
  std::map<int32_t, int64_t> pos;
  auto s = hub.Subscribe(&pos);
  EXPECT_EQ(pos, (std::map<int32_t, int64_t>{{0, 5}, {1, 3}}));
  hub.Publish(AlertFor("x1", "kim"), 0, 5);
  auto d = s->Next(absl::ZeroDuration());
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->offset, 5);
  std::map<int32_t, int64_t> later;
  hub.Subscribe(&later);
  EXPECT_EQ(later[0], 6);
}

TEST(AlertHub, SlowSubscriberIsCutOffOthersAreNot) {
  AlertHub hub(/*max_queue=*/2);
  std::map<int32_t, int64_t> pos;
  auto slow = hub.Subscribe(&pos);
  auto fast = hub.Subscribe(&pos);
  for (int i = 0; i < 3; ++i) {
    hub.Publish(AlertFor("a" + std::to_string(i), "kim"), 0, i);
    ASSERT_NE(fast->Next(absl::ZeroDuration()), nullptr);
  }
  EXPECT_TRUE(slow->overflowed());
  EXPECT_FALSE(fast->overflowed());
}

TEST(AlertHub, EachAlertIsSerialisedOnceWithTheCursorThatResumesAfterIt) {
  AlertHub hub;
  hub.Advance({{0, 5}, {1, 3}});
  std::map<int32_t, int64_t> pos;
  int woken = 0;
  auto a = hub.Subscribe(&pos, [&] { ++woken; });
  auto b = hub.Subscribe(&pos);
  hub.Publish(AlertFor("x1", "kim"), 1, 3);
  EXPECT_EQ(woken, 1) << "a subscriber is told when an alert waits for it";
  auto da = a->Next(absl::ZeroDuration());
  auto db = b->Next(absl::ZeroDuration());
  ASSERT_NE(da, nullptr);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(da.get(), db.get()) << "one copy shared by every subscriber";
  ww::v1::Alert sent;
  ASSERT_TRUE(sent.ParseFromArray(da->wire.begin(), static_cast<int>(da->wire.size())));
  EXPECT_EQ(sent.id(), "x1");
  EXPECT_EQ(sent.cursor(), "0:5,1:4");
}

TEST(AlertHub, ARepeatedAlertIsMarkedOnlyForThoseWhoHadIt) {
  AlertHub hub;
  std::map<int32_t, int64_t> pos;
  auto early = hub.Subscribe(&pos);
  hub.Publish(AlertFor("x1", "kim"), 0, 0);
  auto late = hub.Subscribe(&pos);
  ww::v1::Alert again = AlertFor("x1", "kim");
  hub.Publish(again, 0, 1);  // the same alert written twice (a replica, a restart)
  ww::v1::Alert update = AlertFor("x1", "kim");
  update.set_version(again.version() + 1);
  hub.Publish(update, 0, 2);

  auto first = early->Next(absl::ZeroDuration());
  auto repeat = early->Next(absl::ZeroDuration());
  auto updated = early->Next(absl::ZeroDuration());
  ASSERT_TRUE(first && repeat && updated);
  EXPECT_FALSE(early->Repeats(*first));
  EXPECT_TRUE(early->Repeats(*repeat));
  EXPECT_FALSE(early->Repeats(*updated)) << "a higher version is news";
  auto late_first = late->Next(absl::ZeroDuration());
  ASSERT_NE(late_first, nullptr);
  EXPECT_EQ(late_first->offset, 1);
  EXPECT_FALSE(late->Repeats(*late_first)) << "it subscribed after the first copy";
}

TEST(AlertHub, ASubscriberIsWokenOnlyWhenItFoundNothingLastTime) {
  AlertHub hub;
  std::map<int32_t, int64_t> pos;
  int woken = 0;
  auto s = hub.Subscribe(&pos, [&] { ++woken; });
  hub.Publish(AlertFor("a0", "kim"), 0, 0);
  EXPECT_EQ(woken, 1);
  // Busy (it has not looked yet): later alerts queue without waking it again.
  for (int i = 1; i < 5; ++i) hub.Publish(AlertFor(absl::StrCat("a", i), "kim"), 0, i);
  EXPECT_EQ(woken, 1);
  std::shared_ptr<const Delivery> d;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(s->TryNext(&d));
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->offset, i);
  }
  ASSERT_TRUE(s->TryNext(&d));
  EXPECT_EQ(d, nullptr) << "all caught up";
  hub.Publish(AlertFor("a5", "kim"), 0, 5);
  EXPECT_EQ(woken, 2) << "it found nothing, so the next alert wakes it";
}

TEST(AlertHub, PublishingNeverWaitsForSubscribersToBeTold) {
  auto owner = std::make_unique<AlertHub>(/*max_queue=*/1000, /*notifiers=*/1);
  AlertHub& hub = *owner;
  std::map<int32_t, int64_t> pos;
  absl::Notification release, entered;
  std::atomic<int> calls{0};
  std::atomic<bool> inside_first{false};
  auto s = hub.Subscribe(&pos, [&] {
    if (calls.fetch_add(1) == 0) {
      inside_first = true;
      entered.Notify();
      release.WaitForNotificationWithTimeout(absl::Seconds(5));  // a stuck write, say
      inside_first = false;
    }
  });
  for (int i = 0; i < 100; ++i) hub.Publish(AlertFor(absl::StrCat("a", i), "kim"), 0, i);
  // Every alert is queued while the subscriber is still being told of the first one.
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_TRUE(inside_first.load()) << "Publish waited for on_ready";
  release.Notify();
  for (int i = 0; i < 100; ++i) {
    auto d = s->Next(absl::Seconds(1));
    ASSERT_NE(d, nullptr) << i;
    EXPECT_EQ(d->offset, i);
  }
  owner.reset();  // joins the notifier: no telling after this, the count is final
  EXPECT_LE(calls.load(), 2) << "told once for everything that arrived while it was busy";
  EXPECT_GE(calls.load(), 1);
}

// One subscriber that acts as a stream does (take everything queued, send it, ask to be
// told again) under one alert every 5 ms for a second; how many times it was told. Every
// alert must arrive, in order.
int ToldUnderASteadyFlow(AlertHub& hub) {
  std::map<int32_t, int64_t> pos;
  absl::Mutex mu;
  std::vector<int64_t> got;
  int told = 0;
  std::shared_ptr<AlertHub::Subscription> s;
  s = hub.Subscribe(&pos, [&] {
    absl::MutexLock lock(&mu);
    ++told;
    std::shared_ptr<const Delivery> d;
    while (s->TryNext(&d) && d) got.push_back(d->offset);
    hub.Rearm(s);
  });
  for (int i = 0; i < 200; ++i) {
    hub.Publish(AlertFor(absl::StrCat("a", i), "kim"), 0, i);
    absl::SleepFor(absl::Milliseconds(5));  // the flow itself, not a wait
  }
  absl::MutexLock lock(&mu);
  auto all_delivered = [&] { return got.size() >= 200; };
  mu.AwaitWithTimeout(absl::Condition(&all_delivered), absl::Seconds(5));
  EXPECT_EQ(got.size(), 200u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], static_cast<int64_t>(i));
  hub.Unsubscribe(s);
  return told;
}

TEST(AlertHub, UnderASteadyFlowASubscriberIsToldAtMostOncePerRound) {
  AlertHub hub(/*max_queue=*/1000, /*notifiers=*/2, /*round=*/absl::Milliseconds(100));
  const int told = ToldUnderASteadyFlow(hub);
  EXPECT_LE(told, 13) << "told at most once per 100 ms round";
  EXPECT_GE(told, 3) << "rounds keep going while alerts flow";
}

// Pacing pays only when many streams share the notifiers: with rounds scaled to 1,000
// subscribers, a lone one is told of each alert as it comes, not once per 100 ms.
TEST(AlertHub, AFewSubscribersAreNotHeldToTheFullRound) {
  AlertHub hub(/*max_queue=*/1000, /*notifiers=*/2, /*round=*/absl::Milliseconds(100),
               /*full_round_at=*/1000);
  EXPECT_GT(ToldUnderASteadyFlow(hub), 50)
      << "a lone subscriber waited for rounds meant for a thousand (the full round: <= 13)";
}

// AlertService on loopback gRPC (port 0), fed straight from `hub`, and a client of it.
struct LoopbackAlertService {
  explicit LoopbackAlertService(AlertHub* hub) : service(hub, {}, "alerts") {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service);
    server = builder.BuildAndStart();
    stub = ww::v1::AlertService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  ~LoopbackAlertService() { server->Shutdown(); }

  AlertServiceImpl service;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<ww::v1::AlertService::Stub> stub;
};

// AlertService.Subscribe over loopback gRPC, fed straight from the hub.
TEST(AlertService, SubscribersGetWhatTheirFilterAdmitsAndASlowOneIsCutOff) {
  AlertHub hub(/*max_queue=*/8);
  LoopbackAlertService loopback(&hub);
  ASSERT_NE(loopback.port, 0);
  auto& stub = loopback.stub;

  grpc::ClientContext fast_ctx, slow_ctx;
  slow_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  ww::v1::SubscribeRequest only_kim;
  only_kim.mutable_filter()->add_entity_ids("kim");
  auto fast = stub->Subscribe(&fast_ctx, only_kim);
  auto slow = stub->Subscribe(&slow_ctx, {});  // reads nothing until the end
  fast->WaitForInitialMetadata();
  slow->WaitForInitialMetadata();
  ASSERT_EQ(hub.subscribers(), 2u);

  absl::Mutex mu;
  std::vector<ww::v1::Alert> got;
  std::thread reader([&] {
    for (ww::v1::Alert a; fast->Read(&a);) {
      absl::MutexLock lock(&mu);
      got.push_back(a);
    }
  });
  // Large alerts fill the slow stream's HTTP/2 window quickly; then its queue overflows.
  const std::string bulk(100000, 'x');
  bool paced = true;
  for (int i = 0; i < 200 && paced; ++i) {
    ww::v1::Alert a = AlertFor(absl::StrCat("a", i), i % 2 ? "putin" : "kim");
    a.set_title(bulk);
    hub.Publish(a, 0, i);
    // Paced by the fast subscriber, so only the slow one falls behind.
    absl::MutexLock lock(&mu);
    auto caught_up = [&] { return got.size() == static_cast<size_t>(i) / 2 + 1; };
    paced = mu.AwaitWithTimeout(absl::Condition(&caught_up), absl::Seconds(10));
  }
  int slow_got = 0;
  for (ww::v1::Alert a; slow->Read(&a);) ++slow_got;
  grpc::Status slow_status = slow->Finish();
  fast_ctx.TryCancel();
  reader.join();
  ASSERT_TRUE(paced) << "the fast subscriber fell behind";
  EXPECT_EQ(slow_status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << slow_status.error_message() << " after " << slow_got << " alerts";
  EXPECT_LT(slow_got, 200);

  EXPECT_EQ(fast->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_EQ(got.size(), 100u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].id(), absl::StrCat("a", 2 * i));
    EXPECT_EQ(got[i].cursor(), absl::StrCat("0:", 2 * i + 1)) << "resumes after this alert";
  }
}

// SubscribeBatched over loopback gRPC: a client that falls behind gets what queued
// meanwhile in few messages, with the same alerts, order and cursors as Subscribe's.
TEST(AlertService, ABatchedSubscriberGetsTheSameAlertsInFewerMessages) {
  // As ww-alerter runs it: notifier threads, paced rounds.
  AlertHub hub(/*max_queue=*/10000, /*notifiers=*/2, /*round=*/absl::Milliseconds(20));
  LoopbackAlertService loopback(&hub);
  ASSERT_NE(loopback.port, 0);
  auto& stub = loopback.stub;

  grpc::ClientContext one_ctx, batch_ctx, bad_ctx;
  auto one = stub->Subscribe(&one_ctx, {});
  ww::v1::SubscribeRequest up_to_50;
  up_to_50.set_max_batch(50);
  auto batched = stub->SubscribeBatched(&batch_ctx, up_to_50);
  one->WaitForInitialMetadata();
  batched->WaitForInitialMetadata();
  ww::v1::SubscribeRequest too_many;
  too_many.set_max_batch(100000);
  auto refused = stub->SubscribeBatched(&bad_ctx, too_many);
  ww::v1::AlertBatch nothing;
  EXPECT_FALSE(refused->Read(&nothing));
  grpc::Status bad = refused->Finish();
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("max_batch"), std::string::npos) << bad.error_message();
  ASSERT_EQ(hub.subscribers(), 2u);

  // 50 kB alerts: the HTTP/2 window of the batched stream, which nobody reads yet, fills
  // after a few, and the rest wait in its queue.
  const int n = 300;
  const std::string bulk(50000, 'x');
  for (int i = 0; i < n; ++i) {
    ww::v1::Alert a = AlertFor(absl::StrCat("a", i), "kim");
    a.set_title(bulk);
    hub.Publish(a, 0, i);
  }
  std::vector<ww::v1::Alert> singles;
  for (ww::v1::Alert a; static_cast<int>(singles.size()) < n && one->Read(&a);)
    singles.push_back(a);
  std::vector<ww::v1::Alert> from_batches;
  int messages = 0, largest = 0;
  for (ww::v1::AlertBatch b; static_cast<int>(from_batches.size()) < n && batched->Read(&b);) {
    ++messages;
    largest = std::max(largest, b.alerts_size());
    from_batches.insert(from_batches.end(), b.alerts().begin(), b.alerts().end());
  }
  ASSERT_EQ(singles.size(), static_cast<size_t>(n));
  ASSERT_EQ(from_batches.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(from_batches[i].id(), absl::StrCat("a", i));
    EXPECT_EQ(from_batches[i].cursor(), singles[i].cursor());
    EXPECT_EQ(from_batches[i].SerializeAsString(), singles[i].SerializeAsString());
  }
  EXPECT_LE(largest, 21) << "at most about 1 MiB in a message";
  EXPECT_LT(messages, n / 2) << "a stream that fell behind catches up in batches";
  one_ctx.TryCancel();
  batch_ctx.TryCancel();
}

TEST(Cursor, RoundTripAndErrors) {
  std::map<int32_t, int64_t> c{{0, 17}, {1, 4}, {2, 9}};
  EXPECT_EQ(EncodeCursor(c), "0:17,1:4,2:9");
  EXPECT_EQ(*DecodeCursor("0:17,1:4,2:9"), c);
  EXPECT_FALSE(DecodeCursor("yesterday").ok());
  EXPECT_FALSE(DecodeCursor("0:-1").ok());
  EXPECT_FALSE(DecodeCursor("").ok());
}

// Tenants own their entities: a tenant's rules see its own entities (by its ids) and the
// shared watchlist of the tenant "default", never another tenant's.
TEST(AlertStage, ATenantsRulesSeeItsOwnAndTheSharedEntitiesOnly) {
  ww::v1::TaggedArticle t;
  t.mutable_article()->set_id("t1");
  t.mutable_article()->set_source("wire");
  *t.add_mentions() = Mention("desk-a/kim", 0);  // desk-a's own "kim"
  *t.add_mentions() = Mention("putin", 8);       // the shared watchlist's
  *t.add_mentions() = Mention("desk-b/port", 19);
  const kafka::Record in{"tagged", 0, 0, "t1", t.SerializeAsString(), false, {}, 0};
  std::vector<alerting::Rule> rules;
  for (const auto& [owner, yaml] : std::vector<std::pair<std::string, std::string>>{
           {"desk-a", "rules:\n  - id: summit\n    when: {all: [kim, putin]}\n"},
           {"desk-b", "rules:\n  - id: kim-b\n    when: kim\n  - id: port\n    when: port\n"},
           {"desk-c", "rules:\n  - id: port-c\n    when: port\n"}}) {
    auto parsed = alerting::ParseRulesYaml(yaml, owner);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    rules.insert(rules.end(), parsed->begin(), parsed->end());
  }
  auto table = std::make_shared<const std::vector<alerting::Rule>>(rules);
  AlertStage stage({"alerts", "tagged", "dups", false}, [&] { return table; });
  std::map<std::string, ww::v1::Alert> by_rule;
  for (const auto& a : Alerts(stage.Process(in))) by_rule[a.owner() + ":" + a.rule_id()] = a;
  ASSERT_EQ(by_rule.size(), 2u) << "desk-b has no kim of its own, desk-c no port";
  const ww::v1::Alert& summit = by_rule.at("desk-a:summit");
  EXPECT_EQ(summit.entity_ids_size(), 2);
  EXPECT_EQ(summit.entity_ids(0), "kim") << "the tenant's own id, not the qualified one";
  EXPECT_EQ(summit.mention_count(), 2);
  EXPECT_EQ(by_rule.at("desk-b:port").entity_id(), "port");

  // Implicit rules: one per mentioned entity, owned by the entity's tenant.
  AlertStage implicit({"alerts", "tagged", "dups", true}, nullptr);
  std::set<std::string> owners;
  for (const auto& a : Alerts(implicit.Process(in))) {
    owners.insert(a.owner() + ":" + a.rule_id() + ":" + a.entity_id());
  }
  EXPECT_EQ(owners, (std::set<std::string>{"default:mention:putin:putin", "desk-a:mention:kim:kim",
                                           "desk-b:mention:port:port"}));
}

}  // namespace
}  // namespace ww::services
