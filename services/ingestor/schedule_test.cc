#include "services/ingestor/schedule.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace ww::services {
namespace {

// A fake clock: every test starts at the same instant and moves it by hand.
const absl::Time kStart = absl::FromUnixSeconds(1756800000);

ScheduleOptions NoJitter() {
  ScheduleOptions o;
  o.interval = absl::Minutes(5);
  o.jitter = 0;
  o.max_backoff = absl::Hours(1);
  o.unhealthy_after = absl::Hours(72);
  return o;
}

TEST(FeedScheduleTest, NewFeedIsDueAtOnceThenEveryInterval) {
  FeedSchedule s(NoJitter());
  FeedHealth h;
  EXPECT_TRUE(s.Due(h, kStart));
  s.OnSuccess("f", kStart, &h);
  EXPECT_EQ(h.next_poll, kStart + absl::Minutes(5));
  EXPECT_FALSE(s.Due(h, kStart + absl::Minutes(4)));
  EXPECT_TRUE(s.Due(h, kStart + absl::Minutes(5)));
  EXPECT_TRUE(h.healthy);
}

TEST(FeedScheduleTest, BackoffDoublesUpToTheCeiling) {
  FeedSchedule s(NoJitter());
  FeedHealth h;
  absl::Time now = kStart;
  std::vector<absl::Duration> delays;
  for (int i = 0; i < 6; ++i) {
    s.OnFailure("f", now, absl::UnavailableError("down"), std::nullopt, &h);
    delays.push_back(h.next_poll - now);
    now = h.next_poll;
  }
  EXPECT_EQ(delays,
            (std::vector<absl::Duration>{absl::Minutes(10), absl::Minutes(20), absl::Minutes(40),
                                         absl::Hours(1), absl::Hours(1), absl::Hours(1)}));
  EXPECT_EQ(h.consecutive_failures, 6);
  EXPECT_NE(h.last_error.find("down"), std::string::npos);
  s.OnSuccess("f", now, &h);
  EXPECT_EQ(h.consecutive_failures, 0);
  EXPECT_EQ(h.next_poll - now, absl::Minutes(5));
}

TEST(FeedScheduleTest, RetryAfterIsHonouredAndCapped) {
  FeedSchedule s(NoJitter());
  FeedHealth h;
  s.OnFailure("f", kStart, absl::UnavailableError("HTTP 429"), absl::Hours(3), &h);
  EXPECT_EQ(h.next_poll, kStart + absl::Hours(3));  // longer than the 10 min backoff
  FeedHealth h2;
  s.OnFailure("f", kStart, absl::UnavailableError("HTTP 503"), absl::Seconds(1), &h2);
  EXPECT_EQ(h2.next_poll, kStart + absl::Minutes(10));  // never sooner than the backoff
  FeedHealth h3;
  s.OnFailure("f", kStart, absl::UnavailableError("HTTP 503"), absl::Hours(1000), &h3);
  EXPECT_EQ(h3.next_poll, kStart + absl::Hours(24));
}

TEST(FeedScheduleTest, FailingForDaysMarksUnhealthyButKeepsPolling) {
  FeedSchedule s(NoJitter());
  FeedHealth h;
  absl::Time now = kStart;
  while (now < kStart + absl::Hours(71)) {
    s.OnFailure("f", now, absl::UnavailableError("down"), std::nullopt, &h);
    EXPECT_TRUE(h.healthy);
    now = h.next_poll;
  }
  while (now < kStart + absl::Hours(73)) {
    s.OnFailure("f", now, absl::UnavailableError("down"), std::nullopt, &h);
    now = h.next_poll;
  }
  EXPECT_FALSE(h.healthy);
  EXPECT_LE(h.next_poll - now, absl::Hours(1));  // still scheduled, at the ceiling
  s.OnSuccess("f", now, &h);
  EXPECT_TRUE(h.healthy);
}

TEST(FeedScheduleTest, JitterSpreadsFeedsWithinBounds) {
  ScheduleOptions o = NoJitter();
  o.jitter = 0.1;
  FeedSchedule s(o);
  std::set<int64_t> seen;
  for (int i = 0; i < 50; ++i) {
    FeedHealth h;
    std::string id = "feed-" + std::to_string(i);
    s.OnSuccess(id, kStart, &h);
    absl::Duration d = h.next_poll - kStart;
    EXPECT_GE(d, absl::Minutes(5) * 0.9);
    EXPECT_LE(d, absl::Minutes(5) * 1.1);
    seen.insert(absl::ToInt64Seconds(d));
    FeedHealth again;
    s.OnSuccess(id, kStart, &again);
    EXPECT_EQ(again.next_poll, h.next_poll);  // deterministic per feed
  }
  EXPECT_GT(seen.size(), 10u);
}

}  // namespace
}  // namespace ww::services
