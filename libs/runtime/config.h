#pragma once
// Service configuration: every key is an absl flag, and every flag can also be set by an
// environment variable named WW_<FLAG IN UPPER CASE> (e.g. --bootstrap_servers is
// WW_BOOTSTRAP_SERVERS). Precedence: command line > environment > default. Unknown flags
// are rejected with a message; --help shows each flag with its default.
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace ww::runtime {

// Applies WW_* environment variables to the registered flags, then parses argv; turns off
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
// WW_LOG_LEVEL): usually a typo or a setting of another service. ParseConfig warns about
// each, with the closest flag's variable when one is near.
std::vector<std::string> UnknownEnvironment(char** env);

}  // namespace ww::runtime
