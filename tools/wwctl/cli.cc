#include "tools/wwctl/cli.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"

extern char** environ;

namespace ww::wwctl {

std::string ParsedArgs::value(const std::string& name) const {
  auto it = given_.find(name);
  if (it != given_.end() && !it->second.empty()) return it->second.back();
  auto d = defaults_.find(name);
  return d == defaults_.end() ? "" : d->second;
}

std::vector<std::string> ParsedArgs::values(const std::string& name) const {
  auto it = given_.find(name);
  return it == given_.end() ? std::vector<std::string>{} : it->second;
}

bool ParsedArgs::has(const std::string& name) const { return given_.count(name) > 0; }

absl::StatusOr<absl::Duration> ParseDuration(const std::string& s) {
  absl::Duration d;
  if (absl::ParseDuration(s, &d)) return d;
  int64_t n;
  if (s.size() > 1 && s.back() == 'd' && absl::SimpleAtoi(s.substr(0, s.size() - 1), &n)) {
    return absl::Hours(24 * n);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", s, "' is not a duration; use forms like 30s, 5m, 2h, 3d"));
}

namespace {

std::string EnvName(const std::string& option) {
  std::string n = absl::StrCat("WW_", absl::StrReplaceAll(option, {{"-", "_"}}));
  absl::AsciiStrToUpper(&n);
  return n;
}

}  // namespace

absl::StatusOr<ParsedArgs> Cli::Parse(const Command& command, const std::vector<std::string>& args,
                                      const std::map<std::string, std::string>& env) const {
  std::map<std::string, const OptionSpec*> specs;
  for (const auto& o : global_) specs[o.name] = &o;
  for (const auto& o : command.options) specs[o.name] = &o;
  ParsedArgs out;
  for (const auto& [name, spec] : specs) out.defaults_[name] = spec->default_value;
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_positional || a.size() < 3 || a.rfind("--", 0) != 0) {
      if (a == "--") {
        only_positional = true;
        continue;
      }
      out.positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    auto it = specs.find(name);
    if (it == specs.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown option --", name,
                                                     "; see --help"));
    }
    if (it->second->value_name.empty()) {
      if (inline_value) {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
      }
      value = "true";
    } else if (!inline_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value (", it->second->value_name, ")"));
      }
      value = args[++i];
    }
    out.given_[name].push_back(value);
  }
  for (const auto& [name, spec] : specs) {
    if (out.given_.count(name)) continue;
    if (auto e = env.find(EnvName(name)); e != env.end()) out.given_[name].push_back(e->second);
  }
  return out;
}

std::string Cli::Help(const Command& c) const {
  std::string s = absl::StrCat(c.summary, "\n\nUsage: wwctl ", absl::StrJoin(c.path, " "), " ",
                               c.usage, "\n");
  auto list = [&](const std::vector<OptionSpec>& opts, const char* title) {
    if (opts.empty()) return;
    absl::StrAppend(&s, "\n", title, ":\n");
    for (const auto& o : opts) {
      std::string left = absl::StrCat("  --", o.name, o.value_name.empty() ? "" : " ", o.value_name);
      absl::StrAppend(&s, left, std::string(left.size() < 32 ? 32 - left.size() : 1, ' '), o.help);
      if (!o.default_value.empty()) absl::StrAppend(&s, " (default: ", o.default_value, ")");
      if (o.repeated) absl::StrAppend(&s, " (repeatable)");
      absl::StrAppend(&s, "\n");
    }
  };
  list(c.options, "Options");
  list(global_, "Connection options (also WW_<NAME> in the environment, e.g. WW_BOOTSTRAP_SERVERS)");
  if (!c.example.empty()) absl::StrAppend(&s, "\nExample:\n  ", c.example, "\n");
  return s;
}

std::string Cli::Overview() const {
  std::string s =
      "wwctl: the Wirewatch operator's tool.\n\nUsage: wwctl COMMAND [OPTIONS] [ARGS]\n\nCommands:\n";
  for (const auto& c : commands_) {
    std::string left = absl::StrCat("  ", absl::StrJoin(c.path, " "));
    absl::StrAppend(&s, left, std::string(left.size() < 26 ? 26 - left.size() : 1, ' '), c.summary,
                    "\n");
  }
  absl::StrAppend(&s, "\nRun 'wwctl COMMAND --help' for a command's options and an example.\n");
  return s;
}

int Cli::Run(const std::vector<std::string>& raw) {
  // Connection options may come before the command too: `wwctl --bootstrap-servers X
  // topics list`. Move them after it.
  std::vector<std::string> leading, argv;
  size_t i = 0;
  while (i < raw.size() && raw[i].rfind("--", 0) == 0 && raw[i] != "--help") {
    std::string name = raw[i].substr(2, raw[i].find('=') == std::string::npos
                                            ? std::string::npos
                                            : raw[i].find('=') - 2);
    const OptionSpec* spec = nullptr;
    for (const auto& o : global_) spec = o.name == name ? &o : spec;
    if (spec == nullptr) break;
    leading.push_back(raw[i++]);
    if (!spec->value_name.empty() && raw[i - 1].find('=') == std::string::npos && i < raw.size()) {
      leading.push_back(raw[i++]);
    }
  }
  argv.assign(raw.begin() + i, raw.end());
  // The longest command path that prefixes argv wins.
  const Command* best = nullptr;
  for (const auto& c : commands_) {
    if (c.path.size() > argv.size()) continue;
    bool match = true;
    for (size_t i = 0; i < c.path.size(); ++i) match = match && argv[i] == c.path[i];
    if (match && (best == nullptr || c.path.size() > best->path.size())) best = &c;
  }
  bool wants_help = false;
  for (const auto& a : argv) wants_help = wants_help || a == "--help" || a == "-h";
  if (best == nullptr) {
    std::fputs(Overview().c_str(), wants_help || argv.empty() ? stdout : stderr);
    if (!argv.empty() && !wants_help) {
      std::fprintf(stderr, "\nwwctl: unknown command '%s'\n", absl::StrJoin(argv, " ").c_str());
      return 2;
    }
    return argv.empty() ? 2 : 0;
  }
  if (wants_help) {
    std::fputs(Help(*best).c_str(), stdout);
    return 0;
  }
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    if (auto eq = kv.find('='); eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  std::vector<std::string> args(argv.begin() + best->path.size(), argv.end());
  args.insert(args.end(), leading.begin(), leading.end());
  auto parsed = Parse(*best, args, env);
  if (!parsed.ok()) {
    std::fprintf(stderr, "wwctl %s: %s\n", absl::StrJoin(best->path, " ").c_str(),
                 std::string(parsed.status().message()).c_str());
    return 2;
  }
  return best->run(*parsed);
}

}  // namespace ww::wwctl
