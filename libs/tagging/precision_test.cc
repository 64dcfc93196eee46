// The precision rules of the matcher (matcher.h, "Precision"): smart case, ambiguous common
// words, names inside other names, confirmation by the entity or its context, and Explain.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "libs/tagging/common_words.h"
#include "libs/tagging/matcher.h"
#include "libs/tagging/watchlist.h"

namespace ww::tagging {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::shared_ptr<const Matcher> FromYaml(std::string_view yaml, Matcher::BuildOptions options = {}) {
  absl::StatusOr<Watchlist> w = ParseWatchlistYaml(yaml);
  EXPECT_TRUE(w.ok()) << w.status();
  if (!w.ok()) return nullptr;
  absl::StatusOr<std::shared_ptr<const Matcher>> m = Matcher::Build(*w, options);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : nullptr;
}

// The text of each mention.
std::vector<std::string> Found(const Matcher& m, std::string_view text) {
  std::vector<std::string> out;
  for (const Mention& x : m.FindAll(text)) out.push_back(x.text);
  return out;
}

// The verdict names of every candidate, in order.
std::vector<std::string> Verdicts(const Matcher& m, std::string_view text) {
  std::vector<Decision> decisions;
  m.Explain(text, &decisions);
  std::vector<std::string> out;
  for (const Decision& d : decisions) out.emplace_back(VerdictName(d.verdict));
  return out;
}

constexpr char kCities[] = R"yaml(
entities:
  - {id: of, name: Of, kind: place}
  - {id: nice, name: Nice, kind: place, context: [France, Riviera]}
  - {id: reading, name: Reading, kind: place}
  - {id: march, name: March, kind: place}
  - {id: council, name: Council, kind: place}
  - {id: vladivostok, name: Vladivostok, kind: place}
  - {id: montreal, name: Montreal, kind: place}
  - {id: meredith, name: Meredith, kind: place}
  - {id: sheridan, name: Sheridan, kind: place}
  - {id: hay, name: Hay, kind: place}
  - {id: putin, name: Vladimir Putin, kind: person, aliases: [Putin]}
  - {id: usa, name: United States, kind: place, aliases: [US]}
  - {id: moscow, name: Москва, kind: place}
  - {id: kim, name: kim jong un, kind: person}
  - {id: seoul, name: Seoul, kind: place, aliases: [{text: Seoul, case_sensitive: false}]}
)yaml";

TEST(CommonWordsTest, BuiltInEnglish) {
  EXPECT_GT(CommonWordCount(), 50000u);
  EXPECT_TRUE(IsCommonWord("of"));
  EXPECT_TRUE(IsCommonWord("council"));
  EXPECT_TRUE(IsCommonWord("reading"));
  EXPECT_FALSE(IsCommonWord("vladivostok"));  // the dictionary has it capitalised only
  EXPECT_FALSE(IsCommonWord("putin"));
  // Capitalised entries are proper nouns, even when the letters are a word too.
  EXPECT_TRUE(IsProperNoun("peter"));
  EXPECT_TRUE(IsProperNoun("paris"));
  EXPECT_FALSE(IsProperNoun("council"));
  EXPECT_TRUE(IsCalendarWord("march"));
  EXPECT_FALSE(IsCalendarWord("reading"));
}

TEST(PrecisionTest, SmartCase) {
  const auto m = FromYaml(kCities);
  EXPECT_THAT(Found(*m, "Kim reached Vladivostok."), ElementsAre("Vladivostok"));
  EXPECT_THAT(Found(*m, "KIM REACHES VLADIVOSTOK BY TRAIN"), ElementsAre("VLADIVOSTOK"));
  EXPECT_THAT(Found(*m, "see vladivostok.example.com"), IsEmpty());
  EXPECT_THAT(Verdicts(*m, "see vladivostok"), ElementsAre("case"));
  // An alias written in lowercase matches any case; so does case_sensitive: false.
  EXPECT_THAT(Found(*m, "Kim Jong Un and kim jong un"), ElementsAre("Kim Jong Un", "kim jong un"));
  EXPECT_THAT(Found(*m, "flights to seoul"), ElementsAre("seoul"));
  // Capitals are needed where a word of the text starts, not inside it.
  const auto k = FromYaml("entities: [{id: k, name: Kim Jong Un, kind: person}]\n");
  EXPECT_THAT(Found(*k, "Kim Jong-un and Kim Jong-Un"), ElementsAre("Kim Jong-un", "Kim Jong-Un"));
  EXPECT_THAT(Found(*k, "kim jong-un"), IsEmpty());
}

TEST(PrecisionTest, CommonWordsNeedEvidence) {
  const auto m = FromYaml(kCities);
  // "of" in lowercase: the case; "Of" opening a sentence: its place.
  EXPECT_THAT(Found(*m, "a town of 5,000. Of all places, this one."), IsEmpty());
  EXPECT_THAT(Verdicts(*m, "a town of 5,000. Of all places"),
              ElementsAre("case", "sentence-start"));
  // A sign of a place: "in" before it, ", Region" after it.
  EXPECT_THAT(Found(*m, "He was born in Of, a town on the Black Sea."), ElementsAre("Of"));
  EXPECT_THAT(Found(*m, "Trains from Reading were late."), ElementsAre("Reading"));
  EXPECT_THAT(Found(*m, "Her reading of Reading, Berkshire."), ElementsAre("Reading"));
  EXPECT_THAT(Verdicts(*m, "A reading festival where Reading was fun"),
              ElementsAre("case", "no-place-sign"));
  // A common noun after an article, a month, a headline.
  EXPECT_THAT(Verdicts(*m, "Later the Council said no."), ElementsAre("after-article"));
  EXPECT_THAT(Verdicts(*m, "It opens in March 2027."), ElementsAre("calendar"));
  EXPECT_THAT(Verdicts(*m, "Floods Hit Reading After Record Rain\nText."), ElementsAre("headline"));
  // Capitals exactly as written: "OF" is not "Of".
  EXPECT_THAT(Verdicts(*m, "They live in OF now."), ElementsAre("not-as-written"));
}

TEST(PrecisionTest, ContextAndOtherMentionsConfirm) {
  const auto m = FromYaml(kCities);
  // "Nice" opening a sentence is held back, and confirmed by the entity's context...
  EXPECT_THAT(Found(*m, "Nice is sunny today."), IsEmpty());
  EXPECT_THAT(Found(*m, "Nice is sunny today, France says."), ElementsAre("Nice"));
  EXPECT_THAT(Verdicts(*m, "Nice is sunny on the Riviera."), ElementsAre("confirmed"));
  // ... or by a mention of the same entity accepted elsewhere in the text.
  EXPECT_THAT(Found(*m, "Reading won. The rain in Reading stopped."),
              ElementsAre("Reading", "Reading"));
}

TEST(PrecisionTest, NamesInsideOtherNames) {
  const auto m = FromYaml(kCities);
  // A team's, an institution's or an event's name is not the place, whatever else the text
  // says: only the second Montreal is the city.
  EXPECT_THAT(Verdicts(*m, "The Montreal Canadiens won."), ElementsAre("org-name"));
  EXPECT_THAT(Found(*m, "The Montreal Canadiens won at home in Montreal."),
              ElementsAre("Montreal"));
  // A place word after it makes a longer place name ("Hay Street", "Ford County"), which a
  // places desk wants to see.
  EXPECT_THAT(Found(*m, "The shop on Hay Street closed."), ElementsAre("Hay"));
  // A title or an initial: a person; and then the same name elsewhere is the person's,
  // unless something there says place.
  EXPECT_THAT(Verdicts(*m, "Colonel Meredith H. Shade took command."), ElementsAre("person-name"));
  // A title names a person only capitalised: a lowercase word that is also a title is not.
  EXPECT_THAT(Found(*m, "the major Meredith port; pope Vladivostok"),
              ElementsAre("Meredith", "Vladivostok"));
  EXPECT_THAT(Verdicts(*m, "General Philip Sheridan rode on. Sheridan won."),
              ElementsAre("person-name", "same-name"));
  EXPECT_THAT(Found(*m, "General Sheridan rode to Sheridan, Wyoming."), ElementsAre("Sheridan"));
  // People are not places: "President Putin" stays Putin.
  EXPECT_THAT(Found(*m, "President Putin met Kim Jong Un."), ElementsAre("Putin", "Kim Jong Un"));
  // Other scripts keep only smart case (the name rules are English).
  EXPECT_THAT(Found(*m, "Вчера Москва ответила."), ElementsAre("Москва"));
}

// Whatever lowercase words surround them ("pope", "major", "in", "of" included), a place
// that is not a common word and a person are found: only capitals and common words make
// the rules doubt a match.
constexpr char kNames[] = R"yaml(
entities:
  - {id: newman, name: Newman, kind: place}
  - {id: dawson, name: Dawson, kind: place}
  - {id: tyler, name: Tyler, kind: place}
  - {id: watson, name: Watson, kind: place}
  - {id: cowley, name: Cowley, kind: place}
  - {id: marca, name: Marca, kind: place}
  - {id: kanye, name: Kanye, kind: place}
  - {id: pittsburgh, name: Pittsburgh, kind: place}
  - {id: petersburg, name: Petersburg, kind: place}
  - {id: tampa, name: Tampa, kind: place}
  - {id: fairmont, name: Fairmont, kind: place}
  - {id: anderson, name: Anderson, kind: place}
  - {id: english, name: English, kind: place}
  - {id: beijing, name: Beijing, kind: place}
  - {id: china, name: China, kind: place}
  - {id: scotland, name: Scotland, kind: place}
  - {id: wales, name: Wales, kind: place}
  - {id: mobile, name: Mobile, kind: place}
  - {id: vladivostok, name: Vladivostok, kind: place}
)yaml";

// People, teams and institutions named after a place (tests/tagging/precision_eval measures
// these rules on wikigold; matcher.h "Precision").
TEST(PrecisionTest, PeopleAndInstitutionsAroundAPlaceName) {
  const auto m = FromYaml(kNames);
  // A first name before it, even a common word ("Peter", "Graham"), whatever follows the
  // comma; a list of names in Title Case is no headline when it ends its sentence.
  EXPECT_THAT(Verdicts(*m, "Sattler, Peter Newman, Graham Dawson and Steven Tyler spoke."),
              ElementsAre("person-name", "person-name", "person-name"));
  EXPECT_THAT(Found(*m, "Britney Spears , Graham Dawson , Steven Tyler ."), IsEmpty());
  // In a headline every word is capitalised: a name before a place is no first name.
  EXPECT_THAT(Found(*m, "Putin Vladivostok Visit Ends In Talks\nThe text."),
              ElementsAre("Vladivostok"));
  // An initial before it; then the same name alone is the person's too.
  EXPECT_THAT(Verdicts(*m, "Nobel laureate James D. Watson resigned. Watson said so."),
              ElementsAre("person-name", "same-name"));
  // A biography's "(born ...", a particle between names, a surname after a first name.
  EXPECT_THAT(Found(*m, "Cowley (born June 12, 1912) played on. Then Cowley retired."), IsEmpty());
  EXPECT_THAT(Verdicts(*m, "The historian Pierre de Marca wrote it."), ElementsAre("person-name"));
  EXPECT_THAT(Found(*m, "a cover of Kanye West's song"), IsEmpty());
  // Institutions, teams and events, rejected even where the text names the place itself.
  EXPECT_THAT(Verdicts(*m, "He taught at the University of Pittsburgh in Pittsburgh."),
              ElementsAre("org-name", "accepted"));
  EXPECT_THAT(Verdicts(*m, "the early stages of the Siege of Petersburg"), ElementsAre("org-name"));
  EXPECT_THAT(Verdicts(*m, "drafted by the Tampa Bay Devil Rays"), ElementsAre("org-name"));
  EXPECT_THAT(Verdicts(*m, "Fairmont State University is public."), ElementsAre("org-name"));
  // But a place word after it (a street, a park, a stadium) makes a longer place name.
  EXPECT_THAT(Found(*m, "Cal Anderson Park is in Seattle."), ElementsAre("Anderson"));
  EXPECT_THAT(Found(*m, "Tampa Bay is warm."), ElementsAre("Tampa"));
}

TEST(PrecisionTest, DemonymsAndListsOfPlaces) {
  const auto m = FromYaml(kNames);
  // A town named like a nationality is ambiguous: the adjective is no evidence.
  EXPECT_THAT(Verdicts(*m, "Candie Payne is an English singer."), ElementsAre("after-article"));
  EXPECT_THAT(Found(*m, "She moved to English, Indiana."), ElementsAre("English"));
  // An ambiguous name ("china", "wales" are words) next to an accepted place, one comma or
  // "and" between: a list of places.
  EXPECT_THAT(Found(*m, "He lived in Beijing, China."), ElementsAre("Beijing", "China"));
  EXPECT_THAT(Found(*m, "members from Ireland, Scotland and Wales joined"),
              ElementsAre("Scotland", "Wales"));
  EXPECT_THAT(Found(*m, "fine china and Wales"), IsEmpty());
  // A line that ends with a full stop is a sentence, not a Title Case headline (its words of
  // four letters or more are all capitalised).
  EXPECT_THAT(Found(*m, "Played in the Senior Bowl in Mobile, Alabama, in January 1971."),
              ElementsAre("Mobile"));
  EXPECT_THAT(Verdicts(*m, "Floods Hit Mobile After Record Rain\nText."), ElementsAre("headline"));
}

// Chinese has no capitals: a place name that is also a frequent word (jieba's dictionary)
// needs a sign of a place, an accepted place beside it, or another mention to count.
TEST(PrecisionTest, ChineseWordsByFrequency) {
  EXPECT_TRUE(IsCommonChineseWord("和平"));   // peace
  EXPECT_TRUE(IsCommonChineseWord("东方"));   // the east
  EXPECT_FALSE(IsCommonChineseWord("北京"));  // a place in the dictionary
  // Countries jieba tags as words, rarely: below the frequency that makes a word common.
  for (const char* country : {"也门", "约旦", "马里", "加纳", "海地", "刚果", "中国", "日本"}) {
    EXPECT_FALSE(IsCommonChineseWord(country)) << country;
  }
  const auto m = FromYaml(R"yaml(
entities:
  - {id: heping, name: 和平, kind: place}
  - {id: dongfang, name: 东方, kind: place}
  - {id: beijing, name: 北京, kind: place}
  - {id: shanghai, name: 上海, kind: place}
  - {id: gwangju, name: Gwangju, kind: place, aliases: [{text: 광주, ambiguous: true}]}
  - {id: peace, name: 和平奖, kind: other}
)yaml");
  EXPECT_THAT(Verdicts(*m, "双方签署了和平协议。"), ElementsAre("no-place-sign"));
  EXPECT_THAT(Found(*m, "东方红，太阳升。"), IsEmpty());
  EXPECT_THAT(Found(*m, "他住在和平区。"), ElementsAre("和平"));
  EXPECT_THAT(Found(*m, "代表团抵达东方后举行会谈。"), ElementsAre("东方"));
  EXPECT_THAT(Found(*m, "北京、东方和上海都下雨了。"), ElementsAre("北京", "东方", "上海"));
  // Confirmed by another mention of the town in the same text.
  EXPECT_THAT(Found(*m, "和平人口不多。我去过和平市。"), ElementsAre("和平", "和平"));
  // A name that is no word needs nothing; a longer alias is judged on its own.
  EXPECT_THAT(Found(*m, "北京是首都。他获得和平奖。"), ElementsAre("北京", "和平奖"));
  // Korean by `ambiguous: true`: a particle of place after it.
  EXPECT_THAT(Found(*m, "회의는 광주에서 열렸다."), ElementsAre("광주"));
  EXPECT_THAT(Found(*m, "광주 사람들"), IsEmpty());
}

TEST(PrecisionTest, LowercaseWordsAroundNeverHideANameThatIsNoWord) {
  const auto m = FromYaml(kCities);
  const std::vector<std::string> words = {"pope", "major", "general", "in",   "of", "the",
                                          "said", "count", "father",  "ka",   "lo", "mi",
                                          "a",    "near",  "battle",  "club", "h.", "x"};
  std::mt19937 rng(20);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    for (int i = 0; i < 6; ++i) text += words[rng() % words.size()] + " ";
    text += rng() % 2 == 0 ? "Vladivostok " : "Vladimir Putin ";
    for (int i = 0; i < 6; ++i) text += words[rng() % words.size()] + " ";
    ASSERT_EQ(m->FindAll(text).size(), 1u) << text;
  }
}

TEST(PrecisionTest, AcronymsAreTheirOwnCapitals) {
  const auto m = FromYaml(kCities);
  EXPECT_THAT(Found(*m, "US troops left; the US said so. Tell us."), ElementsAre("US", "US"));
  EXPECT_THAT(Verdicts(*m, "TELL US WHAT YOU SAW"), ElementsAre("headline"));
}

TEST(PrecisionTest, ExplainAgreesWithFindSpans) {
  const auto m = FromYaml(kCities);
  const std::string text =
      "Of all the news: the Council of Reading met in Reading, near Nice. US and us. March on "
      "Montreal! Colonel Meredith H. Shade; Meredith said. vladivostok and Vladivostok.";
  std::vector<Span> spans;
  m->FindSpans(text, &spans);
  std::vector<Decision> decisions;
  m->Explain(text, &decisions);
  std::vector<Span> accepted;
  for (const Decision& d : decisions) {
    if (IsAccepted(d.verdict)) accepted.push_back(d.span);
  }
  EXPECT_EQ(accepted, spans);
  EXPECT_GT(decisions.size(), spans.size());
  for (const Decision& d : decisions) EXPECT_FALSE(VerdictReason(d.verdict).empty());
}

TEST(PrecisionTest, OptionsOverride) {
  // ambiguous: false trusts the letters; ambiguous: true asks for evidence.
  const auto m = FromYaml(R"yaml(
entities:
  - {id: of, name: Zz, kind: place, aliases: [{text: Of, ambiguous: false}]}
  - {id: vvp, name: Zy, kind: place, aliases: [{text: Vladivostok, ambiguous: true}]}
)yaml");
  EXPECT_THAT(Found(*m, "Of all places."), ElementsAre("Of"));
  EXPECT_THAT(Found(*m, "Vladivostok is cold."), IsEmpty());
  // Without the rules, the matcher before: every alias in any case.
  const auto before = FromYaml(kCities, {.precision = false});
  EXPECT_THAT(Found(*before, "a town of 5,000"), ElementsAre("of"));
}

TEST(PrecisionTest, YamlRoundTrip) {
  const char* yaml = R"yaml(
entities:
  - id: nice
    name: Nice
    kind: place
    context: [France]
    aliases:
      - {text: Nizza, ambiguous: false}
      - {text: nice, case_sensitive: false, ambiguous: true}
)yaml";
  absl::StatusOr<Watchlist> w = ParseWatchlistYaml(yaml);
  ASSERT_TRUE(w.ok()) << w.status();
  const Entity& e = w->entities[0];
  EXPECT_THAT(e.context, ElementsAre("France"));
  EXPECT_EQ(e.OptionsOf(0).ambiguous, Ambiguity::kNo);
  EXPECT_TRUE(e.OptionsOf(1).ignore_case);
  EXPECT_FALSE(e.OptionsOf(1).case_sensitive);
  EXPECT_EQ(e.OptionsOf(1).ambiguous, Ambiguity::kYes);
  absl::StatusOr<Watchlist> again = ParseWatchlistYaml(WatchlistToYaml(*w));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *w);
  EXPECT_FALSE(ParseWatchlistYaml("entities: [{id: a, name: A, context: [\"\"]}]").ok());
}

}  // namespace
}  // namespace ww::tagging
