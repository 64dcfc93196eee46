#pragma once
// A small sub-command parser for wwctl: each command declares its options, and --help is
// generated from the declarations (summary, usage, options with defaults, an example).
// Options come as --name VALUE, --name=VALUE or, for switches, --name. Every option also
// reads WW_<NAME> from the environment when it is not on the command line. When the Cli
// has a global option "config", global options are also read from a config file (`--config
// FILE`, WW_CONFIG, or ~/.config/wirewatch/wwctl.conf if it exists) of `key = value` or
// `key: value` lines; `kafka.KEY = VALUE` there is `--kafka-property KEY=VALUE`.
// Precedence: command line > environment > config file > default.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/runtime/time_parse.h"

namespace ww::wwctl {

struct OptionSpec {
  std::string name;        // without dashes, e.g. "bootstrap-servers"
  std::string value_name;  // e.g. "HOST:PORT"; empty for a switch
  std::string help;
  std::string default_value;
  bool repeated = false;
  // KEY=VALUE values (implies repeated): merged by KEY across the sources, each KEY taking
  // its value from the strongest source; WW_<NAME> holds one KEY=VALUE a line.
  bool keyed = false;
};

class ParsedArgs {
 public:
  std::string value(const std::string& name) const;  // the last given, or the default
  std::vector<std::string> values(const std::string& name) const;
  bool has(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend class Cli;
  std::map<std::string, std::vector<std::string>> given_;
  std::map<std::string, std::string> defaults_;
  std::vector<std::string> positional_;
};

struct Command {
  std::vector<std::string> path;  // {"alerts", "tail"}
  std::string summary;
  std::string usage;  // after "wwctl alerts tail "
  std::string example;
  std::vector<OptionSpec> options;
  std::function<int(const ParsedArgs&)> run;  // returns the exit code
};

class Cli {
 public:
  explicit Cli(std::vector<OptionSpec> global_options) : global_(std::move(global_options)) {}
  void Add(Command c) { commands_.push_back(std::move(c)); }

  // Dispatches; prints help or errors to stdout/stderr; returns the exit code.
  int Run(const std::vector<std::string>& argv);
  // Parses `args` for `command` (exposed for tests). InvalidArgument names the problem.
  absl::StatusOr<ParsedArgs> Parse(const Command& command, const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env) const;
  std::string Help(const Command& command) const;
  std::string Overview() const;
  // A completion script for "bash" or "zsh", generated from the registered commands and
  // options; InvalidArgument for another shell.
  absl::StatusOr<std::string> Completion(const std::string& shell) const;

 private:
  std::vector<OptionSpec> global_;
  std::vector<Command> commands_;
};

// Durations and times are read as every Wirewatch program reads them (libs/runtime).
using runtime::ParseDuration;
using runtime::ParseTimeArg;

}  // namespace ww::wwctl
