// `wwctl completion bash|zsh` as a user runs it: the script offers every command that
// `wwctl --help` lists and every option of a command, and bash accepts it.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "gtest/gtest.h"

namespace {

std::string Env(const char* n) {
  const char* v = std::getenv(n);
  return v ? v : "";
}

struct Output {
  int code = -1;
  std::string out;
};

Output Sh(const std::string& command) {
  Output o;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return o;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) o.out.append(buf, n);
  int status = pclose(p);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

std::string Wwctl() { return Env("WW_BIN_DIR") + "/wwctl"; }

// Command paths from the overview: the lines under "Commands:" up to the blank line.
std::vector<std::string> Commands() {
  std::istringstream lines(Sh(Wwctl() + " --help").out);
  std::vector<std::string> out;
  std::string line;
  bool in = false;
  while (std::getline(lines, line)) {
    if (line == "Commands:") {
      in = true;
      continue;
    }
    if (!in) continue;
    if (line.empty()) break;
    // "  alerts tail             Streams..." : the words before the two-space gap.
    std::string path = line.substr(2, line.find("  ", 2) - 2);
    out.push_back(path);
  }
  return out;
}

// What the completion function offers for the words typed so far (the last one is being
// completed), as bash would call it.
std::set<std::string> Complete(const std::string& script, const std::string& words) {
  const std::string file = (std::filesystem::temp_directory_path() / "ww-completion.bash").string();
  std::ofstream(file) << script << "\nCOMP_WORDS=(" << words << ")\n"
                      << "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
                      << "_wwctl\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
  Output o = Sh("bash " + file);
  std::set<std::string> out;
  std::istringstream lines(o.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty()) out.insert(line);
  }
  return out;
}

TEST(WwctlCompletion, BashScriptIsValidAndOffersEveryCommandAndOption) {
  Output bash = Sh(Wwctl() + " completion bash");
  ASSERT_EQ(bash.code, 0);
  const std::string file =
      (std::filesystem::temp_directory_path() / "ww-completion-n.bash").string();
  std::ofstream(file) << bash.out;
  EXPECT_EQ(Sh("bash -n " + file + " 2>&1").code, 0) << Sh("bash -n " + file + " 2>&1").out;

  std::vector<std::string> commands = Commands();
  ASSERT_GT(commands.size(), 20u) << "wwctl --help lists the commands";
  for (const std::string& c : commands) {
    EXPECT_NE(bash.out.find("\"" + c + "\""), std::string::npos) << c << " is not in the script";
  }
  // Top level: the first words of the commands.
  std::set<std::string> top = Complete(bash.out, "wwctl ''");
  for (const std::string& c : commands) {
    EXPECT_TRUE(top.count(c.substr(0, c.find(' ')))) << c;
  }
  EXPECT_EQ(Complete(bash.out, "wwctl off"), (std::set<std::string>{"offsets"}));
  EXPECT_EQ(Complete(bash.out, "wwctl offsets r"), (std::set<std::string>{"reset"}));
  // A command's options, also after connection options and positional arguments.
  std::set<std::string> opts =
      Complete(bash.out, "wwctl --bootstrap-servers h:1 topics describe t --o");
  EXPECT_EQ(opts, (std::set<std::string>{"--output"}));
  std::set<std::string> reset = Complete(bash.out, "wwctl offsets reset --");
  for (const char* o : {"--group", "--topic", "--to-time", "--export", "--from-file", "--execute",
                        "--bootstrap-servers", "--kafka-property", "--config", "--help"}) {
    EXPECT_TRUE(reset.count(o)) << o;
  }
  // Choices of an option's value.
  EXPECT_EQ(Complete(bash.out, "wwctl groups list --output j"), (std::set<std::string>{"json"}));
}

TEST(WwctlCompletion, ZshScriptAndUnknownShells) {
  Output zsh = Sh(Wwctl() + " completion zsh");
  ASSERT_EQ(zsh.code, 0);
  EXPECT_EQ(zsh.out.rfind("#compdef wwctl", 0), 0u);
  EXPECT_NE(zsh.out.find("bashcompinit"), std::string::npos);
  EXPECT_NE(zsh.out.find("\"offsets reset\""), std::string::npos);
  if (std::filesystem::exists("/usr/bin/zsh") || std::filesystem::exists("/bin/zsh")) {
    const std::string file =
        (std::filesystem::temp_directory_path() / "ww-completion.zsh").string();
    std::ofstream(file) << zsh.out;
    EXPECT_EQ(Sh("zsh -n " + file).code, 0);
  }
  EXPECT_EQ(Sh(Wwctl() + " completion fish 2>/dev/null").code, 2);
}

}  // namespace
