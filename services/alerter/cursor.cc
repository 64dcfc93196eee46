#include "services/alerter/cursor.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ww::services {

std::string EncodeCursor(const std::map<int32_t, int64_t>& positions) {
  std::string out;
  for (const auto& [p, o] : positions) absl::StrAppend(&out, out.empty() ? "" : ",", p, ":", o);
  return out;
}

absl::StatusOr<std::map<int32_t, int64_t>> DecodeCursor(const std::string& cursor) {
  std::map<int32_t, int64_t> out;
  for (absl::string_view part : absl::StrSplit(cursor, ',', absl::SkipEmpty())) {
    std::vector<absl::string_view> po = absl::StrSplit(part, ':');
    int32_t p;
    int64_t o;
    if (po.size() != 2 || !absl::SimpleAtoi(po[0], &p) || !absl::SimpleAtoi(po[1], &o) || p < 0 ||
        o < 0) {
      return absl::InvalidArgumentError(absl::StrCat("'", cursor, "' is not an alert cursor"));
    }
    out[p] = o;
  }
  if (out.empty()) return absl::InvalidArgumentError("empty alert cursor");
  return out;
}

}  // namespace ww::services
