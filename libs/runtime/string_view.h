#pragma once
// Debian's Abseil has a string_view of its own (absl::string_view is not std::string_view),
// while our APIs speak std::string_view: the two conversions, without copying.
#include <string_view>

#include "absl/strings/string_view.h"

namespace ww::runtime {

inline absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view ToStd(absl::string_view s) { return {s.data(), s.size()}; }

}  // namespace ww::runtime
