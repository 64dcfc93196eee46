#include "tools/wwctl/cli.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace ww::wwctl {
namespace {

Command Tail() {
  return {{"alerts", "tail"},
          "Streams alerts.",
          "[--entity ID]...",
          "wwctl alerts tail --limit 3",
          {{"entity", "ID", "only this entity", "", true},
           {"limit", "N", "stop after N alerts", "0"},
           {"output", "FORMAT", "text or json", "text"},
           {"quiet", "", "say less", ""}},
          nullptr};
}

TEST(Cli, ParsesValuesSwitchesAndPositionals) {
  Cli cli({{"bootstrap-servers", "HOST:PORT", "brokers", "127.0.0.1:9092"}});
  auto p = cli.Parse(
      Tail(), {"--entity", "kim", "--entity=putin", "--quiet", "file.txt", "--limit", "3"}, {});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->values("entity"), (std::vector<std::string>{"kim", "putin"}));
  EXPECT_EQ(p->value("limit"), "3");
  EXPECT_TRUE(p->has("quiet"));
  EXPECT_EQ(p->value("output"), "text");
  EXPECT_EQ(p->value("bootstrap-servers"), "127.0.0.1:9092");
  EXPECT_EQ(p->positional(), (std::vector<std::string>{"file.txt"}));
}

TEST(Cli, EnvironmentFillsWhatTheCommandLineLeavesOut) {
  Cli cli({{"bootstrap-servers", "HOST:PORT", "brokers", "127.0.0.1:9092"}});
  auto p = cli.Parse(Tail(), {"--limit", "1"},
                     {{"WW_BOOTSTRAP_SERVERS", "10.0.0.1:9092"}, {"WW_LIMIT", "9"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->value("bootstrap-servers"), "10.0.0.1:9092");
  EXPECT_EQ(p->value("limit"), "1") << "the command line wins";
}

TEST(Cli, ClearErrors) {
  Cli cli({});
  auto unknown = cli.Parse(Tail(), {"--entitty", "kim"}, {});
  EXPECT_NE(unknown.status().message().find("unknown option --entitty"), std::string_view::npos);
  auto missing = cli.Parse(Tail(), {"--limit"}, {});
  EXPECT_NE(missing.status().message().find("--limit needs a value (N)"), std::string_view::npos);
}

TEST(Cli, HelpListsOptionsDefaultsAndExample) {
  Cli cli({{"bootstrap-servers", "HOST:PORT", "brokers", "127.0.0.1:9092"}});
  std::string h = cli.Help(Tail());
  EXPECT_NE(h.find("Usage: wwctl alerts tail"), std::string::npos);
  EXPECT_NE(h.find("--limit N"), std::string::npos);
  EXPECT_NE(h.find("(default: text)"), std::string::npos);
  EXPECT_NE(h.find("Example:\n  wwctl alerts tail --limit 3"), std::string::npos);
  EXPECT_NE(h.find("WW_BOOTSTRAP_SERVERS"), std::string::npos);
}

TEST(Cli, ConnectionOptionsMayComeBeforeTheCommand) {
  Cli cli({{"bootstrap-servers", "HOST:PORT", "brokers", "127.0.0.1:9092"}});
  std::string seen;
  Command c{{"topics", "list"}, "Lists topics.", "", "", {}, [&](const ParsedArgs& a) {
              seen = a.value("bootstrap-servers");
              return 0;
            }};
  cli.Add(c);
  EXPECT_EQ(cli.Run({"--bootstrap-servers", "10.0.0.1:9092", "topics", "list"}), 0);
  EXPECT_EQ(seen, "10.0.0.1:9092");
  EXPECT_EQ(cli.Run({"--bootstrap-servers=10.0.0.2:9092", "topics", "list"}), 0);
  EXPECT_EQ(seen, "10.0.0.2:9092");
}

// The connection options as main.cc declares them (config file and librdkafka properties).
Cli WithConfig() {
  return Cli({{"bootstrap-servers", "HOST:PORT", "brokers", "127.0.0.1:9092"},
              {"topic-prefix", "PREFIX", "prefix", "ww."},
              {"token", "TOKEN", "bearer token", ""},
              {"kafka-property", "KEY=VALUE", "librdkafka property", "", true, true},
              {"config", "FILE", "config file", ""}});
}

std::string WriteFile(const std::string& name, const std::string& text) {
  std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(Cli, CommandLineBeatsEnvironmentBeatsConfigFileBeatsDefault) {
  const std::string file = WriteFile("ww-cli-precedence.conf",
                                     "# wwctl settings\n"
                                     "bootstrap-servers = file:9092\n"
                                     "topic_prefix: file.\n"
                                     "token = \"from-file\"\n"
                                     "kafka.security.protocol = SASL_SSL\n"
                                     "kafka.sasl.username = file-user\n"
                                     "kafka.ssl.ca.location: /etc/file-ca.pem\n");
  const std::map<std::string, std::string> env = {
      {"WW_CONFIG", file},
      {"WW_TOPIC_PREFIX", "env."},
      {"WW_TOKEN", "from-env"},
      {"WW_KAFKA_PROPERTY", "sasl.username=env-user\nsasl.mechanism=PLAIN"}};
  auto p = WithConfig().Parse(
      Tail(), {"--token", "from-line", "--kafka-property", "sasl.mechanism=SCRAM-SHA-512"}, env);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->value("token"), "from-line") << "command line over environment and file";
  EXPECT_EQ(p->value("topic-prefix"), "env.") << "environment over file";
  EXPECT_EQ(p->value("bootstrap-servers"), "file:9092") << "file over default";
  // Kafka properties merge by key, each from the strongest source that has it.
  std::vector<std::string> props = p->values("kafka-property");
  std::sort(props.begin(), props.end());
  EXPECT_EQ(props, (std::vector<std::string>{"sasl.mechanism=SCRAM-SHA-512",
                                             "sasl.username=env-user", "security.protocol=SASL_SSL",
                                             "ssl.ca.location=/etc/file-ca.pem"}));

  auto defaults = WithConfig().Parse(Tail(), {}, {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->value("bootstrap-servers"), "127.0.0.1:9092");
  EXPECT_TRUE(defaults->values("kafka-property").empty());
}

TEST(Cli, ConfigFileFromFlagOrTheDefaultPlace) {
  const std::string named = WriteFile("ww-cli-named.conf", "bootstrap-servers = named:1\n");
  auto p = WithConfig().Parse(Tail(), {"--config", named}, {{"WW_CONFIG", "/nonexistent"}});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->value("bootstrap-servers"), "named:1") << "--config over WW_CONFIG";

  const auto home = std::filesystem::temp_directory_path() / "ww-cli-home";
  std::filesystem::create_directories(home / ".config/wirewatch");
  std::ofstream((home / ".config/wirewatch/wwctl.conf").string()) << "bootstrap-servers=home:2\n";
  auto h = WithConfig().Parse(Tail(), {}, {{"HOME", home.string()}});
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->value("bootstrap-servers"), "home:2");

  auto none = WithConfig().Parse(Tail(), {}, {{"HOME", "/nonexistent"}});
  ASSERT_TRUE(none.ok()) << "a missing default file is fine";
  auto missing = WithConfig().Parse(Tail(), {"--config", "/nonexistent/wwctl.conf"}, {});
  EXPECT_FALSE(missing.ok()) << "a missing named file is an error";
}

TEST(Cli, ConfigFileErrorsNameTheLine) {
  auto parse = [](const std::string& text) {
    const std::string f = WriteFile("ww-cli-bad.conf", text);
    return WithConfig().Parse(Tail(), {"--config", f}, {});
  };
  auto unknown = parse("bootstrap-servers = x\nbootstrap-server = y\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find(":2: unknown key 'bootstrap-server'"),
            std::string_view::npos)
      << unknown.status();
  auto no_value = parse("just words\n");
  ASSERT_FALSE(no_value.ok());
  EXPECT_NE(no_value.status().message().find(":1: expected 'key = value'"), std::string_view::npos);
  auto bad_property = WithConfig().Parse(Tail(), {"--kafka-property", "debug"}, {});
  ASSERT_FALSE(bad_property.ok());
  EXPECT_NE(bad_property.status().message().find("KEY=VALUE"), std::string_view::npos);
}

TEST(Cli, CompletionCoversEveryCommandAndOption) {
  Cli cli = WithConfig();
  cli.Add(Tail());
  cli.Add({{"alerts", "list"}, "Lists alerts.", "", "", {{"since", "T", "from", ""}}, nullptr});
  cli.Add({{"status"}, "Health.", "", "", {}, nullptr});
  auto bash = cli.Completion("bash");
  ASSERT_TRUE(bash.ok());
  for (const char* word : {"\"alerts tail\"", "\"alerts list\"", "\"status\"", "--entity",
                           "--since", "--kafka-property", "--config", "complete -o default"}) {
    EXPECT_NE(bash->find(word), std::string::npos) << word;
  }
  EXPECT_FALSE(cli.Completion("fish").ok());
}

TEST(Cli, Durations) {
  EXPECT_EQ(*ParseDuration("30s"), absl::Seconds(30));
  EXPECT_EQ(*ParseDuration("3d"), absl::Hours(72));
  EXPECT_FALSE(ParseDuration("soon").ok());
}

}  // namespace
}  // namespace ww::wwctl

namespace ww::wwctl {
namespace {
// One parser for every command's times (alerts list --since 2026-11-28 used to be refused
// while replay --since 2026-11-28 worked).
TEST(Cli, OneTimeParserForEveryCommand) {
  EXPECT_EQ(*ParseTimeArg("2026-11-28T10:00:00Z"), 1795860000000);
  EXPECT_EQ(*ParseTimeArg("2026-11-28"), 1795824000000);
  EXPECT_EQ(*ParseTimeArg("2026-11-28T10:00"), 1795860000000);
  const int64_t now = absl::ToUnixMillis(absl::Now());
  auto age = ParseTimeArg("3d");
  ASSERT_TRUE(age.ok());
  EXPECT_NEAR(static_cast<double>(now - *age), 3 * 86400e3, 60e3);
  EXPECT_NEAR(static_cast<double>(*ParseTimeArg("now")), static_cast<double>(now), 60e3);
  auto bad = ParseTimeArg("yesterday");
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_NE(bad.status().message().find("2026-11-28"), std::string::npos) << bad.status();
}
}  // namespace
}  // namespace ww::wwctl
