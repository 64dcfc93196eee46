// FeedPoller against a loopback HTTP server started by the test, with in-memory sinks in place
// of Kafka: conditional GET, no re-publishing after a restart, backoff and Retry-After, health,
// and the SSRF guard.
#include "services/ingestor/feed_poller.h"

#include <map>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/http_server.h"

namespace ww::services {
namespace {

using ::testing::HasSubstr;

// Serves one feed at /feed (ETag "v<version>", 304 on a matching If-None-Match) and a
// rate-limited /busy; counts requests.
class FeedServer {
 public:
  FeedServer() : http_([this](const std::string& request) { return Respond(request); }) {}
  std::string Url(const std::string& path) const { return http_.Url(path); }
  void SetItems(int version, int items) {
    std::lock_guard<std::mutex> lock(mu_);
    version_ = version;
    items_ = items;
  }
  int requests() { return http_.requests(); }
  int not_modified() {
    std::lock_guard<std::mutex> l(mu_);
    return not_modified_;
  }

 private:
  std::string Respond(const std::string& request) {
    using ww::testing::HttpServer;
    std::lock_guard<std::mutex> lock(mu_);
    if (absl::StartsWith(request, "GET /busy ")) {
      return HttpServer::Reply("429 Too Many Requests", "Retry-After: 7200\r\n", "");
    }
    if (!absl::StartsWith(request, "GET /feed ")) return HttpServer::Reply("404 Not Found", "", "");
    bool not_modified = false;
    std::string reply = HttpServer::Conditional(
        request, absl::StrCat("\"v", version_, "\""), "application/rss+xml",
        [&] {
          std::string body = "<rss version=\"2.0\"><channel><title>Local</title>";
          for (int i = 1; i <= items_; ++i) {
            absl::StrAppend(&body, "<item><title>Story ", i, "</title><link>https://news.example/",
                            i, "</link><guid>story-", i, "</guid><description>Text ", i,
                            "</description></item>");
          }
          return body + "</channel></rss>";
        },
        &not_modified);
    not_modified_ += not_modified;
    return reply;
  }

  std::mutex mu_;
  int version_ = 1, items_ = 3, not_modified_ = 0;
  ww::testing::HttpServer http_;  // last: destroyed (thread joined) before the state above
};

// The feeds topic and the raw topic, in memory.
struct FakeKafka {
  std::mutex mu;
  std::vector<ww::v1::Article> published;
  std::map<std::string, ww::v1::FeedState> table;  // the compacted feeds topic
  FeedSinks Sinks() {
    FeedSinks s;
    s.publish = [this](const ww::v1::Article& a) {
      std::lock_guard<std::mutex> l(mu);
      published.push_back(a);
      return absl::OkStatus();
    };
    s.store = [this](const std::string& id, const ww::v1::FeedState* st) {
      std::lock_guard<std::mutex> l(mu);
      if (st == nullptr) {
        table.erase(id);
      } else {
        table[id] = *st;
      }
      return absl::OkStatus();
    };
    return s;
  }
  // What a restarted ingestor reads back from the topic.
  void Replay(FeedPoller* p) {
    for (const auto& [id, st] : table) p->Apply(id, &st);
  }
};

const absl::Time kT0 = absl::FromUnixSeconds(1756800000);

FeedPollerOptions Options() {
  FeedPollerOptions o;
  o.address_policy = *fetch::AddressPolicy::Create({"127.0.0.1/32"});
  o.schedule.jitter = 0;
  o.schedule.interval = absl::Minutes(5);
  o.schedule.max_backoff = absl::Hours(1);
  return o;
}

TEST(FeedPollerTest, PublishesNewItemsOnceWithConditionalGet) {
  FeedServer server;
  FakeKafka kafka;
  FeedPoller poller(Options(), kafka.Sinks());
  ASSERT_TRUE(poller.AddFeed(server.Url("/feed")).ok());
  EXPECT_EQ(poller.PollDue(kT0), 3);
  EXPECT_EQ(poller.PollDue(kT0 + absl::Minutes(1)), 0);  // not due yet: no request
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(poller.PollDue(kT0 + absl::Minutes(5)), 0);  // 304
  EXPECT_EQ(server.not_modified(), 1);
  server.SetItems(2, 4);
  EXPECT_EQ(poller.PollDue(kT0 + absl::Minutes(10)), 1);  // only story 4 is new
  ASSERT_EQ(kafka.published.size(), 4u);
  EXPECT_EQ(kafka.published[3].title(), "Story 4");
  EXPECT_EQ(kafka.published[3].url(), "https://news.example/4");
  EXPECT_EQ(kafka.published[3].feed_id(), FeedIdOf(server.Url("/feed")));

  std::vector<ww::v1::FeedState> list = poller.ListFeeds();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].title(), "Local");
  EXPECT_EQ(list[0].etag(), "\"v2\"");
  EXPECT_TRUE(list[0].healthy());
  EXPECT_EQ(list[0].items_published(), 4);
}

// Tenants own feeds: one feed however many tenants add it, polled once; each tenant lists and
// removes only its own; the feed goes with its last tenant.
TEST(FeedPollerTest, TenantsShareAFeedButEachSeesAndRemovesOnlyItsOwn) {
  FeedServer server;
  FakeKafka kafka;
  FeedPoller poller(Options(), kafka.Sinks());
  const std::string url = server.Url("/feed");
  ASSERT_TRUE(poller.AddFeed(url, "desk-a").ok());
  ASSERT_TRUE(poller.AddFeed(url, "desk-b").ok());
  ASSERT_TRUE(poller.AddFeed(url, "desk-b").ok());  // again: nothing changes
  EXPECT_EQ(poller.PollDue(kT0), 3);
  EXPECT_EQ(server.requests(), 1) << "one feed, polled once for both tenants";
  ASSERT_EQ(poller.ListFeeds("desk-a").size(), 1u);
  EXPECT_TRUE(poller.ListFeeds("desk-a")[0].owners().empty()) << "other tenants are not shown";
  EXPECT_TRUE(poller.ListFeeds("desk-c").empty());
  EXPECT_EQ(poller.RemoveFeed(url, "desk-c").status().code(), absl::StatusCode::kNotFound);

  ASSERT_TRUE(poller.RemoveFeed(url, "desk-a").ok());
  EXPECT_TRUE(poller.ListFeeds("desk-a").empty());
  ASSERT_EQ(poller.ListFeeds("desk-b").size(), 1u) << "still desk-b's";
  EXPECT_EQ(poller.ListFeeds("desk-b")[0].items_published(), 3) << "with its state";
  ASSERT_EQ(kafka.table.size(), 1u);
  EXPECT_EQ(std::vector<std::string>(kafka.table.begin()->second.owners().begin(),
                                     kafka.table.begin()->second.owners().end()),
            std::vector<std::string>{"desk-b"});
  ASSERT_TRUE(poller.RemoveFeed(url, "desk-b").ok());
  EXPECT_TRUE(poller.ListFeeds().empty());
  EXPECT_TRUE(kafka.table.empty()) << "a tombstone once the last tenant left";
}

TEST(FeedPollerTest, RestartedPollerNeitherRepublishesNorForgets) {
  FeedServer server;
  FakeKafka kafka;
  {
    FeedPoller first(Options(), kafka.Sinks());
    ASSERT_TRUE(first.AddFeed(server.Url("/feed")).ok());
    EXPECT_EQ(first.PollDue(kT0), 3);
  }
  server.SetItems(2, 3);  // new ETag, same items: a 200 with nothing new
  FeedPoller second(Options(), kafka.Sinks());
  kafka.Replay(&second);
  ASSERT_EQ(second.ListFeeds().size(), 1u);
  EXPECT_EQ(second.PollDue(kT0 + absl::Minutes(1)), 0);  // schedule survived: not due
  EXPECT_EQ(second.PollDue(kT0 + absl::Minutes(5)), 0);  // fetched, all items seen
  EXPECT_EQ(kafka.published.size(), 3u);
  EXPECT_EQ(server.requests(), 2);
}

// Items are published before the state that marks them seen. A crash between the two (here:
// the state never reaches the feeds topic) makes the restarted poller publish those items
// again, with the same ids, which the deduper drops as redeliveries (at least once, never lost).
TEST(FeedPollerTest, CrashBeforeStateIsStoredRepublishesWithTheSameIds) {
  FeedServer server;
  FakeKafka kafka;
  {
    FeedSinks sinks = kafka.Sinks();
    FeedPoller first(Options(), sinks);
    ASSERT_TRUE(first.AddFeed(server.Url("/feed")).ok());
    FeedSinks crashing = sinks;
    crashing.store = [](const std::string&, const ww::v1::FeedState*) {
      return absl::UnavailableError("crashed before the state was written");
    };
    FeedPoller dying(Options(), crashing);
    kafka.Replay(&dying);
    EXPECT_EQ(dying.PollDue(kT0), 3);
  }
  FeedPoller restarted(Options(), kafka.Sinks());
  kafka.Replay(&restarted);
  EXPECT_EQ(restarted.PollDue(kT0), 3);
  ASSERT_EQ(kafka.published.size(), 6u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(kafka.published[i].id(), kafka.published[i + 3].id()) << i;
    EXPECT_FALSE(kafka.published[i].id().empty());
  }
  EXPECT_EQ(restarted.PollDue(kT0 + absl::Minutes(5)), 0);  // now stored: a 304, nothing new
}

TEST(FeedPollerTest, RetryAfterBackoffAndHealth) {
  FeedServer server;
  FakeKafka kafka;
  FeedPollerOptions o = Options();
  o.schedule.unhealthy_after = absl::Hours(3);
  FeedPoller poller(o, kafka.Sinks());
  auto busy = poller.AddFeed(server.Url("/busy"));
  ASSERT_TRUE(busy.ok());
  poller.PollDue(kT0);
  ww::v1::FeedState st = poller.ListFeeds()[0];
  EXPECT_EQ(st.next_poll_unix_ms(), absl::ToUnixMillis(kT0 + absl::Hours(2)));  // Retry-After
  EXPECT_THAT(st.last_error(), HasSubstr("HTTP 429"));
  EXPECT_EQ(poller.PollDue(kT0 + absl::Hours(1)), 0);
  EXPECT_EQ(server.requests(), 1);  // Retry-After respected
  for (absl::Time t = kT0 + absl::Hours(2); t <= kT0 + absl::Hours(8); t += absl::Hours(2)) {
    poller.PollDue(t);
  }
  st = poller.ListFeeds()[0];
  EXPECT_FALSE(st.healthy());
  EXPECT_GE(st.consecutive_failures(), 3);
  EXPECT_EQ(kafka.table.count(st.id()), 1u);  // unhealthy, not dropped
}

TEST(FeedPollerTest, LoopbackRefusedUnlessAllowed) {
  FeedServer server;
  FakeKafka kafka;
  FeedPollerOptions o = Options();
  o.address_policy = fetch::AddressPolicy();
  FeedPoller poller(o, kafka.Sinks());
  ASSERT_TRUE(poller.AddFeed(server.Url("/feed")).ok());
  EXPECT_EQ(poller.PollDue(kT0), 0);
  EXPECT_THAT(poller.ListFeeds()[0].last_error(), HasSubstr("loopback"));
  EXPECT_EQ(server.requests(), 0);
}

TEST(FeedPollerTest, AddRemoveAndOwnership) {
  FakeKafka kafka;
  FeedPoller poller(Options(), kafka.Sinks());
  EXPECT_EQ(poller.AddFeed("ftp://example.com/feed").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(poller.AddFeed("file:///tmp/feed.xml").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto a = poller.AddFeed("https://Example.com/feed.xml?utm_source=x");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->url(), "https://example.com/feed.xml");
  auto again = poller.AddFeed("https://example.com/feed.xml");
  EXPECT_EQ(again->id(), a->id());
  EXPECT_EQ(kafka.table.size(), 1u);
  EXPECT_EQ(poller.RemoveFeed("https://example.com/feed.xml").value(), a->id());
  EXPECT_TRUE(kafka.table.empty());
  EXPECT_EQ(poller.RemoveFeed(a->id()).status().code(), absl::StatusCode::kNotFound);

  // Three replicas own disjoint sets of feeds that together cover all of them.
  std::vector<int> owners(30, 0);
  for (int r = 0; r < 3; ++r) {
    FeedPollerOptions o = Options();
    o.replica_index = r;
    o.replica_count = 3;
    FeedPoller p(o, kafka.Sinks());
    for (int i = 0; i < 30; ++i) owners[i] += p.Owns(FeedIdOf(absl::StrCat("https://x/", i)));
  }
  for (int n : owners) EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace ww::services
