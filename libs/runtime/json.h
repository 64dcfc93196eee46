#pragma once
// Minimal JSON output helpers for log lines and CLI output (records themselves are
// protobuf; their JSON form comes from protobuf's own printer).
#include <string>
#include <string_view>

namespace ww::runtime {

// `s` as a JSON string literal with quotes. Invalid UTF-8 bytes become U+FFFD.
std::string JsonQuote(std::string_view s);

}  // namespace ww::runtime
