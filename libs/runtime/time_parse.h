#pragma once
// The one way every Wirewatch program reads a duration or a time a person wrote: wwctl's
// options, rule and destination YAML (cooldown, give_up_after, digest), the alerts feed's
// `since`. Pure and thread-safe.
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ww::runtime {

// "30s", "5m", "2h", "1h30m", "250ms" (absl's forms) and whole days "3d". InvalidArgument
// naming the accepted forms otherwise.
absl::StatusOr<absl::Duration> ParseDuration(const std::string& s);

// "2026-11-28T10:00:00Z" (RFC 3339), "2026-11-28T10:00" or "2026-11-28" (UTC), "now", or an
// age like "3d" (that long before now) -> Unix ms. InvalidArgument names the accepted forms.
absl::StatusOr<int64_t> ParseTimeArg(const std::string& v);

}  // namespace ww::runtime
