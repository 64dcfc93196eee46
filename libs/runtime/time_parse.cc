#include "libs/runtime/time_parse.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace ww::runtime {

absl::StatusOr<absl::Duration> ParseDuration(const std::string& s) {
  absl::Duration d;
  if (absl::ParseDuration(s, &d)) return d;
  int64_t n;
  if (s.size() > 1 && s.back() == 'd' && absl::SimpleAtoi(s.substr(0, s.size() - 1), &n)) {
    return absl::Hours(24 * n);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", s, "' is not a duration; use forms like 30s, 5m, 2h, 3d"));
}

absl::StatusOr<int64_t> ParseTimeArg(const std::string& v) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, v, &t, &err)) return absl::ToUnixMillis(t);
  for (const char* layout : {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"}) {
    if (absl::ParseTime(layout, v, absl::UTCTimeZone(), &t, &err)) return absl::ToUnixMillis(t);
  }
  if (v == "now") return absl::ToUnixMillis(absl::Now());
  auto d = ParseDuration(v);
  if (d.ok()) return absl::ToUnixMillis(absl::Now() - *d);
  return absl::InvalidArgumentError(
      absl::StrCat("'", v,
                   "' is neither an ISO 8601 time (2026-11-28T10:00:00Z, 2026-11-28) nor an age "
                   "like 3d, 2h, 30m"));
}

}  // namespace ww::runtime
