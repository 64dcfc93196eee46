#include "gtest/gtest.h"
#include "libs/dedup/fingerprint.h"

namespace ww::dedup {
namespace {

constexpr int64_t kHour = int64_t{3600} * 1000;

TEST(ContentHash, IgnoresCaseQuotesDashesAndSpacing) {
  EXPECT_EQ(ContentHash("Kim Jong Un’s train arrived."),
            ContentHash("KIM JONG UN'S  train arrived.\n"));
  EXPECT_NE(ContentHash("Kim's train arrived."), ContentHash("Kim's train left."));
  EXPECT_EQ(ContentHash("  \n "), "");
}

}  // namespace
}  // namespace ww::dedup
