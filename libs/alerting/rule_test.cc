#include "libs/alerting/rule.h"

#include "gtest/gtest.h"

namespace ww::alerting {
namespace {

std::string Error(const std::string& yaml) {
  auto r = ParseRulesYaml(yaml);
  return r.ok() ? "" : std::string(r.status().message());
}

TEST(ParseRules, TheIssueExamples) {
  auto rules = ParseRulesYaml(R"(
entities:
  - {id: kim-jong-un, name: Kim Jong Un}
rules:
  - id: kim-putin-summit
    name: Kim meets Putin
    when: {all: [kim-jong-un, vladimir-putin]}
    severity: high
    cooldown: 6h
  - id: vladivostok-without-dprk
    when: {all: [vladivostok], not: {any: [north-korea]}}
  - id: kim-near-train
    when: {near: {entities: [kim-jong-un, vladivostok], words: 30}}
    min_mentions: 2
    where: lead
    sources: [yonhap, tass]
    languages: en
)",
                              "desk-a");
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(rules->size(), 3u);
  const Rule& summit = (*rules)[0];
  EXPECT_EQ(summit.name, "Kim meets Putin");
  EXPECT_EQ(summit.owner, "desk-a");
  EXPECT_EQ(summit.severity, Severity::kHigh);
  EXPECT_EQ(summit.cooldown, absl::Hours(6));
  EXPECT_EQ(summit.when.op, Expr::Op::kAll);
  EXPECT_EQ(RuleEntities(summit), (std::vector<std::string>{"kim-jong-un", "vladimir-putin"}));

  const Rule& without = (*rules)[1];
  ASSERT_EQ(without.when.op, Expr::Op::kAll) << "two keys in one mapping mean all of them";
  ASSERT_EQ(without.when.children.size(), 2u);
  EXPECT_EQ(without.when.children[1].op, Expr::Op::kNot);

  const Rule& near = (*rules)[2];
  EXPECT_EQ(near.when.op, Expr::Op::kNear);
  EXPECT_EQ(near.when.near_words, 30);
  EXPECT_EQ(near.min_mentions, 2);
  EXPECT_EQ(near.where, Where::kLead);
  EXPECT_EQ(near.sources, (std::vector<std::string>{"yonhap", "tass"}));
  EXPECT_EQ(near.languages, (std::vector<std::string>{"en"}));

  // The stored form parses back to the same rule.
  auto again = ParseRuleYaml(near.yaml, "desk-a");
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << near.yaml;
  EXPECT_EQ(again->when.near_entities, near.when.near_entities);
}

TEST(ParseRules, ErrorsNameTheLineTheRuleAndTheField) {
  EXPECT_EQ(Error("rules:\n  - id: r1\n    when: {all: [a]}\n    severity: urgent\n"),
            "line 4: rule 'r1': severity: must be info, low, medium, high or critical");
  EXPECT_EQ(Error("rules:\n  - id: r1\n    name: no condition\n"),
            "line 2: rule 'r1': when: is required");
  EXPECT_EQ(Error("rules:\n  - id: r1\n    when: {either: [a, b]}\n"),
            "line 3: rule 'r1': when: unknown operator 'either' (use all, any, not or near)");
  EXPECT_EQ(Error("rules:\n  - id: r1\n    when: {near: {entities: [a], words: 5}}\n"),
            "line 3: rule 'r1': when.near.entities: needs at least two entity ids");
  EXPECT_EQ(Error("rules:\n  - id: r1\n    when: a\n    cooldown: soon\n"),
            "line 4: rule 'r1': cooldown: 'soon' is not a duration like 30m, 6h or 1d");
  EXPECT_EQ(Error("rules:\n  - id: r1\n    when: a\n  - id: r1\n    when: b\n"),
            "line 4: rule 'r1': id: is used twice");
  EXPECT_EQ(Error("rules:\n  - id: Bad Id\n    when: a\n"),
            "line 2: rule 'Bad Id': id: is required: lowercase letters, digits, '.', '_' and '-', "
            "starting with a letter or a digit");
  // The rule of entity ids too: a rule id cannot start with punctuation.
  EXPECT_NE(Error("rules:\n  - id: -r1\n    when: a\n"), "");
  EXPECT_NE(Error("rules:\n  - id: r1\n    when: _kim\n"), "");
  EXPECT_EQ(Error("rules:\n  - id: r1\n    when: a\n    severty: high\n"),
            "line 4: rule 'r1': severty: unknown field (expected id, name, when, severity, "
            "cooldown, min_mentions, where, per, sources, languages)");
  EXPECT_EQ(Error("rules:\n  - id: r1\n    when: a\n    per: article\n"),
            "line 4: rule 'r1': per: must be story (one alert per event, the default) or copy "
            "(one per copy cluster)");
}

TEST(ParseRules, NoRulesIsAnEmptyList) {
  auto r = ParseRulesYaml("entities: []\n");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace ww::alerting
