#include "libs/runtime/retry.h"

#include "gtest/gtest.h"

namespace ww::runtime {
namespace {

constexpr BackoffOptions kFast{absl::Milliseconds(1), absl::Milliseconds(4)};

TEST(Backoff, DoublesUpToTheCeilingWithAtMostAFifthOfJitter) {
  Backoff b({absl::Milliseconds(100), absl::Milliseconds(1000)});
  const int64_t want[] = {100, 200, 400, 800, 1000, 1000};
  for (int64_t ms : want) {
    const absl::Duration d = b.Next();
    EXPECT_LE(d, absl::Milliseconds(ms));
    EXPECT_GE(d, absl::Milliseconds(ms) * 0.8);
  }
  EXPECT_EQ(b.attempts(), 6);
  b.Reset();
  EXPECT_LE(b.Next(), absl::Milliseconds(100));
}

TEST(RetryTransient, RetriesWhatWaitingCanFixUntilItWorks) {
  int calls = 0;
  absl::Status s = RetryTransient(
      "reach the broker",
      [&] { return ++calls < 4 ? absl::UnavailableError("broker down") : absl::OkStatus(); },
      [] { return false; }, kFast);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(calls, 4);
}

TEST(RetryTransient, GivesUpAtOnceOnWhatWaitingCannotFix) {
  int calls = 0;
  absl::StatusOr<int> r = RetryTransient<int>(
      "read the topic",
      [&]() -> absl::StatusOr<int> {
        ++calls;
        return absl::NotFoundError("no such topic");
      },
      [] { return false; }, kFast);
  EXPECT_TRUE(absl::IsNotFound(r.status())) << r.status();
  EXPECT_EQ(calls, 1);
}

TEST(RetryTransient, ReturnsTheValueOnceItComes) {
  int calls = 0;
  absl::StatusOr<int> r = RetryTransient<int>(
      "count partitions",
      [&]() -> absl::StatusOr<int> {
        if (++calls < 3) return absl::DeadlineExceededError("timed out");
        return 6;
      },
      [] { return false; }, kFast);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, 6);
}

TEST(RetryTransient, StopsWaitingWhenAskedToStop) {
  int calls = 0;
  absl::Status s = RetryTransient(
      "reach the broker",
      [&] {
        ++calls;
        return absl::UnavailableError("broker down");
      },
      [&] { return calls >= 2; }, kFast);
  EXPECT_TRUE(absl::IsCancelled(s)) << s;
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace ww::runtime
