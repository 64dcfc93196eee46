#include "libs/delivery/retry_policy.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace ww::delivery {
namespace {

using Kind = Decision::Kind;

// Always the same bits: 0 makes absl::Uniform return the low end of its range, 2^63 its
// middle. (All ones would not give the high end: Uniform redraws a result that rounds up to
// it, forever.)
struct FixedBits {
  using result_type = uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() { return bits; }
  result_type bits = 0;
};

const absl::Time kFirst = absl::FromUnixSeconds(1700000000);
constexpr absl::Duration kDay = absl::Hours(24);

Backoff NoJitter() {
  Backoff b;
  b.jitter = 0;
  return b;
}

// The wait Decide chose for an Unavailable answer at attempt `attempts`, made at kFirst.
absl::Duration WaitAt(int attempts, const Backoff& b, absl::BitGenRef random) {
  Decision d = Decide(absl::UnavailableError("503"), attempts, kFirst, kFirst, kDay, std::nullopt,
                      b, random);
  EXPECT_EQ(d.kind, Kind::kRetry);
  return d.next_attempt - kFirst;
}

TEST(Decide, OkIsDelivered) {
  absl::BitGen gen;
  EXPECT_EQ(Decide(absl::OkStatus(), 1, kFirst, kFirst, kDay, std::nullopt, {}, gen).kind,
            Kind::kDelivered);
  // Even late: the answer came, the delivery is done.
  EXPECT_EQ(
      Decide(absl::OkStatus(), 9, kFirst, kFirst + 2 * kDay, kDay, std::nullopt, {}, gen).kind,
      Kind::kDelivered);
}

TEST(Decide, WhatWaitingCannotFixIsGivenUpAtOnce) {
  absl::BitGen gen;
  for (const absl::Status& s :
       {absl::NotFoundError("404"), absl::InvalidArgumentError("400 or a bad URL"),
        absl::PermissionDeniedError("403 or a refused address"),
        absl::FailedPreconditionError("410"), absl::UnimplementedError("email")}) {
    EXPECT_EQ(Decide(s, 1, kFirst, kFirst, kDay, std::nullopt, {}, gen).kind, Kind::kGiveUp) << s;
    // A Retry-After on such an answer does not make it retryable.
    EXPECT_EQ(Decide(s, 1, kFirst, kFirst, kDay, absl::Seconds(5), {}, gen).kind, Kind::kGiveUp)
        << s;
  }
}

TEST(Decide, ExponentialBackoffUpToTheCap) {
  FixedBits bits;
  const Backoff b = NoJitter();  // 1s doubling up to 10m
  EXPECT_EQ(WaitAt(1, b, bits), absl::Seconds(1));
  EXPECT_EQ(WaitAt(2, b, bits), absl::Seconds(2));
  EXPECT_EQ(WaitAt(3, b, bits), absl::Seconds(4));
  EXPECT_EQ(WaitAt(10, b, bits), absl::Seconds(512));
  EXPECT_EQ(WaitAt(11, b, bits), absl::Minutes(10)) << "1024s is past the cap";
  EXPECT_EQ(WaitAt(1000, b, bits), absl::Minutes(10)) << "no overflow for long outages";
  EXPECT_EQ(WaitAt(0, b, bits), absl::Seconds(1)) << "attempts below 1 count as the first";

  Backoff custom = NoJitter();
  custom.initial = absl::Milliseconds(250);
  custom.max = absl::Seconds(3);
  EXPECT_EQ(WaitAt(3, custom, bits), absl::Seconds(1));
  EXPECT_EQ(WaitAt(5, custom, bits), absl::Seconds(3));
}

TEST(Decide, JitterScalesTheWaitWithinItsBounds) {
  Backoff b;  // jitter 0.2
  FixedBits low{.bits = 0};
  EXPECT_EQ(WaitAt(3, b, low), absl::Milliseconds(3200)) << "4s * 0.8";
  EXPECT_EQ(WaitAt(20, b, low), absl::Minutes(8)) << "the cap, then the jitter";
  FixedBits middle{.bits = uint64_t{1} << 63};
  EXPECT_EQ(WaitAt(3, b, middle), absl::Seconds(4)) << "4s * 1.0";

  absl::BitGen gen(std::seed_seq{42});
  absl::Duration lowest = absl::InfiniteDuration(), highest = absl::ZeroDuration();
  for (int i = 0; i < 1000; ++i) {
    const absl::Duration w = WaitAt(3, b, gen);
    lowest = std::min(lowest, w);
    highest = std::max(highest, w);
  }
  EXPECT_GE(lowest, absl::Milliseconds(3200));
  EXPECT_LE(highest, absl::Milliseconds(4800));
  EXPECT_LT(lowest, absl::Milliseconds(3400)) << "the waits spread over the range";
  EXPECT_GT(highest, absl::Milliseconds(4600)) << "the waits spread over the range";
}

TEST(Decide, RetryAfterOverridesTheBackoff) {
  FixedBits bits;
  const absl::Time now = kFirst + absl::Minutes(5);
  Decision d = Decide(absl::UnavailableError("503"), 1, kFirst, now, kDay, absl::Seconds(120),
                      NoJitter(), bits);
  ASSERT_EQ(d.kind, Kind::kRetry);
  EXPECT_EQ(d.next_attempt, now + absl::Seconds(120));
  // Longer than the cap too: the server said when.
  d = Decide(absl::UnavailableError("429"), 2, kFirst, now, kDay, absl::Hours(2), NoJitter(), bits);
  ASSERT_EQ(d.kind, Kind::kRetry);
  EXPECT_EQ(d.next_attempt, now + absl::Hours(2));
  // And shorter than the backoff.
  d = Decide(absl::UnavailableError("503"), 8, kFirst, now, kDay, absl::ZeroDuration(), NoJitter(),
             bits);
  ASSERT_EQ(d.kind, Kind::kRetry);
  EXPECT_EQ(d.next_attempt, now);
}

TEST(Decide, GivenUpWhenTheNextAttemptWouldFallPastGiveUpAfter) {
  FixedBits bits;
  const absl::Status unavailable = absl::UnavailableError("connection refused");
  const absl::Time deadline = kFirst + kDay;
  // A 1s wait from a second before the deadline lands on it: one more try.
  Decision d = Decide(unavailable, 1, kFirst, deadline - absl::Seconds(1), kDay, std::nullopt,
                      NoJitter(), bits);
  ASSERT_EQ(d.kind, Kind::kRetry);
  EXPECT_EQ(d.next_attempt, deadline);
  // A 2s wait would land past it.
  EXPECT_EQ(Decide(unavailable, 2, kFirst, deadline - absl::Seconds(1), kDay, std::nullopt,
                   NoJitter(), bits)
                .kind,
            Kind::kGiveUp);
  // Already past it.
  EXPECT_EQ(Decide(unavailable, 50, kFirst, deadline + absl::Seconds(1), kDay, std::nullopt,
                   NoJitter(), bits)
                .kind,
            Kind::kGiveUp);
  // Retry-After is honoured only up to the deadline.
  EXPECT_EQ(Decide(unavailable, 1, kFirst, deadline - absl::Hours(1), kDay, absl::Minutes(61),
                   NoJitter(), bits)
                .kind,
            Kind::kGiveUp);
  EXPECT_EQ(Decide(unavailable, 1, kFirst, deadline - absl::Hours(1), kDay, absl::Minutes(60),
                   NoJitter(), bits)
                .kind,
            Kind::kRetry);
  // The destination's own give_up_after, not a fixed day.
  EXPECT_EQ(Decide(unavailable, 1, kFirst, kFirst + absl::Minutes(10), absl::Minutes(10),
                   std::nullopt, NoJitter(), bits)
                .kind,
            Kind::kGiveUp);
}

}  // namespace
}  // namespace ww::delivery
