#pragma once
// How wwctl prints: tables and lines for people, one JSON object a line for scripts.
#include <string>
#include <vector>

#include <google/protobuf/message.h>

namespace ww::wwctl {

enum class Format { kText, kJson };

// "text" or "json"; anything else is reported and exits 2.
Format FormatFromFlag(const std::string& value);

// A protobuf message as one line of JSON with the .proto field names.
std::string ToJsonLine(const google::protobuf::Message& m);

// Left-aligned columns under a header row.
std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows);

}  // namespace ww::wwctl
