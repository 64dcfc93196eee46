#include "services/notifier/atom_server.h"

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "libs/feeds/feed.h"
#include "libs/fetch/fetch.h"

namespace ww::services {
namespace {

TEST(ParseFeedQuery, FiltersSinceLimitAndToken) {
  auto q = ParseFeedQuery(
      "entity=kim-jong-un,vladivostok&entity=vladimir-putin&rule=kim-putin-summit&"
      "min_severity=high&since=7d&limit=20&token=from%20query",
      "");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->filter.entity_ids_size(), 3);
  EXPECT_EQ(q->filter.entity_ids(2), "vladimir-putin");
  EXPECT_EQ(q->filter.rule_ids(0), "kim-putin-summit");
  EXPECT_EQ(q->filter.min_severity(), "high");
  EXPECT_EQ(q->since, absl::Hours(24 * 7));
  EXPECT_EQ(q->limit, 20);
  EXPECT_EQ(q->token, "from query");

  auto header = ParseFeedQuery("token=from-query", "Bearer from-header");
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->token, "from-header") << "the header wins";

  auto defaults = ParseFeedQuery("", "");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->since, absl::Hours(24));
  EXPECT_EQ(defaults->limit, 50);

  for (const char* bad :
       {"min_severity=urgent", "since=yesterday", "limit=0", "limit=501", "entitty=kim-jong-un"}) {
    auto r = ParseFeedQuery(bad, "");
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(absl::StrContains(ParseFeedQuery("entitty=x", "").status().message(), "entitty"));
}

ww::v1::Alert Alert(const std::string& id, int64_t raised_ms) {
  ww::v1::Alert a;
  a.set_id(id);
  a.set_rule_id("kim-putin-summit");
  a.set_entity_id("kim-jong-un");
  a.set_severity("high");
  a.set_title("Kim arrives in Vladivostok");
  a.set_url("https://news.example/" + id);
  a.set_raised_unix_ms(raised_ms);
  return a;
}

class AtomServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = AtomServer::Start("127.0.0.1:0", [this](const FeedQuery& q) {
      absl::MutexLock lock(&mu_);
      seen_ = q;
      if (q.token != "good") {
        return absl::StatusOr<std::vector<ww::v1::Alert>>(
            absl::UnauthenticatedError("unknown token"));
      }
      return absl::StatusOr<std::vector<ww::v1::Alert>>(std::vector<ww::v1::Alert>{
          Alert("al-2", 1'790'000'100'000), Alert("al-1", 1'790'000'000'000)});
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_GT(server_->port(), 0);
  }

  absl::StatusOr<fetch::Response> Get(const std::string& path_and_query,
                                      std::vector<std::string> headers = {}) {
    fetch::Request r;
    r.url = absl::StrCat("http://127.0.0.1:", server_->port(), path_and_query);
    r.address_policy = *fetch::AddressPolicy::Create({"127.0.0.1/32"});
    r.headers = std::move(headers);
    r.total_timeout = absl::Seconds(10);
    return fetch::Fetch(r);
  }

  absl::Mutex mu_;
  FeedQuery seen_;
  std::unique_ptr<AtomServer> server_;
};

TEST_F(AtomServerTest, ServesTheCallersAlertsAsAtom) {
  auto r = Get("/alerts.atom?entity=kim-jong-un&min_severity=high", {"Authorization: Bearer good"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(absl::StartsWith(r->content_type, "application/atom+xml")) << r->content_type;
  auto feed = feeds::ParseFeed(r->body, r->content_type);
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->items.size(), 2u);
  EXPECT_EQ(feed->items[0].id, "urn:wirewatch:alert:al-2");
  EXPECT_TRUE(absl::StrContains(
      r->body, absl::StrCat("href=\"http://127.0.0.1:", server_->port(),
                            "/alerts.atom?entity=kim-jong-un&amp;min_severity=high\"")))
      << "rel=self names the feed";
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(seen_.token, "good");
  EXPECT_EQ(seen_.filter.entity_ids(0), "kim-jong-un");
  EXPECT_EQ(seen_.filter.min_severity(), "high");
}

TEST_F(AtomServerTest, ATokenInTheQueryWorksAndIsNotEchoed) {
  auto r = Get("/alerts.atom?token=good");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(absl::StrContains(r->body, "token=good")) << r->body;
}

TEST_F(AtomServerTest, RefusalsAreHttpErrorsThatSayWhy) {
  auto unauthenticated = Get("/alerts.atom?token=bad");
  EXPECT_EQ(unauthenticated.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(unauthenticated.status().message(), "HTTP 401"))
      << unauthenticated.status();
  EXPECT_TRUE(absl::StrContains(unauthenticated.status().message(), "unknown token"));
  auto bad = Get("/alerts.atom?since=forever", {"Authorization: Bearer good"});
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "HTTP 400")) << bad.status();
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "since")) << bad.status();
}

}  // namespace
}  // namespace ww::services
