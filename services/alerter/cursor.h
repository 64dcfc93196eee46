#pragma once
// Resume cursors: the next offset of each partition of the alerts topic, written
// "0:17,1:4,2:9". Opaque to clients; they pass back the last one they saw.
#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace ww::services {

std::string EncodeCursor(const std::map<int32_t, int64_t>& positions);
// InvalidArgument for anything that is not a cursor.
absl::StatusOr<std::map<int32_t, int64_t>> DecodeCursor(const std::string& cursor);

}  // namespace ww::services
