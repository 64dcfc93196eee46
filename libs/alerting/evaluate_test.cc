#include "libs/alerting/evaluate.h"

#include "gtest/gtest.h"

namespace ww::alerting {
namespace {

// A story whose text is the given words; each word that is an entity id is a mention.
TaggedStory Story(const std::string& text, const std::string& title = "") {
  TaggedStory s{"a1", "c1", "wire", "en", title, text, {}};
  for (const auto& [field, body] :
       {std::pair<std::string, std::string>{"title", title}, {"text", text}}) {
    size_t pos = 0;
    while (pos < body.size()) {
      size_t end = body.find_first_of(" \n", pos);
      if (end == std::string::npos) end = body.size();
      std::string w = body.substr(pos, end - pos);
      if (w == "kim" || w == "putin" || w == "vlad" || w == "dprk") {
        s.mentions.push_back(
            {w, w, field, static_cast<uint32_t>(pos), static_cast<uint32_t>(end), w, w});
      }
      pos = end + 1;
    }
  }
  return s;
}

Rule R(const std::string& yaml) {
  auto r = ParseRuleYaml(yaml, "default");
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : Rule{};
}

TEST(EvaluateRule, TruthTableOfNestedExpressions) {
  Rule rule = R("{id: r, when: {any: [{all: [kim, putin]}, {all: [vlad], not: dprk}]}}");
  struct Case {
    std::string text;
    bool fires;
  } cases[] = {
      {"kim and putin", true}, {"kim alone", false},     {"putin alone", false},
      {"vlad only", true},     {"vlad and dprk", false}, {"kim putin vlad dprk", true},
      {"nothing here", false}, {"dprk kim", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(EvaluateRule(rule, Story(c.text)).fired, c.fires) << c.text;
  }
}

TEST(EvaluateRule, SaysWhyAndReturnsOnlyTheMatchedEntitiesMentions) {
  Rule rule = R("{id: r, when: {all: [kim, putin], not: {any: [dprk]}}}");
  RuleResult r = EvaluateRule(rule, Story("kim met putin and kim smiled vlad"));
  ASSERT_TRUE(r.fired);
  EXPECT_EQ(r.why, "all of [all of [kim (2), putin (1)], not any of [dprk (absent)]]");
  EXPECT_EQ(r.entities, (std::vector<std::string>{"kim", "putin"}));
  EXPECT_EQ(r.mentions.size(), 3u) << "vlad is not part of the rule";
}

TEST(EvaluateRule, NearCountsWordsWithinOneField) {
  Rule rule = R("{id: r, when: {near: {entities: [kim, vlad], words: 3}}}");
  EXPECT_TRUE(EvaluateRule(rule, Story("kim went to vlad")).fired);
  EXPECT_FALSE(EvaluateRule(rule, Story("kim went a long way to vlad")).fired);
  EXPECT_TRUE(EvaluateRule(rule, Story("kim went a long way to vlad and kim")).fired)
      << "the closest pair counts";
  EXPECT_FALSE(EvaluateRule(rule, Story("vlad", "kim")).fired) << "title and text are apart";
  EXPECT_FALSE(EvaluateRule(rule, Story("kim only")).fired);
}

TEST(EvaluateRule, FiltersWhereAndMinimumMentions) {
  EXPECT_FALSE(EvaluateRule(R("{id: r, when: kim, sources: [tass]}"), Story("kim")).fired);
  EXPECT_TRUE(EvaluateRule(R("{id: r, when: kim, sources: [tass, wire]}"), Story("kim")).fired);
  EXPECT_FALSE(EvaluateRule(R("{id: r, when: kim, languages: [ko]}"), Story("kim")).fired);
  EXPECT_TRUE(EvaluateRule(R("{id: r, when: kim, where: title}"), Story("x", "kim arrives")).fired);
  EXPECT_FALSE(EvaluateRule(R("{id: r, when: kim, where: title}"), Story("kim", "arrives")).fired);
  EXPECT_TRUE(
      EvaluateRule(R("{id: r, when: kim, where: lead}"), Story("kim first\n\nlater")).fired);
  EXPECT_FALSE(
      EvaluateRule(R("{id: r, when: kim, where: lead}"), Story("first\n\nkim later")).fired);
  auto twice = R("{id: r, when: kim, min_mentions: 2}");
  EXPECT_FALSE(EvaluateRule(twice, Story("kim once")).fired);
  EXPECT_TRUE(EvaluateRule(twice, Story("kim and kim")).fired);
}

TEST(AlertId, DependsOnRuleStoryAndEpochOnly) {
  EXPECT_EQ(AlertId("r", "c"), AlertId("r", "c", 0));
  EXPECT_NE(AlertId("r", "c"), AlertId("r", "c", 1));
  EXPECT_NE(AlertId("r", "c"), AlertId("r", "d"));
}

}  // namespace
}  // namespace ww::alerting
