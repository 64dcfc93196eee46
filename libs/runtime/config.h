#pragma once
// Service configuration: every key is an absl flag, and every flag can also be set by an
// environment variable named WW_<FLAG IN UPPER CASE> (e.g. --bootstrap_servers is
// WW_BOOTSTRAP_SERVERS). Precedence: command line > environment > default. Unknown flags
// are rejected with a message; --help shows each flag with its default.
//
// A flag of type KeyValues may be given many times (--kafka_property acks=all
// --kafka_property sasl.jaas.config=a,b): each occurrence is one KEY=VALUE, kept whole,
// commas and all. Its environment variable holds one KEY=VALUE per line.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ww::runtime {

// "KEY=VALUE" split at its first '='; InvalidArgument when there is no '=' or no key.
absl::StatusOr<std::pair<std::string, std::string>> ParseKeyValue(std::string_view text);

// The value of a repeatable KEY=VALUE flag, in the order given.
struct KeyValues {
  std::vector<std::pair<std::string, std::string>> pairs;
};
// One KEY=VALUE per line (how ParseConfig hands over the occurrences, and how the
// environment variable is written).
bool AbslParseFlag(absl::string_view text, KeyValues* out, std::string* error);
std::string AbslUnparseFlag(const KeyValues& kv);

// Gathers every occurrence of a KeyValues flag in `args` (--name=V or --name V, up to a
// bare "--") into one --name=V1\nV2 argument at the end, so that the flag parser, which
// keeps only the last occurrence of a flag, sees them all.
std::vector<std::string> MergeRepeatedFlags(const std::vector<std::string>& args);

// Applies the --config file (or WW_CONFIG; config_file.h's format), then WW_* environment
// variables, then argv, each over the one before; KeyValues flags are merged by key across
// the three (MergeKeyValues). Turns off
// Abseil's Mutex deadlock detection (a debugging aid too slow for a running service).
// Exits with a clear message on a bad value or an unknown flag. Returns positional args.
// Not thread-safe: call once at the start of main().
std::vector<std::string> ParseConfig(int argc, char** argv, std::string_view usage);

// The environment variable that sets a flag: "bootstrap_servers" -> "WW_BOOTSTRAP_SERVERS".
std::string EnvNameForFlag(std::string_view flag);

// Applies WW_* variables from `env` (name=value strings) to registered flags.
// InvalidArgument names the variable and the reason for a value the flag refuses.
absl::Status ApplyEnvironment(char** env);

// The WW_* names in `env` that set nothing in this program (no flag of that name, not
// WW_LOG_LEVEL or WW_HUGE_PAGES): usually a typo or a setting of another service. ParseConfig warns
// about each, with the closest flag's variable when one is near.
std::vector<std::string> UnknownEnvironment(char** env);

}  // namespace ww::runtime
