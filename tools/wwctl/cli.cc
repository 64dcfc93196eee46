#include "tools/wwctl/cli.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/runtime/config.h"
#include "libs/runtime/config_file.h"

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

namespace {

std::string EnvName(const std::string& option) {
  std::string n = absl::StrCat("WW_", absl::StrReplaceAll(option, {{"-", "_"}}));
  absl::AsciiStrToUpper(&n);
  return n;
}

using Values = std::map<std::string, std::vector<std::string>>;

std::string Strip(absl::string_view s) { return std::string(absl::StripAsciiWhitespace(s)); }

// Global option values from the config file at `path` (runtime::ParseConfigText: the
// services' format), by option name in file order. A missing file is an error only when it
// was named explicitly.
absl::StatusOr<Values> ReadConfigFile(const std::string& path, bool named,
                                      const std::vector<OptionSpec>& globals) {
  Values out;
  auto entries = runtime::ReadConfigFile(path);
  if (!entries.ok()) {
    if (!named && absl::IsNotFound(entries.status())) return out;
    return entries.status();
  }
  std::map<std::string, const OptionSpec*> known;
  for (const auto& o : globals) {
    if (o.name != "config") known[o.name] = &o;
  }
  for (const runtime::ConfigEntry& e : *entries) {
    const std::string name = absl::StrReplaceAll(e.key, {{"_", "-"}});
    if (!known.count(name)) {
      std::vector<std::string> names;
      for (const auto& [k, o] : known) names.push_back(o->keyed ? "kafka.KEY" : k);
      return absl::InvalidArgumentError(absl::StrCat(path, ":", e.line, ": unknown key '", name,
                                                     "' (known: ", absl::StrJoin(names, ", "),
                                                     ")"));
    }
    out[name].push_back(e.value);
  }
  return out;
}

// KEY=VALUE entries of the sources, weakest first: one per KEY, the strongest value, in the
// order the keys first appear (runtime::MergeKeyValues, as the services do).
absl::StatusOr<std::vector<std::string>> MergeKeyed(
    const std::string& option, const std::vector<const std::vector<std::string>*>& sources) {
  std::vector<std::vector<std::string>> layers;
  for (const auto* source : sources) layers.push_back(*source);
  auto merged = runtime::MergeKeyValues(layers);
  if (!merged.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", option, " takes KEY=VALUE: ", merged.status().message()));
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : *merged) out.push_back(absl::StrCat(k, "=", v));
  return out;
}

}  // namespace

absl::StatusOr<ParsedArgs> Cli::Parse(const Command& command, const std::vector<std::string>& args,
                                      const std::map<std::string, std::string>& env) const {
  std::map<std::string, const OptionSpec*> specs;
  for (const auto& o : global_) specs[o.name] = &o;
  for (const auto& o : command.options) specs[o.name] = &o;
  ParsedArgs out;
  for (const auto& [name, spec] : specs) out.defaults_[name] = spec->default_value;
  Values line, from_env;
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_positional || a.size() < 3 || !absl::StartsWith(a, "--")) {
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
      return absl::InvalidArgumentError(absl::StrCat("unknown option --", name, "; see --help"));
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
    line[name].push_back(value);
  }
  for (const auto& [name, spec] : specs) {
    auto e = env.find(EnvName(name));
    if (e == env.end()) continue;
    if (!spec->keyed) {
      from_env[name].push_back(e->second);
      continue;
    }
    // One KEY=VALUE a line, as the services read WW_KAFKA_PROPERTY (a value may hold ';').
    for (absl::string_view kv : absl::StrSplit(e->second, '\n', absl::SkipWhitespace())) {
      from_env[name].push_back(Strip(kv));
    }
  }
  Values from_file;
  if (std::any_of(global_.begin(), global_.end(), [](auto& o) { return o.name == "config"; })) {
    std::string path;
    bool named = true;
    if (line.count("config")) {
      path = line["config"].back();
    } else if (from_env.count("config")) {
      path = from_env["config"].back();
    } else if (auto home = env.find("HOME"); home != env.end() && !home->second.empty()) {
      path = absl::StrCat(home->second, "/.config/wirewatch/wwctl.conf");
      named = false;
    }
    if (!path.empty()) {
      auto file = ReadConfigFile(path, named, global_);
      if (!file.ok()) return file.status();
      from_file = *std::move(file);
    }
  }
  static const std::vector<std::string> kNone;
  for (const auto& [name, spec] : specs) {
    auto get = [&](const Values& v) { return v.count(name) ? &v.at(name) : &kNone; };
    if (spec->keyed) {
      auto merged = MergeKeyed(name, {get(from_file), get(from_env), get(line)});
      if (!merged.ok()) return merged.status();
      if (!merged->empty()) out.given_[name] = *std::move(merged);
      continue;
    }
    for (const Values* layer : {&line, &from_env, &from_file}) {
      if (layer->count(name)) {
        out.given_[name] = layer->at(name);
        break;
      }
    }
  }
  return out;
}

std::string Cli::Help(const Command& c) const {
  std::string s =
      absl::StrCat(c.summary, "\n\nUsage: wwctl ", absl::StrJoin(c.path, " "), " ", c.usage, "\n");
  auto list = [&](const std::vector<OptionSpec>& opts, const char* title) {
    if (opts.empty()) return;
    absl::StrAppend(&s, "\n", title, ":\n");
    for (const auto& o : opts) {
      std::string left =
          absl::StrCat("  --", o.name, o.value_name.empty() ? "" : " ", o.value_name);
      absl::StrAppend(&s, left, std::string(left.size() < 32 ? 32 - left.size() : 1, ' '), o.help);
      if (!o.default_value.empty()) absl::StrAppend(&s, " (default: ", o.default_value, ")");
      if (o.repeated || o.keyed) absl::StrAppend(&s, " (repeatable)");
      absl::StrAppend(&s, "\n");
    }
  };
  list(c.options, "Options");
  list(global_,
       "Connection options (also WW_<NAME> in the environment, e.g. "
       "WW_BOOTSTRAP_SERVERS, or NAME = VALUE in the --config file)");
  if (!c.example.empty()) absl::StrAppend(&s, "\nExample:\n  ", c.example, "\n");
  return s;
}

std::string Cli::Overview() const {
  std::string s =
      "wwctl: the Wirewatch operator's tool.\n\nUsage: wwctl COMMAND [OPTIONS] "
      "[ARGS]\n\nCommands:\n";
  for (const auto& c : commands_) {
    std::string left = absl::StrCat("  ", absl::StrJoin(c.path, " "));
    absl::StrAppend(&s, left, std::string(left.size() < 26 ? 26 - left.size() : 1, ' '), c.summary,
                    "\n");
  }
  absl::StrAppend(&s, "\nRun 'wwctl COMMAND --help' for a command's options and an example.\n");
  return s;
}

namespace {

// Words of a bash case pattern or list, quoted for the script.
std::string Quoted(const std::string& s) { return absl::StrCat("\"", s, "\""); }

}  // namespace

absl::StatusOr<std::string> Cli::Completion(const std::string& shell) const {
  if (shell != "bash" && shell != "zsh") {
    return absl::InvalidArgumentError(
        absl::StrCat("no completion for shell '", shell, "'; give bash or zsh"));
  }
  // Options that take a value (their next word is not a command word), and the choices of
  // those whose value is a list like text|json.
  std::map<std::string, std::string> takes_value;
  auto note = [&](const OptionSpec& o) {
    if (o.value_name.empty()) return;
    std::string& choices = takes_value[o.name];  // one declaration with choices is enough
    if (absl::StrContains(o.value_name, "|")) {
      choices = absl::StrReplaceAll(o.value_name, {{"|", " "}});
    }
  };
  for (const auto& o : global_) note(o);
  for (const auto& c : commands_) {
    for (const auto& o : c.options) note(o);
  }
  std::string globals;
  for (const auto& o : global_) absl::StrAppend(&globals, " --", o.name);
  // Next words after each partial path ("" is the top level), and each command's options.
  std::map<std::string, std::set<std::string>> next;
  std::map<std::string, std::string> options;
  for (const auto& c : commands_) {
    for (size_t i = 0; i < c.path.size(); ++i) {
      std::vector<std::string> head(c.path.begin(), c.path.begin() + i);
      next[absl::StrJoin(head, " ")].insert(c.path[i]);
    }
    std::string opts = "--help";
    for (const auto& o : c.options) absl::StrAppend(&opts, " --", o.name);
    options[absl::StrJoin(c.path, " ")] = absl::StrCat(opts, globals);
  }
  std::string s = absl::StrCat(
      shell == "zsh" ? "#compdef wwctl\n" : "", "# ", shell,
      " completion for wwctl, generated by `wwctl completion ", shell,
      "` from its commands and options.\n",
      shell == "zsh" ? "# Load it with: source <(wwctl completion zsh)\n"
                       "autoload -U +X bashcompinit && bashcompinit\n"
                     : "# Load it with: source <(wwctl completion bash)\n",
      "_wwctl() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      "  local cmdpath=\"\" w i subs=\"\" opts=\"\"\n"
      "  # The value of an option that takes one.\n"
      "  case \"$prev\" in\n");
  for (const auto& [name, choices] : takes_value) {
    // No choices: an empty reply, so that `complete -o default` completes file names.
    absl::StrAppend(
        &s, "    --", name, ") COMPREPLY=(",
        choices.empty() ? "" : absl::StrCat("$(compgen -W ", Quoted(choices), " -- \"$cur\")"),
        "); return ;;\n");
  }
  absl::StrAppend(&s,
                  "  esac\n"
                  "  # The command words typed so far, options and their values skipped.\n"
                  "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
                  "    w=\"${COMP_WORDS[i]}\"\n"
                  "    if [[ $w == --* ]]; then\n"
                  "      case \"$w\" in\n");
  for (const auto& [name, choices] : takes_value) {
    absl::StrAppend(&s, "        --", name, ") ((i++)) ;;\n");
  }
  absl::StrAppend(&s,
                  "      esac\n"
                  "      continue\n"
                  "    fi\n"
                  "    cmdpath=\"${cmdpath:+$cmdpath }$w\"\n"
                  "  done\n"
                  "  case \"$cmdpath\" in\n");
  // Exact partial paths first (they offer the next word), then commands with their
  // arguments, longest first.
  for (const auto& [head, words] : next) {
    std::string opts = absl::StrCat("--help", globals);
    if (auto it = options.find(head); it != options.end()) opts = it->second;
    absl::StrAppend(&s, "    ", Quoted(head), ") subs=", Quoted(absl::StrJoin(words, " ")),
                    " opts=", Quoted(opts), " ;;\n");
  }
  std::vector<std::string> paths;
  for (const auto& [path, opts] : options) paths.push_back(path);
  std::sort(paths.begin(), paths.end(),
            [](auto& a, auto& b) { return a.size() != b.size() ? a.size() > b.size() : a < b; });
  for (const auto& path : paths) {
    absl::StrAppend(&s, "    ", Quoted(path), "|", Quoted(path + " "),
                    "*) opts=", Quoted(options[path]), " ;;\n");
  }
  absl::StrAppend(&s,
                  "  esac\n"
                  "  if [[ $cur == -* ]]; then\n"
                  "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
                  "  elif [[ -n $subs ]]; then\n"
                  "    COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
                  "  else\n"
                  "    COMPREPLY=()  # an argument: file names (complete -o default)\n"
                  "  fi\n"
                  "}\n"
                  "complete -o default -F _wwctl wwctl\n");
  return s;
}

int Cli::Run(const std::vector<std::string>& raw) {
  // Connection options may come before the command too: `wwctl --bootstrap-servers X
  // topics list`. Move them after it.
  std::vector<std::string> leading, argv;
  size_t i = 0;
  while (i < raw.size() && absl::StartsWith(raw[i], "--") && raw[i] != "--help") {
    std::string name = raw[i].substr(
        2, raw[i].find('=') == std::string::npos ? std::string::npos : raw[i].find('=') - 2);
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
