#include <cmath>
#include <cstdlib>
#include <fstream>

#include "absl/flags/flag.h"
#include "gtest/gtest.h"
#include "libs/runtime/config.h"
#include "libs/runtime/config_file.h"
#include "libs/runtime/ids.h"
#include "libs/runtime/json.h"
#include "libs/runtime/log.h"

ABSL_FLAG(std::string, test_bootstrap_servers, "127.0.0.1:9092", "for the test");
ABSL_FLAG(int, test_batch_size, 100, "for the test");
ABSL_FLAG(ww::runtime::KeyValues, test_property, {}, "for the test");

namespace ww::runtime {
namespace {

TEST(Config, EnvironmentNamesFollowTheFlag) {
  EXPECT_EQ(EnvNameForFlag("bootstrap_servers"), "WW_BOOTSTRAP_SERVERS");
}

TEST(Config, EnvironmentSetsFlags) {
  std::string a = "WW_TEST_BOOTSTRAP_SERVERS=10.1.1.1:9093", b = "WW_TEST_BATCH_SIZE=7",
              c = "PATH=/bin";
  char* env[] = {a.data(), b.data(), c.data(), nullptr};
  ASSERT_TRUE(ApplyEnvironment(env).ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_bootstrap_servers), "10.1.1.1:9093");
  EXPECT_EQ(absl::GetFlag(FLAGS_test_batch_size), 7);
}

TEST(Config, UnknownWwVariablesAreFoundNotSilentlyIgnored) {
  std::string a = "WW_TEST_BATCH_SIZ=7", b = "WW_TEST_BATCH_SIZE=7", c = "WW_LOG_LEVEL=debug",
              d = "HOME=/root", e = "WW_HUGE_PAGES=0";
  char* env[] = {a.data(), b.data(), c.data(), d.data(), e.data(), nullptr};
  EXPECT_EQ(UnknownEnvironment(env), std::vector<std::string>{"WW_TEST_BATCH_SIZ"});
}

TEST(Config, BadEnvironmentValueIsNamed) {
  std::string a = "WW_TEST_BATCH_SIZE=lots";
  char* env[] = {a.data(), nullptr};
  auto status = ApplyEnvironment(env);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("WW_TEST_BATCH_SIZE=lots"), std::string_view::npos);
  EXPECT_NE(status.message().find("--test_batch_size"), std::string_view::npos);
}

TEST(Config, RepeatedKeyValueFlagsKeepEveryOccurrenceWhole) {
  // The flag parser keeps only a flag's last occurrence; ParseConfig merges them first.
  std::vector<std::string> merged = MergeRepeatedFlags(
      {"ww-test", "--test_property", "sasl.jaas.config=a,b", "--test_batch_size=3",
       "--test_property=acks=all", "-test_property", "x=1", "--", "--test_property=after"});
  EXPECT_EQ(merged, (std::vector<std::string>{"ww-test", "--test_batch_size=3",
                                              "--test_property=sasl.jaas.config=a,b\nacks=all\nx=1",
                                              "--", "--test_property=after"}));
  KeyValues kv;
  std::string error;
  ASSERT_TRUE(AbslParseFlag("sasl.jaas.config=a,b\nacks=all", &kv, &error)) << error;
  using Pair = std::pair<std::string, std::string>;
  EXPECT_EQ(kv.pairs, (std::vector<Pair>{{"sasl.jaas.config", "a,b"}, {"acks", "all"}}));
  EXPECT_EQ(AbslUnparseFlag(kv), "sasl.jaas.config=a,b\nacks=all");
  EXPECT_FALSE(AbslParseFlag("acks", &kv, &error));
  EXPECT_NE(error.find("KEY=VALUE"), std::string::npos) << error;
  EXPECT_FALSE(AbslParseFlag("=all", &kv, &error));
}

TEST(Config, RepeatedKeyValueFlagFromTheEnvironmentTakesOnePerLine) {
  std::string a = "WW_TEST_PROPERTY=security.protocol=SSL\nssl.ca.location=/ca.pem";
  char* env[] = {a.data(), nullptr};
  ASSERT_TRUE(ApplyEnvironment(env).ok());
  ASSERT_EQ(absl::GetFlag(FLAGS_test_property).pairs.size(), 2u);
  EXPECT_EQ(absl::GetFlag(FLAGS_test_property).pairs[1].second, "/ca.pem");
}

TEST(ConfigFile, OneFormatForServicesAndWwctl) {
  auto entries = ParseConfigText(
      "# comment\n"
      "bootstrap-servers = 'broker:9093'  # quoted, trailing comment\n"
      "topic_prefix: ww2.\n"
      "\n"
      "kafka.sasl.username = alerts\n",
      "ww.conf");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].key, "bootstrap_servers");
  EXPECT_EQ((*entries)[0].value, "broker:9093");
  EXPECT_EQ((*entries)[0].line, 2);
  EXPECT_EQ((*entries)[1].key, "topic_prefix");
  EXPECT_EQ((*entries)[2].key, "kafka_property");
  EXPECT_EQ((*entries)[2].value, "sasl.username=alerts");
  auto bad = ParseConfigText("ok = 1\njust words\n", "ww.conf");
  EXPECT_EQ(bad.status().message(), "ww.conf:2: expected 'key = value' or 'key: value'");
  EXPECT_EQ(ReadConfigFile("/nonexistent/ww.conf").status().code(), absl::StatusCode::kNotFound);
}

TEST(ConfigFile, KeyValuesMergeByKeyStrongestLast) {
  auto merged =
      MergeKeyValues({{"acks=all", "linger.ms=5"}, {"acks=1", "retries=3"}, {"retries=9"}});
  ASSERT_TRUE(merged.ok());
  using Pair = std::pair<std::string, std::string>;
  EXPECT_EQ(*merged, (std::vector<Pair>{{"acks", "1"}, {"linger.ms", "5"}, {"retries", "9"}}));
  EXPECT_FALSE(MergeKeyValues({{"acks"}}).ok());
}

// The services' whole path: a --config file, then WW_* variables, then the command line, and
// KEY=VALUE flags merged by key across the three (as wwctl does). ParseConfig runs once a
// process, so this is its only test.
TEST(Config, ParseConfigReadsTheFileThenTheEnvironmentThenTheCommandLine) {
  const std::string path = ::testing::TempDir() + "/ww-runtime-config-test.conf";
  std::ofstream(path) << "test_bootstrap_servers = file:9092\n"
                         "test-batch-size: 5\n"
                         "test_property = acks=all\n"
                         "test_property = linger.ms=5\n";
  setenv("WW_TEST_BATCH_SIZE", "6", 1);
  setenv("WW_TEST_PROPERTY", "acks=1\nretries=3", 1);
  std::vector<std::string> args = {"ww-test", "--config=" + path, "--test_property=retries=9",
                                   "positional"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::vector<std::string> rest =
      ParseConfig(static_cast<int>(args.size()), argv.data(), "test");
  unsetenv("WW_TEST_BATCH_SIZE");
  unsetenv("WW_TEST_PROPERTY");
  EXPECT_EQ(rest, std::vector<std::string>{"positional"});
  EXPECT_EQ(absl::GetFlag(FLAGS_test_bootstrap_servers), "file:9092") << "file over default";
  EXPECT_EQ(absl::GetFlag(FLAGS_test_batch_size), 6) << "environment over file";
  using Pair = std::pair<std::string, std::string>;
  EXPECT_EQ(absl::GetFlag(FLAGS_test_property).pairs,
            (std::vector<Pair>{{"acks", "1"}, {"linger.ms", "5"}, {"retries", "9"}}));
}

// Golden values: article and alert ids are Kafka keys and dedup keys already in topics, so
// a change of algorithm must be deliberate (and migrated), never a side effect.
TEST(Ids, GoldenValues) {
  EXPECT_EQ(DeterministicId("ar", {"https://news.example/kim"}), "ar-1179304ee8a5c582");
  EXPECT_EQ(DeterministicId("al", {"mention:kim-jong-un", "ar-1"}), "al-51c2b627ec3b04c0");
  EXPECT_EQ(StableHashHex(""), "3ed1e35472b45453f0e2925799e28bfc");
  EXPECT_NE(StableHashHex("kim"), StableHashHex("kin"));
  EXPECT_NE(DeterministicId("a", {"xy", ""}), DeterministicId("a", {"x", "y"}));
  // Replay job ids and feed-to-replica assignment; see the note on the offset basis.
  EXPECT_EQ(Fnv1a64(""), 1469598103934665603ULL);
  EXPECT_EQ(Fnv1a64("wwctl"), 0x5de2191816d55e7eULL);
}

std::string Quoted(std::string_view s) { return ToJsonLine(std::string(s)); }

TEST(Json, QuotesAndEscapes) {
  EXPECT_EQ(Quoted("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(Quoted("Ким"), "\"Ким\"");
  EXPECT_EQ(Quoted(std::string_view("\x01", 1)), "\"\\u0001\"");
  EXPECT_EQ(Quoted("\xff"), "\"\xEF\xBF\xBD\"");
  // Strict: overlong forms, surrogates and F5..F7 lead bytes are not UTF-8 and become
  // U+FFFD, one per byte.
  EXPECT_EQ(Quoted("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");                  // overlong '/'
  EXPECT_EQ(Quoted("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
  EXPECT_EQ(Quoted("\xF5\x80\x80\x80").size(), 2u + 4 * 3);                       // > U+10FFFF
  EXPECT_EQ(Quoted("\xF0\x9F\x98\x80"), "\"\xF0\x9F\x98\x80\"");                  // U+1F600 stays
  EXPECT_EQ(Quoted("a\xE2\x82"), "\"a\xEF\xBF\xBD\"");  // truncated at the end
}

TEST(Json, ObjectsKeepTheirKeyOrderOnOneLine) {
  EXPECT_EQ(ToJsonLine({{"z", 1}, {"a", nullptr}, {"m", {{"k", "v\n"}}}, {"x", 0.25}}),
            "{\"z\":1,\"a\":null,\"m\":{\"k\":\"v\\n\"},\"x\":0.25}");
}

TEST(Json, InvalidUtf8InAKeyIsReplacedNotThrown) {
  nlohmann::ordered_json j;
  j["k\xff"] = "v";
  EXPECT_EQ(ToJsonLine(j), "{\"k\xEF\xBF\xBD\":\"v\"}");
}

TEST(Log, OneJsonObjectALineWithNumbersAsNumbers) {
  testing::internal::CaptureStderr();
  Logger("test").Info(
      "fetched \"feed\"",
      {{"url", "https://x/\xff"}, {"items", 12}, {"ratio", 0.5}, {"bad", std::nan("")}});
  const std::string line = testing::internal::GetCapturedStderr();
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  auto j = nlohmann::ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << line;
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["logger"], "test");
  EXPECT_EQ(j["msg"], "fetched \"feed\"");
  EXPECT_EQ(j["url"], "https://x/\xEF\xBF\xBD");
  EXPECT_EQ(j["items"], 12);
  EXPECT_EQ(j["ratio"], 0.5);
  EXPECT_EQ(j["bad"], "nan");  // JSON has no NaN: kept as a string rather than broken JSON
  EXPECT_EQ(j.begin().key(), "ts");
}

}  // namespace
}  // namespace ww::runtime

namespace ww::runtime {
namespace {

TEST(LogLimiter, LetsOneLineASecondThroughAndCountsTheOthers) {
  LogLimiter limiter(std::chrono::seconds(1));
  const auto t0 = std::chrono::steady_clock::time_point() + std::chrono::hours(1);
  int64_t held = -1;
  EXPECT_TRUE(limiter.AllowAt(t0, &held));
  EXPECT_EQ(held, 0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.AllowAt(t0 + std::chrono::milliseconds(300 * i), &held));
  }
  EXPECT_TRUE(limiter.AllowAt(t0 + std::chrono::seconds(1), &held));
  EXPECT_EQ(held, 3) << "the next line reports the lines held back";
  EXPECT_TRUE(limiter.AllowAt(t0 + std::chrono::seconds(5), &held));
  EXPECT_EQ(held, 0);
}

}  // namespace
}  // namespace ww::runtime
