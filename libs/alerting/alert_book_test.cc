#include "libs/alerting/alert_book.h"

#include "gtest/gtest.h"

namespace ww::alerting {
namespace {

constexpr int64_t kHour = int64_t{3600} * 1000;

// The deduper's view of a subject after `articles` articles from `outlets` outlets.
SubjectView View(int64_t articles, int64_t outlets, int64_t reports = 1,
                 const std::string& url = "u") {
  SubjectView v;
  for (int64_t i = 0; i < outlets; ++i) v.outlets.push_back("outlet-" + std::to_string(i));
  v.outlet_count = outlets;
  v.reports = reports;
  v.articles = articles;
  v.latest_url = url;
  return v;
}

TEST(AlertBook, OneAlertPerRuleAndStoryUpdatedAsOutletsCarryIt) {
  AlertBook book;
  auto raised = book.Fired("r", 6 * kHour, "story:s1", "s1", View(1, 1), 0);
  ASSERT_TRUE(raised.has_value());
  EXPECT_TRUE(raised->raised);
  EXPECT_EQ(raised->state.version, 1);
  EXPECT_FALSE(book.Fired("r", 6 * kHour, "story:s1", "s1", View(1, 1), 1).has_value())
      << "a replay of the same article says nothing new";
  for (int i = 2; i <= 50; ++i) {
    auto ev = book.Carried("story:s1", View(i, i), i);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_FALSE(ev[0].raised);
    EXPECT_EQ(ev[0].state.alert_id, raised->state.alert_id);
    EXPECT_EQ(ev[0].state.version, i);
    EXPECT_EQ(ev[0].state.view.outlet_count, i);
  }
  EXPECT_TRUE(book.Carried("story:s1", View(51, 50, 1, "u2"), 60).empty())
      << "a known outlet's copy";
  EXPECT_EQ(book.alerts(), 1u);
}

TEST(AlertBook, AnotherReportOfTheStoryThatFiresTheRuleUpdatesTheAlert) {
  AlertBook book;
  auto first = book.Fired("r", 6 * kHour, "story:s1", "s1", View(1, 1, 1), 0);
  // A second, independent report from the same outlet: one more report, no new outlet.
  auto second = book.Fired("r", 6 * kHour, "story:s1", "s1", View(2, 1, 2, "u2"), kHour);
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(second->raised);
  EXPECT_EQ(second->state.alert_id, first->state.alert_id);
  EXPECT_EQ(second->state.version, 2);
  EXPECT_EQ(second->state.view.reports, 2);
  EXPECT_EQ(second->state.view.latest_url, "u2");
}

TEST(AlertBook, PerCopyAndPerStorySubjectsAreApartEvenWithOneId) {
  AlertBook book;
  // The first report's id names both its copy cluster and its story.
  auto story = book.Fired("a", kHour, "story:x", "x", View(1, 1), 0);
  auto copy = book.Fired("b", kHour, "copy:x", "x", View(1, 1), 0);
  ASSERT_TRUE(story && copy);
  // Another report joins the story: only the story's alert grows.
  auto ev = book.Carried("story:x", View(2, 2, 2), 1);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].state.rule_id, "a");
  EXPECT_TRUE(book.Carried("copy:x", View(1, 1), 1).empty());
}

TEST(AlertBook, GrowthAfterTheCooldownRaisesANewAlert) {
  AlertBook book;
  auto first = book.Fired("r", 6 * kHour, "story:s1", "s1", View(1, 1), 0);
  auto late = book.Carried("story:s1", View(2, 2), 7 * kHour);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_TRUE(late[0].raised);
  EXPECT_EQ(late[0].state.epoch, 1);
  EXPECT_NE(late[0].state.alert_id, first->state.alert_id);
  EXPECT_EQ(late[0].state.view.outlet_count, 2);
}

TEST(AlertBook, CopiesSeenBeforeTheAlertAreCountedWhenItIsRaised) {
  AlertBook book;
  // The copy's record (duplicates topic) overtook its report's (through the tagger).
  EXPECT_TRUE(book.Carried("story:s1", View(2, 2), 0).empty());
  auto raised = book.Fired("r", kHour, "story:s1", "s1", View(1, 1), 1);
  ASSERT_TRUE(raised.has_value());
  EXPECT_EQ(raised->state.view.outlet_count, 2);
}

TEST(AlertBook, RollbackUndoesTheAbortedBatch) {
  AlertBook book;
  ASSERT_TRUE(book.Fired("r", kHour, "story:s1", "s1", View(1, 1), 0).has_value());
  book.Commit(0);
  ASSERT_EQ(book.Carried("story:s1", View(2, 2), 1).size(), 1u);
  ASSERT_TRUE(book.Fired("r", kHour, "story:s2", "s2", View(1, 1), 1).has_value());
  book.Rollback();
  // The batch is read again: the same events come out again, not "nothing new".
  auto again = book.Carried("story:s1", View(2, 2), 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].state.version, 2);
  EXPECT_TRUE(book.Fired("r", kHour, "story:s2", "s2", View(1, 1), 1).has_value());
}

TEST(AlertBook, RememberedAlertsAreNotRaisedAgainAfterARestart) {
  AlertBook book;
  AlertState st{"r", "story:s1", "s1", "al-x", 0, 3, 0, kHour, "payload", View(3, 3)};
  book.Remember(st);
  EXPECT_FALSE(book.Fired("r", kHour, "story:s1", "s1", View(1, 1), 1).has_value());
  auto ev = book.Carried("story:s1", View(4, 4), 2);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].state.version, 4);
  EXPECT_EQ(ev[0].state.view.outlet_count, 4);
}

}  // namespace
}  // namespace ww::alerting
