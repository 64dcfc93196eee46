// Date parsing and formatting for feed timestamps.
#ifndef WW_LIBS_FEEDS_DATE_H_
#define WW_LIBS_FEEDS_DATE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ww::feeds {

// Parses a date as feeds write it and returns it in UTC. Accepted:
//  - RFC 822/1123/2822 with or without weekday (abbreviated or full), 2- or 4-digit years
//    (00-49 -> 20xx, 50-99 -> 19xx), with or without seconds, "02-Sep-2025" (RFC 850) and
//    asctime ("Tue Sep  2 14:05:00 2025") orders, "Sep 2, 2025", 12-hour clocks with AM/PM,
//    trailing comments such as "(UTC)";
//  - RFC 3339 / ISO 8601 extended ("2025-09-02T14:05:00.123+02:00", "2025-09-02 14:05",
//    "2025-09-02", "2025/09/02 14:05:00"), with or without fraction and zone;
//  - zones: +hhmm, +hh:mm, +hh, GMT, UT, UTC, Z, GMT+2 / UTC-05:00, North American names
//    (EST EDT CST CDT MST MDT PST PDT AKST AKDT HST AST ADT), a few European/Asian ones
//    (CET CEST BST WET WEST EET EEST MSK JST KST AEST AEDT NZST NZDT) and military letters
//    (A-I = +1..+9, K-M = +10..+12, N-Y = -1..-12, Z = 0; the real-world convention, not
//    RFC 822's inverted table). A missing zone means UTC.
// Pure and thread-safe. Errors: InvalidArgument naming the input when it is not a date or a
// field is out of range (e.g. "31 Feb").
absl::StatusOr<absl::Time> ParseFeedDate(std::string_view s);

// "2025-09-02T14:05:00Z": RFC 3339 in UTC, whole seconds (fractions truncated). Thread-safe.
std::string FormatRfc3339(absl::Time t);

}  // namespace ww::feeds

#endif  // WW_LIBS_FEEDS_DATE_H_
