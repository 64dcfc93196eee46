#pragma once
// The one JSON writer for log lines and CLI output: nlohmann::ordered_json, whose keys stay
// in the order they were added. (Records themselves are protobuf; their JSON form comes from
// protobuf's own printer.)
#include <nlohmann/json.hpp>
#include <string>

namespace ww::runtime {

// `j` as compact JSON on one line, without the newline. Never throws: invalid UTF-8 bytes in
// strings become U+FFFD.
std::string ToJsonLine(const nlohmann::ordered_json& j);

}  // namespace ww::runtime
