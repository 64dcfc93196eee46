#include "libs/runtime/config.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "libs/runtime/config_file.h"

extern char** environ;

ABSL_FLAG(std::string, config, "",
          "a file of 'flag = value' lines (kafka.KEY = VALUE for --kafka_property), read before "
          "the environment and the command line, which win; also WW_CONFIG");

namespace ww::runtime {

absl::StatusOr<std::pair<std::string, std::string>> ParseKeyValue(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected KEY=VALUE, not '", std::string(text), "'"));
  }
  return std::make_pair(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

bool AbslParseFlag(absl::string_view text, KeyValues* out, std::string* error) {
  out->pairs.clear();
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    auto kv = ParseKeyValue(std::string_view(line.data(), line.size()));
    if (!kv.ok()) {
      *error = std::string(kv.status().message());
      return false;
    }
    out->pairs.push_back(std::move(*kv));
  }
  return true;
}

std::string AbslUnparseFlag(const KeyValues& kv) {
  return absl::StrJoin(kv.pairs, "\n", absl::PairFormatter("="));
}

std::vector<std::string> MergeRepeatedFlags(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  std::vector<std::pair<std::string, std::vector<std::string>>> repeated;  // in order of first use
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    const size_t dashes = absl::StartsWith(arg, "--") ? 2 : absl::StartsWith(arg, "-") ? 1 : 0;
    const size_t eq = arg.find('=');
    const std::string name =
        arg.substr(dashes, eq == std::string::npos ? std::string::npos : eq - dashes);
    absl::CommandLineFlag* flag = dashes > 0 ? absl::FindCommandLineFlag(name) : nullptr;
    if (flag == nullptr || !flag->IsOfType<KeyValues>()) {
      out.push_back(arg);
      continue;
    }
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    }
    auto slot = std::find_if(repeated.begin(), repeated.end(),
                             [&](const auto& r) { return r.first == name; });
    if (slot == repeated.end()) slot = repeated.insert(repeated.end(), {name, {}});
    slot->second.push_back(std::move(value));
  }
  for (auto& [name, values] : repeated)
    out.push_back(absl::StrCat("--", name, "=", absl::StrJoin(values, "\n")));
  out.insert(out.end(), args.begin() + std::min(i, args.size()), args.end());
  return out;
}

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

namespace {

// Edit distance, for "did you mean" (names are short).
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::string> UnknownEnvironment(char** env) {
  std::vector<std::string> known = {"WW_LOG_LEVEL", "WW_HUGE_PAGES"};  // huge_pages.h
  for (const auto& [flag_name, flag] : absl::GetAllFlags()) {
    known.push_back(EnvNameForFlag(std::string(flag_name)));
  }
  std::vector<std::string> unknown;
  for (char** e = env; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (!kv.starts_with("WW_")) continue;
    const std::string name(kv.substr(0, kv.find('=')));
    if (std::find(known.begin(), known.end(), name) == known.end()) unknown.push_back(name);
  }
  return unknown;
}

namespace {

[[noreturn]] void ConfigError(const absl::Status& s) {
  std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
  std::exit(2);
}

// The --config FILE of the command line, else WW_CONFIG; "" when neither.
std::string ConfigPath(const std::vector<std::string>& args) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i] == "--config" || args[i] == "-config")
      return i + 1 < args.size() ? args[i + 1] : "";
    for (const char* prefix : {"--config=", "-config="}) {
      if (absl::StartsWith(args[i], prefix)) return args[i].substr(std::string_view(prefix).size());
    }
  }
  const char* env = std::getenv("WW_CONFIG");
  return env != nullptr ? env : "";
}

// Sets the flags a config file names (the weakest source: the environment and the command
// line are applied after it). KeyValues flags are returned per flag, to be merged by key.
std::map<std::string, std::vector<std::string>> ApplyConfigFile(const std::string& path) {
  std::map<std::string, std::vector<std::string>> keyed;
  if (path.empty()) return keyed;
  absl::StatusOr<std::vector<ConfigEntry>> entries = ReadConfigFile(path);
  if (!entries.ok()) ConfigError(entries.status());
  for (const ConfigEntry& e : *entries) {
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(e.key);
    if (flag == nullptr || e.key == "config") {
      ConfigError(absl::InvalidArgumentError(absl::StrCat(
          path, ":", e.line, ": '", e.key, "' is not a flag of this program (--help)")));
    }
    if (flag->IsOfType<KeyValues>()) {
      keyed[e.key].push_back(e.value);
      continue;
    }
    std::string error;
    if (!flag->ParseFrom(e.value, &error)) {
      ConfigError(absl::InvalidArgumentError(
          absl::StrCat(path, ":", e.line, ": ", e.key, " = ", e.value, ": ", error)));
    }
  }
  return keyed;
}

// Every KeyValues flag as its file, environment and command-line entries merged by key
// (MergeKeyValues: the strongest source's value for each key), as wwctl merges them.
void MergeKeyedFlags(const std::map<std::string, std::vector<std::string>>& from_file,
                     const std::vector<std::string>& args) {
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!flag->IsOfType<KeyValues>()) continue;
    std::vector<std::vector<std::string>> layers(3);
    if (auto it = from_file.find(std::string(name)); it != from_file.end()) layers[0] = it->second;
    if (const char* env = std::getenv(EnvNameForFlag(std::string(name)).c_str())) {
      for (absl::string_view kv : absl::StrSplit(env, '\n', absl::SkipWhitespace())) {
        layers[1].emplace_back(absl::StripAsciiWhitespace(kv));
      }
    }
    const std::string prefix = absl::StrCat("--", std::string(name), "=");
    for (const std::string& a : args) {  // MergeRepeatedFlags made it one --name=V1\nV2
      if (!absl::StartsWith(a, prefix)) continue;
      for (absl::string_view kv :
           absl::StrSplit(a.substr(prefix.size()), '\n', absl::SkipWhitespace())) {
        layers[2].emplace_back(kv);
      }
    }
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> merged =
        MergeKeyValues(layers);
    if (!merged.ok()) {
      ConfigError(absl::InvalidArgumentError(
          absl::StrCat("--", std::string(name), ": ", merged.status().message())));
    }
    std::string error;
    if (!flag->ParseFrom(absl::StrJoin(*merged, "\n", absl::PairFormatter("=")), &error)) {
      ConfigError(absl::InvalidArgumentError(absl::StrCat("--", std::string(name), ": ", error)));
    }
  }
}

}  // namespace

std::vector<std::string> ParseConfig(int argc, char** argv, std::string_view usage) {
  // Debian's Abseil is built with Mutex deadlock detection on: a global lock and a graph
  // lookup on every acquisition, which a service's hot paths (the alert fan-out takes
  // several locks per alert and subscriber) cannot afford. Unit tests keep it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::SetProgramUsageMessage(absl::StrCat(
      std::string(usage),
      "\n\nEvery flag can also be set with an environment variable WW_<FLAG>, e.g. "
      "--bootstrap_servers as WW_BOOTSTRAP_SERVERS, or in a --config file "
      "(bootstrap_servers = host:9092); the command line wins, then the environment."));
  const std::vector<std::string> args(argv, argv + argc);
  const std::map<std::string, std::vector<std::string>> keyed_from_file =
      ApplyConfigFile(ConfigPath(args));
  if (auto status = ApplyEnvironment(environ); !status.ok()) {
    std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
    std::exit(2);
  }
  for (const std::string& name : UnknownEnvironment(environ)) {
    std::string hint;
    size_t best = 4;  // at most three edits away
    for (const auto& [flag_name, flag] : absl::GetAllFlags()) {
      const std::string candidate = EnvNameForFlag(std::string(flag_name));
      if (const size_t d = Distance(name, candidate); d < best) {
        best = d;
        hint = absl::StrCat(" (did you mean ", candidate, "?)");
      }
    }
    std::fprintf(stderr, "warning: %s sets nothing in %s%s\n", name.c_str(),
                 argc > 0 ? argv[0] : "this program", hint.c_str());
  }
  // Kept alive for the parser and for the flags' argv-backed names.
  static std::vector<std::string>* merged =
      new std::vector<std::string>(MergeRepeatedFlags(std::vector<std::string>(argv, argv + argc)));
  static std::vector<char*>* merged_argv = [] {
    auto* v = new std::vector<char*>();
    for (std::string& a : *merged) v->push_back(a.data());
    v->push_back(nullptr);
    return v;
  }();
  std::vector<char*> rest =
      absl::ParseCommandLine(static_cast<int>(merged->size()), merged_argv->data());
  MergeKeyedFlags(keyed_from_file, *merged);
  std::vector<std::string> positional;
  for (size_t i = 1; i < rest.size(); ++i) positional.emplace_back(rest[i]);
  return positional;
}

}  // namespace ww::runtime
