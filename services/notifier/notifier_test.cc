// The notifier without a broker: which alerts become deliveries, and how the dispatcher
// works them off (order, retries, giving up, isolation of destinations), with a scripted
// sender and the records it would write captured.
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/delivery/payload.h"
#include "services/notifier/destinations_table.h"
#include "services/notifier/dispatcher.h"
#include "services/notifier/network_sender.h"
#include "services/notifier/notify_stage.h"
#include "tests/support/http_server.h"
#include "tests/support/smtp_server.h"

namespace ww::services {
namespace {

kafka::Record DestinationRecord(const std::string& owner, const std::string& yaml) {
  auto d = delivery::ParseDestinationYaml(yaml, owner);
  EXPECT_TRUE(d.ok()) << d.status();
  ww::v1::Destination stored;
  stored.set_id(d->id);
  stored.set_owner(owner);
  stored.set_yaml(d->yaml);
  kafka::Record r;
  r.topic = "t.destinations";
  r.key = DestinationsTable::Key(owner, d->id);
  r.value = stored.SerializeAsString();
  return r;
}

ww::v1::Alert MakeAlert(const std::string& id, int64_t version = 1,
                        const std::string& entity = "kim-jong-un",
                        const std::string& severity = "high") {
  ww::v1::Alert a;
  a.set_id(id);
  a.set_version(version);
  a.set_rule_id("r1");
  a.set_entity_id(entity);
  a.set_severity(severity);
  a.set_owner("default");
  a.set_title("Kim arrives in Vladivostok");
  a.set_url("https://news.example/kim");
  a.set_raised_unix_ms(absl::ToUnixMillis(absl::Now()));
  return a;
}

kafka::Record AlertRecord(const ww::v1::Alert& a) {
  kafka::Record r;
  r.topic = "t.alerts";
  r.key = a.id();
  r.value = a.SerializeAsString();
  return r;
}

TEST(NotifyStage, OneDeliveryPerDestinationThatWantsTheAlert) {
  DestinationsTable table;
  table.Apply({DestinationRecord("default", "{id: all, type: webhook, url: 'https://a.example/h'}"),
               DestinationRecord("default",
                                 "{id: putin-only, type: slack, "
                                 "url: 'https://hooks.slack.com/x', "
                                 "entities: [vladimir-putin]}"),
               DestinationRecord("default",
                                 "{id: critical, type: webhook, "
                                 "url: 'https://c.example/h', min_severity: critical}"),
               DestinationRecord("default",
                                 "{id: with-updates, type: teams, "
                                 "url: 'https://t.example/w', updates: true}"),
               DestinationRecord("other", "{id: all, type: webhook, url: 'https://o.example/h'}")});
  bool loaded = false;
  NotifyStage stage(
      {"t.deliveries"}, [&] { return table.snapshot(); }, [&] { return loaded; });

  EXPECT_EQ(stage.Process(AlertRecord(MakeAlert("a1"))).status().code(),
            absl::StatusCode::kUnavailable);  // not before the destinations are loaded
  loaded = true;

  auto out = stage.Process(AlertRecord(MakeAlert("a1")));
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<std::string> keys;
  for (const auto& r : *out) {
    EXPECT_EQ(r.topic, "t.deliveries");
    ww::v1::PendingDelivery p;
    ASSERT_TRUE(p.ParseFromString(r.value));
    EXPECT_EQ(p.alert().id(), "a1");
    EXPECT_GT(p.created_unix_ms(), 0);
    EXPECT_EQ(r.key, NotifyStage::DeliveryKey(p.destination_key(), p.alert()));
    keys.push_back(r.key);
  }
  // Tenant "other" is not the alert's owner; putin-only and critical filter it out.
  EXPECT_EQ(keys, (std::vector<std::string>{"default/all/a1/v1", "default/with-updates/a1/v1"}));

  auto update = stage.Process(AlertRecord(MakeAlert("a1", /*version=*/2)));
  ASSERT_TRUE(update.ok());
  ASSERT_EQ(update->size(), 1u);  // only the destination that asked for updates
  EXPECT_EQ((*update)[0].key, "default/with-updates/a1/v2");

  kafka::Record junk = AlertRecord(MakeAlert("a2"));
  junk.value = "\xff\xff not a protobuf";
  EXPECT_EQ(stage.Process(junk).status().code(), absl::StatusCode::kInvalidArgument);
}

// A sender that answers from a script per destination URL and records what it was asked.
class ScriptedSender : public Sender {
 public:
  void Script(const std::string& url, std::vector<absl::StatusOr<std::string>> answers) {
    absl::MutexLock lock(&mu_);
    for (auto& a : answers) script_[url].push_back(std::move(a));
  }
  absl::StatusOr<std::string> Send(const delivery::Destination& d,
                                   const ww::v1::Alert& a) override {
    absl::MutexLock lock(&mu_);
    sent_.push_back(d.id + ":" + a.id());
    auto& q = script_[d.url];
    if (q.empty()) return std::string("HTTP 200: ok");
    auto answer = q.front();
    q.pop_front();
    return answer;
  }
  absl::StatusOr<std::string> SendDigest(const delivery::Destination& d,
                                         const std::vector<ww::v1::Alert>& alerts) override {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> ids;
    for (const auto& a : alerts) ids.push_back(a.id());
    sent_.push_back(absl::StrCat(d.id, ":digest[", absl::StrJoin(ids, ","), "]"));
    auto& q = script_[d.url];
    if (q.empty()) return std::string("SMTP 250");
    auto answer = q.front();
    q.pop_front();
    return answer;
  }
  std::vector<std::string> sent() {
    absl::MutexLock lock(&mu_);
    return sent_;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::deque<absl::StatusOr<std::string>>> script_;
  std::vector<std::string> sent_;
};

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() {
    table_.Apply(
        {DestinationRecord("default", "{id: fast, type: webhook, url: 'https://fast.example/h'}"),
         DestinationRecord("default",
                           "{id: down, type: webhook, url: 'https://down.example/h', "
                           "give_up_after: 1h}"),
         DestinationRecord("default",
                           "{id: mail, type: email, to: [desk@example.com], "
                           "smtp: 'smtp://mail.example', digest: 1h}")});
    DispatcherOptions o;
    o.deadletter_topic = "t.deadletter";
    o.backoff.initial = absl::Milliseconds(5);
    o.backoff.max = absl::Milliseconds(20);
    o.find_destination = [this](const std::string& key) { return table_.Find(key); };
    o.destinations_loaded = [] { return true; };
    o.produce = [this](const kafka::OutRecord& r) {
      absl::MutexLock lock(&mu_);
      written_.push_back(r);
      return absl::OkStatus();
    };
    dispatcher_ = std::make_unique<Dispatcher>(std::move(o), &sender_);
  }

  kafka::Record Pending(const std::string& destination, const std::string& alert_id,
                        absl::Time created = absl::Now()) {
    ww::v1::PendingDelivery p;
    p.set_destination_key("default/" + destination);
    *p.mutable_alert() = MakeAlert(alert_id);
    p.set_created_unix_ms(absl::ToUnixMillis(created));
    kafka::Record r;
    r.topic = "t.deliveries";
    r.key = NotifyStage::DeliveryKey(p.destination_key(), p.alert());
    r.value = p.SerializeAsString();
    r.timestamp_ms = absl::ToUnixMillis(absl::Now());
    return r;
  }

  // Waits (up to 10 s) until `n` records have been written.
  std::vector<kafka::OutRecord> WaitForWrites(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&] { return written_.size() >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(10));
    return written_;
  }

  // The destination's queue depth once it is `n`, or after 10 s. A delivery leaves the
  // queue just after its tombstone is written (so that a failed write keeps it owed), on
  // the lane's thread: seeing the write does not mean the queue has been updated yet, and
  // the dispatcher has no event to wait on for that, so this polls (the outcome does not
  // depend on the interval, only how soon it is seen).
  size_t WaitForDepth(const std::string& destination, size_t n) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    size_t depth = dispatcher_->depth()[destination];
    while (depth != n && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(1));
      depth = dispatcher_->depth()[destination];
    }
    return depth;
  }

  DestinationsTable table_;
  ScriptedSender sender_;
  absl::Mutex mu_;
  std::vector<kafka::OutRecord> written_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, NothingIsSentBeforeTheOutboxIsReadToItsEnd) {
  kafka::Record owed = Pending("fast", "a1");
  dispatcher_->Apply({owed});
  kafka::Record done = owed;  // its tombstone comes in the next batch
  done.tombstone = true;
  done.value.clear();
  dispatcher_->Apply({done});
  dispatcher_->Apply({Pending("fast", "a2")});
  dispatcher_->Start();
  auto written = WaitForWrites(1);
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].key, "default/fast/a2/v1");
  EXPECT_TRUE(written[0].tombstone);
  EXPECT_EQ(sender_.sent(), std::vector<std::string>{"fast:a2"});  // a1 was already done
}

TEST_F(DispatcherTest, RetriesUntilAcceptedThenWritesTheTombstone) {
  sender_.Script("https://fast.example/h", {absl::UnavailableError("HTTP 500 from fast.example"),
                                            absl::UnavailableError("HTTP 500 from fast.example")});
  dispatcher_->Start();
  dispatcher_->Apply({Pending("fast", "a1"), Pending("fast", "a2")});
  auto written = WaitForWrites(2);
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0].key, "default/fast/a1/v1");  // in order: a2 waits behind a1
  EXPECT_EQ(written[1].key, "default/fast/a2/v1");
  EXPECT_TRUE(written[0].tombstone && written[1].tombstone);
  EXPECT_EQ(sender_.sent(), (std::vector<std::string>{"fast:a1", "fast:a1", "fast:a1", "fast:a2"}));
}

// A digest destination: what is owed when the oldest delivery's window has passed goes out
// in one mail, retried as one, then every delivery in it is tombstoned.
TEST_F(DispatcherTest, ADigestSendsTheOwedAlertsInOneMessage) {
  sender_.Script("", {absl::UnavailableError("SMTP server mail.example: reply 451")});
  dispatcher_->Apply({Pending("mail", "a1", absl::Now() - absl::Hours(2)), Pending("mail", "a2"),
                      Pending("mail", "a3")});
  dispatcher_->Start();
  auto written = WaitForWrites(3);
  ASSERT_EQ(written.size(), 3u);
  EXPECT_EQ(written[0].key, "default/mail/a1/v1");
  EXPECT_EQ(written[2].key, "default/mail/a3/v1");
  for (const auto& w : written) EXPECT_TRUE(w.tombstone) << w.key;
  EXPECT_EQ(sender_.sent(),
            (std::vector<std::string>{"mail:digest[a1,a2,a3]", "mail:digest[a1,a2,a3]"}));
  EXPECT_EQ(WaitForDepth("default/mail", 0), 0u);
}

TEST_F(DispatcherTest, AClientErrorGoesToTheDeadLettersWithTheAnswer) {
  sender_.Script("https://fast.example/h",
                 {absl::NotFoundError("HTTP 404 from fast.example for https://fast.example/h")});
  dispatcher_->Start();
  kafka::Record owed = Pending("fast", "a1");
  dispatcher_->Apply({owed});
  auto written = WaitForWrites(2);
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0].topic, "t.deadletter");
  EXPECT_EQ(written[0].value, owed.value);  // `wwctl deadletter retry` sends it back as is
  std::map<std::string, std::string> headers;
  for (const auto& h : written[0].headers) headers[h.key] = h.value;
  EXPECT_EQ(headers["ww-dlq-source-topic"], "t.deliveries");
  EXPECT_EQ(headers["ww-destination"], "default/fast");
  EXPECT_NE(headers["ww-dlq-reason"].find("HTTP 404"), std::string::npos);
  EXPECT_TRUE(written[1].tombstone);
  EXPECT_EQ(sender_.sent().size(), 1u);  // not retried
}

TEST_F(DispatcherTest, TooOldIsGivenUp) {
  sender_.Script("https://down.example/h", {absl::UnavailableError("connection refused")});
  dispatcher_->Start();
  dispatcher_->Apply({Pending("down", "a1", absl::Now() - absl::Hours(2))});  // give_up_after 1h
  auto written = WaitForWrites(2);
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0].topic, "t.deadletter");
  EXPECT_TRUE(written[1].tombstone);
}

TEST_F(DispatcherTest, ADestinationThatIsDownHoldsUpOnlyItself) {
  std::vector<absl::StatusOr<std::string>> failures(1000, absl::UnavailableError("HTTP 503"));
  sender_.Script("https://down.example/h", failures);
  dispatcher_->Start();
  dispatcher_->Apply({Pending("down", "a1"), Pending("fast", "a1"), Pending("fast", "a2")});
  auto written = WaitForWrites(2);
  ASSERT_GE(written.size(), 2u);
  EXPECT_EQ(written[0].key, "default/fast/a1/v1");
  EXPECT_EQ(written[1].key, "default/fast/a2/v1");
  EXPECT_EQ(dispatcher_->depth()["default/down"], 1u);  // still owed, still retried
}

TEST_F(DispatcherTest, ADeliveryForARemovedDestinationIsGivenUp) {
  dispatcher_->Start();
  dispatcher_->Apply({Pending("gone", "a1")});
  auto written = WaitForWrites(2);
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0].topic, "t.deadletter");
  EXPECT_TRUE(written[1].tombstone);
  EXPECT_TRUE(sender_.sent().empty());
}

// The real sender against a loopback receiver: what a webhook receives, signature included,
// and the SSRF policy.
TEST(NetworkSender, PostsASignedWebhookAndRefusesLoopbackByDefault) {
  std::string seen;
  absl::Mutex mu;
  ww::testing::HttpServer receiver([&](const std::string& request) {
    absl::MutexLock lock(&mu);
    seen = request;
    return ww::testing::HttpServer::Reply("204 No Content", "", "");
  });
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  auto d = delivery::ParseDestinationYaml(
      absl::StrCat("{id: hook, type: webhook, url: '", receiver.Url("/hook"), "', secret: ", secret,
                   "}"),
      "default");
  ASSERT_TRUE(d.ok()) << d.status();
  const ww::v1::Alert alert = MakeAlert("a1");

  NetworkSender strict(fetch::AddressPolicy(), absl::Seconds(5));
  EXPECT_EQ(strict.Send(*d, alert).status().code(), absl::StatusCode::kPermissionDenied);

  auto policy = fetch::AddressPolicy::Create({"127.0.0.1/32"});
  ASSERT_TRUE(policy.ok());
  NetworkSender sender(*policy, absl::Seconds(5));
  auto answer = sender.Send(*d, alert);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->substr(0, 8), "HTTP 204");
  absl::MutexLock lock(&mu);
  using ww::testing::HttpServer;
  const std::string id = HttpServer::Header(seen, "webhook-id");
  const std::string ts = HttpServer::Header(seen, "webhook-timestamp");
  const std::string body = HttpServer::Body(seen);
  EXPECT_EQ(id, delivery::WebhookId(alert));
  EXPECT_EQ(body, delivery::AlertJson(alert));
  int64_t timestamp = 0;
  ASSERT_TRUE(absl::SimpleAtoi(ts, &timestamp)) << ts;
  EXPECT_LE(absl::AbsDuration(absl::FromUnixSeconds(timestamp) - absl::Now()), absl::Seconds(5));
  auto expected = delivery::SignStandardWebhook(secret, id, timestamp, body);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(HttpServer::Header(seen, "webhook-signature"), *expected);
  EXPECT_EQ(HttpServer::Header(seen, "content-type"), "application/json");
}

// Email through the real sender to a loopback SMTP server: AUTH with the password from
// secret_env, the envelope, and a mail a reader can open.
TEST(NetworkSender, MailsAnEmailDestinationWithAuth) {
  ww::testing::SmtpServer server({.user = "alerts", .password = "pw-from-env"});
  setenv("TEST_SMTP_PASSWORD", "pw-from-env", 1);
  auto d = delivery::ParseDestinationYaml(
      absl::StrCat("{id: desk-mail, type: email, to: [desk@example.com], smtp: 'smtp://alerts@",
                   "127.0.0.1:", server.port(), "', secret_env: TEST_SMTP_PASSWORD}"),
      "default");
  ASSERT_TRUE(d.ok()) << d.status();
  const ww::v1::Alert alert = MakeAlert("a1");
  auto policy = fetch::AddressPolicy::Create({"127.0.0.1/32"});
  ASSERT_TRUE(policy.ok());

  NetworkSender strict_tls(*policy, absl::Seconds(5), {"Wirewatch <alerts@ww.example>", true});
  EXPECT_EQ(strict_tls.Send(*d, alert).status().code(), absl::StatusCode::kFailedPrecondition)
      << "a server without STARTTLS is refused by default";

  NetworkSender sender(*policy, absl::Seconds(5), {"Wirewatch <alerts@ww.example>", false});
  auto answer = sender.Send(*d, alert);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(*answer, "SMTP 250");
  ASSERT_TRUE(server.WaitForMails(1, absl::Seconds(5)));
  const auto mail = server.mails().at(0);
  EXPECT_EQ(mail.user, "alerts");
  EXPECT_EQ(mail.from, "alerts@ww.example");
  EXPECT_EQ(mail.to, std::vector<std::string>{"desk@example.com"});
  EXPECT_TRUE(absl::StrContains(mail.data, "From: Wirewatch <alerts@ww.example>\r\n"));
  EXPECT_TRUE(absl::StrContains(
      mail.data, absl::StrCat("Message-ID: <", delivery::WebhookId(alert), "@ww.example>")));

  unsetenv("TEST_SMTP_PASSWORD");
  EXPECT_EQ(sender.Send(*d, alert).status().code(), absl::StatusCode::kNotFound)
      << "an unset password variable is said, not sent empty";
}

}  // namespace
}  // namespace ww::services
