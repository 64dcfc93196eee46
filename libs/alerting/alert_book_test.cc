#include "libs/alerting/alert_book.h"

#include "gtest/gtest.h"

namespace ww::alerting {
namespace {

constexpr int64_t kHour = int64_t{3600} * 1000;

TEST(AlertBook, OneAlertPerRuleAndStoryUpdatedAsOutletsCarryIt) {
  AlertBook book;
  auto raised = book.Fired("r", 6 * kHour, "c1", "wire", "https://wire/1", 0);
  ASSERT_TRUE(raised.has_value());
  EXPECT_TRUE(raised->raised);
  EXPECT_EQ(raised->state.version, 1);
  EXPECT_FALSE(book.Fired("r", 6 * kHour, "c1", "wire", "https://wire/1", 1).has_value())
      << "a replay of the same story says nothing new";
  for (int i = 2; i <= 50; ++i) {
    auto ev = book.Copied("c1", "outlet-" + std::to_string(i), "https://o/" + std::to_string(i), i);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_FALSE(ev[0].raised);
    EXPECT_EQ(ev[0].state.alert_id, raised->state.alert_id);
    EXPECT_EQ(ev[0].state.version, i);
    EXPECT_EQ(ev[0].story.count, i);
  }
  EXPECT_TRUE(book.Copied("c1", "outlet-7", "https://o/7b", 60).empty()) << "a known outlet";
  EXPECT_EQ(book.alerts(), 1u);
}

TEST(AlertBook, ACopyAfterTheCooldownRaisesANewAlert) {
  AlertBook book;
  auto first = book.Fired("r", 6 * kHour, "c1", "wire", "u", 0);
  auto late = book.Copied("c1", "late-paper", "u2", 7 * kHour);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_TRUE(late[0].raised);
  EXPECT_EQ(late[0].state.epoch, 1);
  EXPECT_NE(late[0].state.alert_id, first->state.alert_id);
  EXPECT_EQ(late[0].story.count, 2);
}

TEST(AlertBook, CopiesBeforeTheAlertAreCountedWhenItIsRaised) {
  AlertBook book;
  EXPECT_TRUE(book.Copied("c1", "paper-b", "u-b", 0).empty());
  auto raised = book.Fired("r", kHour, "c1", "wire", "u-a", 1);
  ASSERT_TRUE(raised.has_value());
  EXPECT_EQ(raised->story.count, 2);
}

TEST(AlertBook, RollbackUndoesTheAbortedBatch) {
  AlertBook book;
  ASSERT_TRUE(book.Fired("r", kHour, "c1", "wire", "u", 0).has_value());
  book.Commit(0);
  ASSERT_EQ(book.Copied("c1", "paper", "u2", 1).size(), 1u);
  ASSERT_TRUE(book.Fired("r", kHour, "c2", "wire", "v", 1).has_value());
  book.Rollback();
  // The batch is read again: the same events come out again, not "nothing new".
  auto again = book.Copied("c1", "paper", "u2", 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].state.version, 2);
  EXPECT_TRUE(book.Fired("r", kHour, "c2", "wire", "v", 1).has_value());
}

TEST(AlertBook, RememberedAlertsAreNotRaisedAgainAfterARestart) {
  AlertBook book;
  AlertState st{"r", "c1", "al-x", 0, 3, 0, kHour, "payload"};
  book.Remember(st, {{"a", "b", "c"}, 3, "u", 0});
  EXPECT_FALSE(book.Fired("r", kHour, "c1", "a", "u", 1).has_value());
  auto ev = book.Copied("c1", "d", "u4", 2);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].state.version, 4);
  EXPECT_EQ(ev[0].story.count, 4);
}

}  // namespace
}  // namespace ww::alerting
