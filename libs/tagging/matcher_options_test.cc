// Per-alias options, generated variants, and the matcher against a simple reference on
// ASCII text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "libs/tagging/matcher.h"
#include "libs/tagging/variants.h"
#include "libs/tagging/watchlist.h"
#include "libs/text/normalize.h"

namespace ww::tagging {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::shared_ptr<const Matcher> BuildOrDie(const Watchlist& w) {
  absl::StatusOr<std::shared_ptr<const Matcher>> m = Matcher::Build(w);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : nullptr;
}

std::shared_ptr<const Matcher> BuildWithoutPrecision(const Watchlist& w) {
  absl::StatusOr<std::shared_ptr<const Matcher>> m = Matcher::Build(w, {.precision = false});
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : nullptr;
}

std::shared_ptr<const Matcher> FromYaml(std::string_view yaml) {
  absl::StatusOr<Watchlist> w = ParseWatchlistYaml(yaml);
  EXPECT_TRUE(w.ok()) << w.status();
  return w.ok() ? BuildOrDie(*w) : nullptr;
}

// (entity_id, text) of each mention.
std::vector<std::pair<std::string, std::string>> Found(const Matcher& m, std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Mention& x : m.FindAll(text)) out.emplace_back(x.entity_id, x.text);
  return out;
}
using P = std::pair<std::string, std::string>;

constexpr char kOptionsYaml[] = R"yaml(
entities:
  - id: usa
    name: United States
    kind: place
    aliases: [{text: "US", case_sensitive: true}, "U.S."]
  - id: georgia-country
    name: Tbilisi
    kind: place
    aliases:
      - {text: "Georgia", exclude_near: ["Atlanta", "Savannah"], window: 5}
  - id: jordan
    name: Hashemite Kingdom of Jordan
    kind: place
    aliases:
      - {text: Jordan, exclude_preceded_by: [Michael, "Air"]}
  - id: gomez
    name: Gómez
    kind: person
    aliases: [{text: "Gómez", fold_diacritics: false}]
)yaml";

TEST(WatchlistOptionsTest, ParsesAliasMapsAndEntityOptions) {
  const absl::StatusOr<Watchlist> w = ParseWatchlistYaml(R"yaml(
entities:
  - id: putin
    name: Vladimir Putin
    kind: person
    surname_only: true
    inflections: ru
    aliases:
      - Владимир Путин
      - {text: "VVP", case_sensitive: true, whole_phrase: yes}
      - {text: "Georgia", exclude_near: Atlanta, window: 3, fold_diacritics: false}
)yaml");
  ASSERT_TRUE(w.ok()) << w.status();
  const Entity& e = w->entities[0];
  EXPECT_TRUE(e.surname_only);
  EXPECT_EQ(e.inflections, Inflections::kRussian);
  EXPECT_THAT(e.aliases, ElementsAre("Владимир Путин", "VVP", "Georgia"));
  ASSERT_EQ(e.alias_options.size(), 3u);
  EXPECT_TRUE(e.alias_options[0].IsDefault());
  EXPECT_TRUE(e.alias_options[1].case_sensitive);
  EXPECT_TRUE(e.alias_options[1].whole_phrase);
  EXPECT_THAT(e.alias_options[2].exclude_near, ElementsAre("Atlanta"));
  EXPECT_EQ(e.alias_options[2].window, 3u);
  EXPECT_FALSE(e.alias_options[2].fold_diacritics);
  EXPECT_FALSE(e.OptionsOf(7).case_sensitive);
}

TEST(WatchlistOptionsTest, PlainAliasesKeepNoOptions) {
  const absl::StatusOr<Watchlist> w =
      ParseWatchlistYaml("entities:\n  - id: k\n    name: K\n    aliases: [a, {text: b}]\n");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_THAT(w->entities[0].aliases, ElementsAre("a", "b"));
  EXPECT_THAT(w->entities[0].alias_options, IsEmpty());
}

void ExpectError(std::string_view yaml, std::string_view message) {
  const absl::StatusOr<Watchlist> result = ParseWatchlistYaml(yaml);
  ASSERT_FALSE(result.ok()) << yaml;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(result.status().message()), message);
}

TEST(WatchlistOptionsTest, ErrorsCarryLines) {
  const std::string head = "entities:\n  - id: k\n    name: K\n    aliases:\n";
  ExpectError(
      head + "      - {txt: a}\n",
      "line 5: unknown alias key 'txt' (expected text, case_sensitive, ambiguous, fold_diacritics, "
      "whole_phrase, exclude_near, window or exclude_preceded_by)");
  ExpectError(head + "      - a\n      - {case_sensitive: true}\n",
              "line 6: entity 'k': alias map has no text");
  ExpectError(head + "      - {text: a, case_sensitive: maybe}\n",
              "line 5: entity 'k': case_sensitive must be true or false");
  ExpectError(head + "      - {text: a, window: 0}\n",
              "line 5: entity 'k': window must be a whole number of tokens, 1..1000");
  ExpectError(head + "      - {text: a, exclude_near: [x, '']}\n",
              "line 5: entity 'k': exclude_near must be a list of non-empty strings");
  ExpectError("entities:\n  - id: k\n    name: K\n    inflections: de\n",
              "line 4: entity 'k': inflections must be none or ru");
  ExpectError("entities:\n  - id: k\n    name: K\n    surname_only: 3\n",
              "line 4: entity 'k': surname_only must be true or false");
}

TEST(WatchlistOptionsTest, ValidateEntityChecksOptions) {
  Entity e{.id = "k", .name = "K", .aliases = {"a"}};
  e.alias_options.resize(2);
  EXPECT_FALSE(ValidateEntity(e).ok());
  e.alias_options.resize(1);
  e.alias_options[0].window = 0;
  EXPECT_FALSE(ValidateEntity(e).ok());
  e.alias_options[0].window = 4;
  e.alias_options[0].exclude_preceded_by = {" "};
  EXPECT_FALSE(ValidateEntity(e).ok());
}

TEST(MatcherOptionsTest, CaseSensitiveAcronym) {
  const auto m = FromYaml(kOptionsYaml);
  EXPECT_THAT(Found(*m, "US troops and the U.S. Navy"),
              ElementsAre(P{"usa", "US"}, P{"usa", "U.S."}));
  EXPECT_THAT(Found(*m, "Tell us what happened, Us and uS"), IsEmpty());
  // Width still folds: full-width capitals are capitals.
  EXPECT_THAT(Found(*m, "ＵＳ forces"), ElementsAre(P{"usa", "ＵＳ"}));
}

TEST(MatcherOptionsTest, ExcludeNearVetoesWithinWindow) {
  const auto m = FromYaml(kOptionsYaml);
  EXPECT_THAT(Found(*m, "Protests in Georgia over the election."),
              ElementsAre(P{"georgia-country", "Georgia"}));
  EXPECT_THAT(Found(*m, "Atlanta, Georgia is hot."), IsEmpty());
  EXPECT_THAT(Found(*m, "Georgia's capital? Not Savannah."), IsEmpty());
  // Outside the 5-word window: kept. "Atlantans" is not the word "Atlanta".
  EXPECT_THAT(Found(*m, "Atlanta is far: one two three four five six Georgia."),
              ElementsAre(P{"georgia-country", "Georgia"}));
  EXPECT_THAT(Found(*m, "Atlantans love Georgia"), ElementsAre(P{"georgia-country", "Georgia"}));
}

TEST(MatcherOptionsTest, ExcludePrecededBy) {
  const auto m = FromYaml(kOptionsYaml);
  EXPECT_THAT(Found(*m, "King Abdullah of Jordan met Michael Jordan and Air-Jordan fans."),
              ElementsAre(P{"jordan", "Jordan"}));
  EXPECT_THAT(Found(*m, "MICHAEL  JORDAN"), IsEmpty());
  EXPECT_THAT(Found(*m, "Michaela, Jordan"), ElementsAre(P{"jordan", "Jordan"}));
}

TEST(MatcherOptionsTest, KeepDiacritics) {
  const auto m = FromYaml(kOptionsYaml);
  EXPECT_THAT(Found(*m, "GÓMEZ and Gómez and Go\xCC\x81mez"),
              ElementsAre(P{"gomez", "GÓMEZ"}, P{"gomez", "Gómez"}, P{"gomez", "Go\xCC\x81mez"}));
  // The name (default options) is the same folded key as the alias: the name folds
  // diacritics and comes first, so "Gomez" still matches through the name.
  EXPECT_THAT(Found(*m, "Gomez"), ElementsAre(P{"gomez", "Gomez"}));

  Watchlist w;
  w.entities.push_back({.id = "g",
                        .name = "Señor Gómez",
                        .aliases = {"Gómez"},
                        .alias_options = {AliasOptions{.fold_diacritics = false}}});
  const auto strict = BuildOrDie(w);
  EXPECT_THAT(Found(*strict, "Gomez and Gómez"), ElementsAre(P{"g", "Gómez"}));
}

TEST(MatcherOptionsTest, SameKeyFallsThroughToNextEntity) {
  Watchlist w;
  w.entities.push_back({.id = "ap",
                        .name = "Associated Press",
                        .aliases = {"AP"},
                        .alias_options = {AliasOptions{.case_sensitive = true}}});
  w.entities.push_back({.id = "ap-lower", .name = "ap"});
  const auto m = BuildOrDie(w);
  EXPECT_THAT(Found(*m, "AP reports; ap reports"), ElementsAre(P{"ap", "AP"}, P{"ap-lower", "ap"}));
}

TEST(VariantsTest, Surnames) {
  EXPECT_THAT(SurnameVariants("Vladimir Putin"), ElementsAre("Putin", "V. Putin"));
  EXPECT_THAT(SurnameVariants("Vladimir Vladimirovich Putin"),
              ElementsAre("Putin", "V. V. Putin", "V. Putin"));
  EXPECT_THAT(SurnameVariants("Ludwig van Beethoven"),
              ElementsAre("van Beethoven", "Beethoven", "L. van Beethoven"));
  EXPECT_THAT(SurnameVariants("Владимир Путин"), ElementsAre("Путин", "В. Путин"));
  EXPECT_THAT(SurnameVariants("Putin"), IsEmpty());
  EXPECT_THAT(SurnameVariants("Kim Jong Un"), IsEmpty());
}

TEST(VariantsTest, RussianInflections) {
  EXPECT_THAT(RussianInflections("Путин"),
              UnorderedElementsAre("Путина", "Путину", "Путиным", "Путине"));
  EXPECT_THAT(
      RussianInflections("Ким Чен Ын"),
      UnorderedElementsAre("Кима Чена Ына", "Ким Чен Ына", "Киму Чену Ыну", "Ким Чен Ыну",
                           "Кимом Ченом Ыном", "Ким Чен Ыном", "Киме Чене Ыне", "Ким Чен Ыне"));
  const std::vector<std::string> v = RussianInflections("Владимир Путин");
  EXPECT_THAT(v, testing::Contains("Владимира Путина"));
  EXPECT_THAT(v, testing::Contains("Владимиром Путиным"));
  EXPECT_THAT(RussianInflections("Мария Захарова"), testing::Contains("Марии Захаровой"));
  EXPECT_THAT(RussianInflections("Сергей Шойгу"), testing::Contains("Сергея Шойгу"));
  EXPECT_THAT(RussianInflections("Достоевский"), testing::Contains("Достоевского"));
  EXPECT_THAT(RussianInflections("Putin"), IsEmpty());
  EXPECT_THAT(RussianInflections("Шойгу"), IsEmpty());
}

TEST(MatcherOptionsTest, SurnameOnlyAndInflections) {
  const auto m = FromYaml(R"yaml(
entities:
  - id: putin
    name: Vladimir Putin
    kind: person
    surname_only: true
    inflections: ru
    aliases: ["Владимир Путин"]
  - id: lavrov
    name: Sergei Lavrov
    kind: person
    aliases: [{text: "Сергей Лавров", whole_phrase: true}]
    inflections: ru
)yaml");
  const std::vector<Mention> found = m->FindAll(
      "Putin and V. Putin met; встреча с Путиным и Владимиром Путиным; "
      "слова Путина. Лавров, Сергея Лаврова? Путинизм.");
  std::vector<std::pair<std::string, std::string>> got;
  for (const Mention& x : found) got.emplace_back(x.alias, x.text);
  EXPECT_THAT(got,
              ElementsAre(P{"Vladimir Putin", "Putin"}, P{"Vladimir Putin", "V. Putin"},
                          P{"Владимир Путин", "Путиным"}, P{"Владимир Путин", "Владимиром Путиным"},
                          P{"Владимир Путин", "Путина"}));
}

// Reference: an independent, naive leftmost-longest matcher for ASCII text whose only fold
// is case, hyphens and whitespace (to one space); aliases folded with ww::text.
std::vector<std::tuple<uint32_t, uint32_t, std::string>> Reference(
    const std::unordered_set<std::string>& keys, size_t max_len, std::string_view text) {
  std::string folded;
  std::vector<uint32_t> origin;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c == '-' || static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == ' ') c = ' ';
    if (c == '`') c = '\'';
    if (c == ' ' && !folded.empty() && folded.back() == ' ') continue;
    folded.push_back(c);
    origin.push_back(static_cast<uint32_t>(i));
  }
  origin.push_back(static_cast<uint32_t>(text.size()));
  auto word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  std::vector<std::tuple<uint32_t, uint32_t, std::string>> out;
  for (size_t s = 0; s < folded.size(); ++s) {
    if (s > 0 && word(folded[s - 1])) continue;
    for (size_t e = std::min(folded.size(), s + max_len); e > s; --e) {
      if (e < folded.size() && word(folded[e])) continue;
      const std::string key = folded.substr(s, e - s);
      if (keys.contains(key)) {
        out.emplace_back(origin[s], origin[e - 1] + 1, key);
        s = e - 1;
        break;
      }
    }
  }
  return out;
}

TEST(MatcherReferenceTest, SameMatchesAsReferenceOnAsciiText) {
  std::mt19937 rng(7);
  const std::vector<std::string> vocab = {"new",       "york",      "New York", "York",
                                          "port",      "Port Said", "said",     "Said",
                                          "a",         "as",        "us",       "Sao Paulo",
                                          "São Paulo", "St. Louis", "louis",    "Washington, D.C.",
                                          "d.c.",      "Bad Ems",   "ems",      "Winston-Salem",
                                          "salem",     "o'neill",   "x1"};
  Watchlist w;
  std::unordered_set<std::string> keys;
  size_t max_len = 0;
  for (size_t i = 0; i < vocab.size(); ++i) {
    w.entities.push_back({.id = "e" + std::to_string(i), .name = vocab[i]});
    const std::string key = ww::text::NormalizeText(vocab[i]);
    keys.insert(key);
    max_len = std::max(max_len, key.size());
  }
  // The scan alone: the reference knows no case or ambiguity rules.
  const auto m = BuildWithoutPrecision(w);
  const std::vector<std::string> words = {
      "New", "york", "YORK",          "Port",    "said",  "Said",   "a",           "As",
      "US",  "Sao",  "Paulo",         "St.",     "Louis", "louisa", "Washington,", "D.C.",
      "Bad", "Ems",  "Winston-Salem", "Winston", "-",     "Salem",  "O'Neill",     "x1",
      "x12", "the",  "(New",          "York)",   "said.", "\n",     "  ",          "--"};
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const int n = 5 + static_cast<int>(rng() % 60);
    for (int k = 0; k < n; ++k) {
      text += words[rng() % words.size()];
      text += rng() % 5 == 0 ? "" : " ";
    }
    std::vector<std::tuple<uint32_t, uint32_t, std::string>> got;
    std::vector<Span> spans;
    m->FindSpans(text, &spans);
    for (const Span& s : spans) {
      got.emplace_back(s.start, s.end, ww::text::NormalizeText(m->alias_text(s.alias)));
    }
    ASSERT_EQ(got, Reference(keys, max_len, text)) << text;
  }
}

}  // namespace
}  // namespace ww::tagging
