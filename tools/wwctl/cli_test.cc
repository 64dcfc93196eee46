#include "gtest/gtest.h"
#include "tools/wwctl/cli.h"

namespace ww::wwctl {
namespace {

Command Tail() {
  return {{"alerts", "tail"}, "Streams alerts.", "[--entity ID]...", "wwctl alerts tail --limit 3",
          {{"entity", "ID", "only this entity", "", true},
           {"limit", "N", "stop after N alerts", "0"},
           {"output", "FORMAT", "text or json", "text"},
           {"quiet", "", "say less", ""}},
          nullptr};
}

TEST(Cli, ParsesValuesSwitchesAndPositionals) {
  Cli cli({{"bootstrap-servers", "HOST:PORT", "brokers", "127.0.0.1:9092"}});
  auto p = cli.Parse(Tail(), {"--entity", "kim", "--entity=putin", "--quiet", "file.txt",
                              "--limit", "3"}, {});
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

TEST(Cli, Durations) {
  EXPECT_EQ(*ParseDuration("30s"), absl::Seconds(30));
  EXPECT_EQ(*ParseDuration("3d"), absl::Hours(72));
  EXPECT_FALSE(ParseDuration("soon").ok());
}

}  // namespace
}  // namespace ww::wwctl
