#pragma once
// How wwctl prints: tables and lines for people, one JSON object a line for scripts.
#include <google/protobuf/message.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ww::wwctl {

enum class Format { kText, kJson };

// "text" or "json"; anything else is reported and exits 2.
Format FormatFromFlag(const std::string& value);

// A protobuf message as one line of JSON with the .proto field names.
std::string ToJsonLine(const google::protobuf::Message& m);

// A Unix time in milliseconds as RFC 3339 in UTC, to the second ("2026-12-06T23:25:00Z").
std::string Rfc3339(int64_t ms);

// An age or time lag for people: "-" (negative: unknown), "0s", "42s", "3m12s", "5h3m",
// "2d4h".
std::string FormatAge(int64_t ms);

// Left-aligned columns under a header row.
std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows);

}  // namespace ww::wwctl
