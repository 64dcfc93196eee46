#include "services/tagger/tag_stage.h"

#include "gtest/gtest.h"
#include "ww/v1/records.pb.h"

namespace ww::services {
namespace {

MatcherSnapshot Snapshot() {
  tagging::Watchlist wl;
  wl.entities.push_back({"kim-jong-un", "Kim Jong Un", tagging::EntityKind::kPerson, {"김정은"}});
  wl.entities.push_back({"vladivostok", "Vladivostok", tagging::EntityKind::kPlace, {}});
  auto m = tagging::Matcher::Build(wl);
  EXPECT_TRUE(m.ok());
  return {*m,
          std::make_shared<EntityNames>(
              EntityNames{{"kim-jong-un", "Kim Jong Un"}, {"vladivostok", "Vladivostok"}}),
          7};
}

TEST(TagStage, MentionsInTitleAndTextWithOffsets) {
  TagStage stage("tagged", Snapshot);
  ww::v1::Article a;
  a.set_id("a1");
  a.set_title("Kim Jong-un arrives");
  a.set_text("The train reached Vladivostok. 김정은은 웃었다.");
  auto out = stage.Process({"unique", 0, 0, "a1", a.SerializeAsString(), false, {}, 0});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].topic, "tagged");
  EXPECT_EQ((*out)[0].key, "a1");
  ww::v1::TaggedArticle t;
  ASSERT_TRUE(t.ParseFromString((*out)[0].value));
  EXPECT_EQ(t.watchlist_version(), 7);
  ASSERT_EQ(t.mentions_size(), 3);
  EXPECT_EQ(t.mentions(0).field(), "title");
  EXPECT_EQ(t.mentions(0).text(), "Kim Jong-un");
  EXPECT_EQ(t.mentions(0).entity_name(), "Kim Jong Un");
  EXPECT_EQ(t.mentions(1).entity_id(), "vladivostok");
  EXPECT_EQ(t.mentions(1).start(), 18u);
  EXPECT_EQ(t.mentions(2).text(), "김정은");
  EXPECT_EQ(t.article().SerializeAsString(), a.SerializeAsString()) << "the article, unchanged";
}

// A record over the topic's 1 MB limit would be dead-lettered and the article would never
// alert: the record carries the first mentions of each entity and the true counts.
TEST(TagStage, AnArticleThatNamesSomeone20000TimesIsASmallRecordWithTheTrueCount) {
  TagStage stage("tagged", Snapshot);
  ww::v1::Article a;
  a.set_id("a1");
  a.set_title("Kim Jong Un, again");
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "Kim Jong Un spoke. ";
  a.set_text(text + "Then Vladivostok.");
  auto out = stage.Process({"unique", 0, 0, "a1", a.SerializeAsString(), false, {}, 0});
  ASSERT_TRUE(out.ok()) << out.status();
  ww::v1::TaggedArticle t;
  ASSERT_TRUE(t.ParseFromString((*out)[0].value));
  EXPECT_EQ(t.mention_counts().at("kim-jong-un"), 20001u);
  EXPECT_EQ(t.mention_counts().at("vladivostok"), 1u);
  ASSERT_EQ(t.mentions_size(), static_cast<int>(TagStage::kMaxMentionsPerEntity) + 1);
  EXPECT_EQ(t.mentions(0).field(), "title") << "the title's mention is carried first";
  EXPECT_EQ(t.mentions(t.mentions_size() - 1).entity_id(), "vladivostok")
      << "a rarer entity is not crowded out";
  EXPECT_LT((*out)[0].value.size() - a.text().size(), 64u * 1024)
      << "besides the text, the record stays small";
  EXPECT_EQ(t.article().text(), a.text()) << "a 380 kB article (a three-byte length) intact";
  EXPECT_EQ(t.article().id(), "a1");
}

TEST(TagStage, GarbageIsRefused) {
  TagStage stage("tagged", Snapshot);
  auto out = stage.Process({"unique", 0, 0, "k", "\x0a\xff", false, {}, 0});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
}

// The stage reads the article in place (no parse into a message); it must refuse and
// accept exactly what protobuf's parser does.
TEST(TagStage, ReadsTheArticleAsProtobufsParserDoes) {
  TagStage stage("tagged", Snapshot);
  ww::v1::Article a;
  a.set_id("a1");
  a.set_source("herald");
  a.set_title("Old headline");
  a.set_text("The train reached Vladivostok.");
  a.add_story_sources("tass");
  a.set_published_unix_ms(1'700'000'000'000);
  // Another title later in the record (the last one wins), and a field this version of the
  // schema does not know (number 99, a varint).
  ww::v1::Article later;
  later.set_title("Kim Jong Un arrives");
  const std::string unknown = "\x98\x06\x2a";
  const std::string record = a.SerializeAsString() + unknown + later.SerializeAsString();
  ww::v1::Article parsed;
  ASSERT_TRUE(parsed.ParseFromString(record)) << "a record protobuf itself accepts";

  auto out = stage.Process({"unique", 0, 0, "a1", record, false, {}, 0});
  ASSERT_TRUE(out.ok()) << out.status();
  ww::v1::TaggedArticle t;
  ASSERT_TRUE(t.ParseFromString((*out)[0].value));
  ASSERT_EQ(t.mentions_size(), 2);
  EXPECT_EQ(t.mentions(0).field(), "title");
  EXPECT_EQ(t.mentions(0).text(), "Kim Jong Un") << "the later title was read";
  EXPECT_EQ(t.mentions(1).text(), "Vladivostok");
  EXPECT_EQ(t.article().title(), parsed.title());
  EXPECT_EQ(t.article().story_sources(0), "tass");

  // Refused as ParseFromString refuses: cut short anywhere inside a field, invalid UTF-8 in
  // a string, a tombstone.
  for (size_t cut : {size_t{1}, size_t{5}, a.ByteSizeLong() - 3}) {
    const std::string truncated = record.substr(0, cut);
    ASSERT_FALSE(parsed.ParseFromString(truncated)) << cut;
    EXPECT_FALSE(stage.Process({"unique", 0, 0, "a1", truncated, false, {}, 0}).ok()) << cut;
  }
  ww::v1::Article bad = a;
  bad.set_text("Vladivostok \xff\xfe");
  const std::string bad_record = bad.SerializePartialAsString();
  ASSERT_FALSE(parsed.ParseFromString(bad_record));
  EXPECT_FALSE(stage.Process({"unique", 0, 0, "a1", bad_record, false, {}, 0}).ok());
  EXPECT_FALSE(stage.Process({"unique", 0, 0, "a1", "", true, {}, 0}).ok());
  ww::v1::Article no_id = a;
  no_id.clear_id();
  EXPECT_FALSE(stage.Process({"unique", 0, 0, "", no_id.SerializeAsString(), false, {}, 0}).ok());
}

}  // namespace
}  // namespace ww::services
