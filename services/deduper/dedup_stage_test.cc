#include "gtest/gtest.h"
#include "services/deduper/dedup_stage.h"
#include "ww/v1/records.pb.h"

namespace ww::services {
namespace {

kafka::Record ArticleRecord(const std::string& id, const std::string& url, const std::string& text) {
  ww::v1::Article a;
  a.set_id(id);
  a.set_url(url);
  a.set_text(text);
  return {"raw", 0, 0, id, a.SerializeAsString(), false, {}, 0};
}

TEST(DedupStage, FirstCopyIsUniqueLaterCopiesAreDuplicatesOfIt) {
  DedupStage stage("unique", "dups", 3600 * 1000);
  auto first = stage.Process(ArticleRecord("a1", "https://x/1", "Kim's train arrived."));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].topic, "unique");
  ww::v1::Article out;
  ASSERT_TRUE(out.ParseFromString((*first)[0].value));
  EXPECT_EQ(out.cluster_id(), "a1");

  auto copy = stage.Process(ArticleRecord("a2", "https://y/2", "KIM’S train  arrived."));
  ASSERT_TRUE(copy.ok());
  ASSERT_EQ(copy->size(), 1u);
  EXPECT_EQ((*copy)[0].topic, "dups");
  ASSERT_TRUE(out.ParseFromString((*copy)[0].value));
  EXPECT_EQ(out.cluster_id(), "a1");
  ASSERT_EQ((*copy)[0].headers.size(), 1u);
  EXPECT_EQ((*copy)[0].headers[0].value, "a1");
}

TEST(DedupStage, RedeliveryOfTheFirstCopyProducesNothing) {
  DedupStage stage("unique", "dups", 3600 * 1000);
  ASSERT_TRUE(stage.Process(ArticleRecord("a1", "https://x/1", "text")).ok());
  auto again = stage.Process(ArticleRecord("a1", "https://x/1", "text"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST(DedupStage, GarbageIsRefusedWithAReason) {
  DedupStage stage("unique", "dups", 3600 * 1000);
  auto r = stage.Process({"raw", 0, 7, "k", "\xff\xff not protobuf", false, {}, 0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DedupStage, RollbackLetsTheBatchBeReadAgain) {
  DedupStage stage("unique", "dups", 3600 * 1000);
  ASSERT_EQ((*stage.Process(ArticleRecord("a1", "u", "t")))[0].topic, "unique");
  stage.Rollback();
  EXPECT_EQ((*stage.Process(ArticleRecord("a1", "u", "t")))[0].topic, "unique");
}

}  // namespace
}  // namespace ww::services
