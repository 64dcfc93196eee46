#include "gtest/gtest.h"
#include "libs/alerting/evaluate.h"

namespace ww::alerting {
namespace {

EntityMention M(std::string entity, uint32_t start) {
  return {entity, entity, "text", start, start + 3, "xxx", "... xxx ..."};
}

TEST(Evaluate, OneAlertPerEntityWithAllItsMentions) {
  TaggedStory s{"a1", "c1", {M("kim", 0), M("putin", 10), M("kim", 20)}};
  auto alerts = Evaluate(s);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].entity_id, "kim");
  EXPECT_EQ(alerts[0].rule_id, "mention:kim");
  EXPECT_EQ(alerts[0].mentions.size(), 2u);
  EXPECT_EQ(alerts[1].entity_id, "putin");
}

TEST(Evaluate, NoMentionsNoAlerts) { EXPECT_TRUE(Evaluate({"a1", "c1", {}}).empty()); }

TEST(Evaluate, AlertIdsDependOnRuleAndStoryOnly) {
  auto a = Evaluate({"a1", "story", {M("kim", 0)}});
  auto b = Evaluate({"a2", "story", {M("kim", 5)}});  // another copy of the same story
  auto c = Evaluate({"a3", "other", {M("kim", 0)}});
  EXPECT_EQ(a[0].alert_id, b[0].alert_id);
  EXPECT_NE(a[0].alert_id, c[0].alert_id);
  EXPECT_EQ(a[0].alert_id, AlertId("mention:kim", "story"));
}

}  // namespace
}  // namespace ww::alerting
