#include "gtest/gtest.h"
#include "libs/dedup/exact_window.h"
#include "libs/dedup/fingerprint.h"

namespace ww::dedup {
namespace {

constexpr int64_t kHour = 3600 * 1000;

TEST(ContentHash, IgnoresCaseQuotesDashesAndSpacing) {
  EXPECT_EQ(ContentHash("Kim Jong Un’s train arrived."), ContentHash("KIM JONG UN'S  train arrived.\n"));
  EXPECT_NE(ContentHash("Kim's train arrived."), ContentHash("Kim's train left."));
  EXPECT_EQ(ContentHash("  \n "), "");
}

TEST(ExactWindow, SameUrlOrSameTextIsACopy) {
  ExactWindow w(72 * kHour);
  EXPECT_FALSE(w.CheckAndAdd("https://a.example/x", "h1", {"a1", "c1", 0}, 0));
  auto by_url = w.CheckAndAdd("https://a.example/x", "h2", {"a2", "c2", kHour}, kHour);
  ASSERT_TRUE(by_url);
  EXPECT_EQ(by_url->article_id, "a1");
  auto by_text = w.CheckAndAdd("https://b.example/y", "h1", {"a3", "c3", kHour}, kHour);
  ASSERT_TRUE(by_text);
  EXPECT_EQ(by_text->cluster_id, "c1");
  EXPECT_FALSE(w.CheckAndAdd("", "", {"a4", "c4", kHour}, kHour)) << "nothing to compare";
  EXPECT_FALSE(w.CheckAndAdd("", "", {"a5", "c5", kHour}, kHour));
}

TEST(ExactWindow, ForgetsAfterTheWindow) {
  ExactWindow w(72 * kHour);
  EXPECT_FALSE(w.CheckAndAdd("u", "h", {"a1", "c1", 0}, 0));
  EXPECT_TRUE(w.CheckAndAdd("u", "h", {"a2", "c2", 71 * kHour}, 71 * kHour));
  EXPECT_FALSE(w.CheckAndAdd("u", "h", {"a3", "c3", 73 * kHour}, 73 * kHour));
}

TEST(ExactWindow, RollbackForgetsWhatTheAbortedBatchAdded) {
  ExactWindow w(72 * kHour);
  EXPECT_FALSE(w.CheckAndAdd("u1", "h1", {"a1", "c1", 0}, 0));
  w.Commit();
  EXPECT_FALSE(w.CheckAndAdd("u2", "h2", {"a2", "c2", 1}, 1));
  w.Rollback();
  // The batch is read again after an abort: the same article must not be its own copy.
  EXPECT_FALSE(w.CheckAndAdd("u2", "h2", {"a2", "c2", 1}, 1));
  EXPECT_TRUE(w.CheckAndAdd("u1", "", {"a3", "c3", 2}, 2));
}

}  // namespace
}  // namespace ww::dedup
