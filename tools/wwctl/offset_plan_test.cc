#include "tools/wwctl/offset_plan.h"

#include "gtest/gtest.h"

namespace ww::wwctl {
namespace {

TEST(OffsetPlan, RoundTripsThroughJson) {
  OffsetPlan plan{"ww-tagger", "ww.articles.unique", {{0, 120, 100}, {2, -1, 7}}};
  auto back = OffsetPlanFromJson(OffsetPlanToJson(plan));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->group, "ww-tagger");
  EXPECT_EQ(back->topic, "ww.articles.unique");
  ASSERT_EQ(back->changes.size(), 2u);
  EXPECT_EQ(back->changes[0].partition, 0);
  EXPECT_EQ(back->changes[0].current, 120);
  EXPECT_EQ(back->changes[0].target, 100);
  EXPECT_EQ(back->changes[1].partition, 2);
  EXPECT_EQ(back->changes[1].current, -1);
  EXPECT_EQ(back->changes[1].target, 7);
}

TEST(OffsetPlan, AHandWrittenPlanNeedsOnlyPartitionsAndTargets) {
  auto plan =
      OffsetPlanFromJson(R"({"group":"g","topic":"t","partitions":[{"partition":1,"target":5}]})");
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->changes.size(), 1u);
  EXPECT_EQ(plan->changes[0].partition, 1);
  EXPECT_EQ(plan->changes[0].target, 5);
}

TEST(OffsetPlan, RefusesWhatItCannotApplySafely) {
  auto message = [](const std::string& text) {
    auto p = OffsetPlanFromJson(text);
    EXPECT_FALSE(p.ok()) << text;
    return std::string(p.status().message());
  };
  EXPECT_NE(message("group,topic\ng,t").find("not a plan"), std::string::npos);
  EXPECT_NE(message(R"({"topic":"t","partitions":[{"partition":0,"target":1}]})").find("\"group\""),
            std::string::npos);
  EXPECT_NE(message(R"({"group":"g","topic":"t","partitions":[]})").find("partitions"),
            std::string::npos);
  EXPECT_NE(message(R"({"group":"g","topic":"t","partitions":[{"partition":0,"target":"1"}]})")
                .find("whole numbers"),
            std::string::npos);
  EXPECT_NE(message(R"({"group":"g","topic":"t","partitions":[{"partition":0,"target":-2}]})")
                .find("negative"),
            std::string::npos);
  EXPECT_NE(message(R"({"group":"g","topic":"t","partitions":[{"partition":0,"target":1},)"
                    R"({"partition":0,"target":2}]})")
                .find("twice"),
            std::string::npos);
}

}  // namespace
}  // namespace ww::wwctl
