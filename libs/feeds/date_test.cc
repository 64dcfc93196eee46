#include "libs/feeds/date.h"

#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace ww::feeds {
namespace {

struct DateCase {
  const char* input;
  const char* utc;  // FormatRfc3339 of the expected instant
};

class ParseFeedDateTest : public ::testing::TestWithParam<DateCase> {};

TEST_P(ParseFeedDateTest, ParsesToUtc) {
  absl::StatusOr<absl::Time> t = ParseFeedDate(GetParam().input);
  ASSERT_TRUE(t.ok()) << GetParam().input << ": " << t.status();
  EXPECT_EQ(FormatRfc3339(*t), GetParam().utc) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    RealWorld, ParseFeedDateTest,
    ::testing::Values(
        // RFC 822 / 1123 as RSS writes them.
        DateCase{"Tue, 02 Sep 2025 14:05:00 +0000", "2025-09-02T14:05:00Z"},
        DateCase{"Tue, 02 Sep 2025 14:05:00 GMT", "2025-09-02T14:05:00Z"},
        DateCase{"Tue, 2 Sep 2025 10:05:00 -0400", "2025-09-02T14:05:00Z"},
        DateCase{"02 Sep 2025 14:05:00 UT", "2025-09-02T14:05:00Z"},
        DateCase{"Tue, 02 Sep 25 09:05:00 EST", "2025-09-02T14:05:00Z"},
        DateCase{"Tue, 02 Sep 2025 10:05 EDT", "2025-09-02T14:05:00Z"},
        DateCase{"Tue, 02 Sep 2025 07:05:00 PDT", "2025-09-02T14:05:00Z"},
        DateCase{"Tue, 02 Sep 2025 08:05:00 CST", "2025-09-02T14:05:00Z"},
        DateCase{"Tue, 02 Sep 2025 07:05:00 MST", "2025-09-02T14:05:00Z"},
        DateCase{"Tue, 02 Sep 2025 14:05:00 Z", "2025-09-02T14:05:00Z"},
        DateCase{"Tue, 02 Sep 2025 15:05:00 A", "2025-09-02T14:05:00Z"},  // military
        DateCase{"Tue, 02 Sep 2025 19:35:00 +05:30", "2025-09-02T14:05:00Z"},
        DateCase{"Tuesday, 02 September 2025 14:05:00 GMT", "2025-09-02T14:05:00Z"},
        DateCase{"Tuesday, 02-Sep-25 14:05:00 GMT", "2025-09-02T14:05:00Z"},  // RFC 850
        DateCase{"Tue Sep  2 14:05:00 2025", "2025-09-02T14:05:00Z"},         // asctime
        DateCase{"Tue, 02 Sep 2025 14:05:00 +0000 (UTC)", "2025-09-02T14:05:00Z"},
        DateCase{"Tue, 02 Sep 2025 16:05:00 +0200 CEST", "2025-09-02T14:05:00Z"},
        DateCase{"Sep 2, 2025 2:05 PM GMT", "2025-09-02T14:05:00Z"},
        DateCase{"Tue, 02 Sept 2025 14:05:00 GMT+0", "2025-09-02T14:05:00Z"},
        DateCase{"Tue,02 Sep 2025 14:05:00 GMT", "2025-09-02T14:05:00Z"},
        DateCase{"  Tue, 02 Sep 2025 14:05:00 +0000\n", "2025-09-02T14:05:00Z"},
        DateCase{"Fri, 31 Dec 99 23:59:59 GMT", "1999-12-31T23:59:59Z"},
        // RFC 3339 / ISO 8601 as Atom and dc:date write them.
        DateCase{"2025-09-02T14:05:00Z", "2025-09-02T14:05:00Z"},
        DateCase{"2025-09-02T16:05:00+02:00", "2025-09-02T14:05:00Z"},
        DateCase{"2025-09-02T14:05:00.123456Z", "2025-09-02T14:05:00Z"},
        DateCase{"2025-09-02T09:05:00-0500", "2025-09-02T14:05:00Z"},
        DateCase{"2025-09-02T14:05Z", "2025-09-02T14:05:00Z"},
        DateCase{"2025-09-02 14:05:00", "2025-09-02T14:05:00Z"},
        DateCase{"2025-09-02t14:05:00z", "2025-09-02T14:05:00Z"},
        DateCase{"2025-09-02T14:05:00 UTC", "2025-09-02T14:05:00Z"},
        DateCase{"2025/09/02 14:05:00", "2025-09-02T14:05:00Z"},
        DateCase{"2025-09-02", "2025-09-02T00:00:00Z"},
        DateCase{"2024-02-29T23:30:00-01:00", "2024-03-01T00:30:00Z"}));

TEST(ParseFeedDateTest, KeepsFractions) {
  absl::StatusOr<absl::Time> t = ParseFeedDate("2025-09-02T14:05:00.250Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, absl::FromUnixSeconds(1756821900) + absl::Milliseconds(250));
}

TEST(ParseFeedDateTest, RejectsGarbage) {
  for (const char* bad :
       {"", "Foo", "yesterday", "Tue, 31 Feb 2025 10:00:00 GMT", "2025-13-01T00:00:00Z",
        "2025-09-02T25:00:00Z", "Tue, 02 Sep 2025 14:05:00 XYZ", "12345"}) {
    absl::StatusOr<absl::Time> t = ParseFeedDate(bad);
    EXPECT_FALSE(t.ok()) << bad << " parsed as " << FormatRfc3339(*t);
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST(FormatRfc3339Test, WholeSecondsUtc) {
  EXPECT_EQ(FormatRfc3339(absl::FromUnixSeconds(1756821900) + absl::Milliseconds(999)),
            "2025-09-02T14:05:00Z");
  EXPECT_EQ(FormatRfc3339(absl::UnixEpoch()), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace ww::feeds
