#include "gtest/gtest.h"
#include "services/alerter/alert_hub.h"
#include "services/alerter/alert_stage.h"
#include "ww/v1/records.pb.h"

namespace ww::services {
namespace {

ww::v1::Mention Mention(const std::string& entity, uint32_t start) {
  ww::v1::Mention m;
  m.set_entity_id(entity);
  m.set_entity_name(entity + " name");
  m.set_alias(entity);
  m.set_field("text");
  m.set_start(start);
  m.set_end(start + 3);
  m.set_snippet("..." + entity + "...");
  return m;
}

TEST(AlertStage, OneAlertPerEntityWithDeterministicIds) {
  ww::v1::TaggedArticle t;
  t.mutable_article()->set_id("a1");
  t.mutable_article()->set_cluster_id("c1");
  t.mutable_article()->set_title("Kim meets Putin");
  *t.add_mentions() = Mention("kim", 0);
  *t.add_mentions() = Mention("putin", 9);
  *t.add_mentions() = Mention("kim", 20);
  AlertStage stage("alerts");
  auto out = stage.Process({"tagged", 0, 0, "a1", t.SerializeAsString(), false, {}, 0});
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 2u);
  ww::v1::Alert kim;
  ASSERT_TRUE(kim.ParseFromString((*out)[0].value));
  EXPECT_EQ(kim.entity_id(), "kim");
  EXPECT_EQ(kim.entity_name(), "kim name");
  EXPECT_EQ(kim.mentions_size(), 2);
  EXPECT_EQ(kim.title(), "Kim meets Putin");
  EXPECT_EQ((*out)[0].key, kim.id());
  auto again = stage.Process({"tagged", 0, 1, "a1", t.SerializeAsString(), false, {}, 0});
  EXPECT_EQ((*again)[0].key, kim.id()) << "same rule and story, same alert id";
}

TEST(AlertStage, NoMentionsNoAlerts) {
  ww::v1::TaggedArticle t;
  t.mutable_article()->set_id("a1");
  AlertStage stage("alerts");
  EXPECT_TRUE(stage.Process({"tagged", 0, 0, "a1", t.SerializeAsString(), false, {}, 0})->empty());
}

ww::v1::Alert AlertFor(const std::string& id, const std::string& entity) {
  ww::v1::Alert a;
  a.set_id(id);
  a.set_entity_id(entity);
  return a;
}

TEST(AlertHub, FiltersByEntityAndNeverRepeatsAnId) {
  AlertHub hub;
  auto all = hub.Subscribe({});
  auto kim = hub.Subscribe({"kim"});
  hub.Publish(AlertFor("x1", "kim"));
  hub.Publish(AlertFor("x2", "putin"));
  hub.Publish(AlertFor("x1", "kim"));  // replayed
  EXPECT_EQ(all->Next(absl::ZeroDuration())->id(), "x1");
  EXPECT_EQ(all->Next(absl::ZeroDuration())->id(), "x2");
  EXPECT_FALSE(all->Next(absl::ZeroDuration()).has_value());
  EXPECT_EQ(kim->Next(absl::ZeroDuration())->id(), "x1");
  EXPECT_FALSE(kim->Next(absl::ZeroDuration()).has_value());
}

TEST(AlertHub, SlowSubscriberIsCutOffOthersAreNot) {
  AlertHub hub(/*max_queue=*/2);
  auto slow = hub.Subscribe({});
  auto fast = hub.Subscribe({});
  for (int i = 0; i < 3; ++i) {
    hub.Publish(AlertFor("a" + std::to_string(i), "kim"));
    ASSERT_TRUE(fast->Next(absl::ZeroDuration()).has_value());
  }
  EXPECT_TRUE(slow->overflowed());
  EXPECT_FALSE(fast->overflowed());
}

}  // namespace
}  // namespace ww::services
