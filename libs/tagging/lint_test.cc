// wwctl watchlist lint's findings (lint.h).
#include "libs/tagging/lint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ww::tagging {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// "kind entity alias" of each finding.
std::vector<std::string> Kinds(const std::vector<LintFinding>& findings) {
  std::vector<std::string> out;
  for (const LintFinding& f : findings) {
    EXPECT_FALSE(f.problem.empty());
    EXPECT_FALSE(f.suggestion.empty());
    out.push_back(std::string(LintKindName(f.kind)) + " " + f.entity_id + " " + f.alias);
  }
  return out;
}

TEST(LintTest, FindsWhatWillMatchTooMuch) {
  absl::StatusOr<Watchlist> w = ParseWatchlistYaml(R"yaml(
entities:
  - {id: vladivostok, name: Vladivostok, kind: place}
  - {id: nice, name: Nice, kind: place}
  - {id: band, name: Zzyzx, kind: place, aliases: [band]}
  - {id: georgia-us, name: Georgia, kind: place}
  - {id: georgia-country, name: Sakartvelo, kind: place, aliases: [Georgia]}
  - {id: un, name: United Nations, kind: organisation, aliases: [UN, {text: UN, case_sensitive: true}]}
  - {id: reading, name: Reading, kind: place, aliases: [{text: Reading, ambiguous: false}]}
  - {id: beijing, name: 北京, kind: place, aliases: [京]}
  - {id: heping, name: 和平, kind: place}
)yaml");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_THAT(Kinds(LintWatchlist(*w)),
              ElementsAre("common-word nice Nice", "any-case band band",
                          "shared georgia-us Georgia", "short un UN", "common-word reading Reading",
                          "short beijing 京", "common-word heping 和平"));
}

TEST(LintTest, FrequentInSamples) {
  absl::StatusOr<Watchlist> w = ParseWatchlistYaml(R"yaml(
entities:
  - {id: said, name: said, kind: other}
  - {id: putin, name: Putin, kind: person}
)yaml");
  ASSERT_TRUE(w.ok());
  auto m = Matcher::Build(*w);
  ASSERT_TRUE(m.ok());
  const std::vector<std::string> samples = {"He said so.", "She said no.", "Putin said yes.",
                                            "Nothing here."};
  EXPECT_THAT(Kinds(LintFrequency(**m, samples, 0.5)), ElementsAre("frequent said said"));
  EXPECT_THAT(LintFrequency(**m, samples, 0.9), IsEmpty());
}

}  // namespace
}  // namespace ww::tagging
