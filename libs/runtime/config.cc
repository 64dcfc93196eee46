#include "libs/runtime/config.h"

#include <cstdio>
#include <cstdlib>

#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

extern char** environ;

namespace ww::runtime {

std::string EnvNameForFlag(std::string_view flag) {
  std::string name = absl::StrCat("WW_", absl::string_view(flag.data(), flag.size()));
  absl::AsciiStrToUpper(&name);
  return name;
}

absl::Status ApplyEnvironment(char** env) {
  auto flags = absl::GetAllFlags();
  for (char** e = env; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (!kv.starts_with("WW_")) continue;
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(kv.substr(0, eq));
    std::string value(kv.substr(eq + 1));
    for (auto& [flag_name, flag] : flags) {
      if (EnvNameForFlag(std::string(flag_name)) != name) continue;
      std::string error;
      if (!flag->ParseFrom(value, &error)) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, "=", value, " is not a valid value for --", flag_name, ": ", error));
      }
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> ParseConfig(int argc, char** argv, std::string_view usage) {
  // Debian's Abseil is built with Mutex deadlock detection on: a global lock and a graph
  // lookup on every acquisition, which a service's hot paths (the alert fan-out takes
  // several locks per alert and subscriber) cannot afford. Unit tests keep it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::SetProgramUsageMessage(absl::StrCat(
      std::string(usage), "\n\nEvery flag can also be set with an environment variable WW_<FLAG>, e.g. "
             "--bootstrap_servers as WW_BOOTSTRAP_SERVERS; the command line wins."));
  if (auto status = ApplyEnvironment(environ); !status.ok()) {
    std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
    std::exit(2);
  }
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> positional;
  for (size_t i = 1; i < rest.size(); ++i) positional.emplace_back(rest[i]);
  return positional;
}

}  // namespace ww::runtime
