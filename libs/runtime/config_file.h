#pragma once
// The one configuration-file format of every Wirewatch program (the services' --config and
// wwctl's --config): `key = value` or `key: value` lines, '#' starts a comment, a value may be
// quoted ('...' or "..."). Keys are option names with '-' or '_' alike; `kafka.KEY = VALUE`
// is a librdkafka property, the same as `--kafka_property KEY=VALUE` (services) or
// `--kafka-property KEY=VALUE` (wwctl).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace ww::runtime {

struct ConfigEntry {
  std::string key;    // with '_', e.g. "bootstrap_servers"; "kafka_property" for kafka.KEY
  std::string value;  // for kafka_property: "KEY=VALUE"
  int line = 0;
};

// The entries of `text`, in order. InvalidArgument "<where>:<line>: ..." for a line that is
// not `key = value`.
absl::StatusOr<std::vector<ConfigEntry>> ParseConfigText(std::string_view text,
                                                         std::string_view where);
// The same from a file; NotFound when it does not exist.
absl::StatusOr<std::vector<ConfigEntry>> ReadConfigFile(const std::string& path);

// KEY=VALUE lists from weakest to strongest source, merged by KEY: each key once, with the
// value of the strongest source that gives it, in the order keys first appear. What both the
// services and wwctl do with --kafka_property from the file, the environment and the command
// line. InvalidArgument for an entry that is not KEY=VALUE.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> MergeKeyValues(
    const std::vector<std::vector<std::string>>& sources_weakest_first);

}  // namespace ww::runtime
