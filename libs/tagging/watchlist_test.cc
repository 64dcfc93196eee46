#include "libs/tagging/watchlist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace ww::tagging {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kGoodYaml[] = R"yaml(
entities:
  - id: kim-jong-un
    name: Kim Jong Un
    kind: person            # person | place | organisation | other
    aliases: ["Kim Jong-un", "김정은", "Ким Чен Ын", "金正恩"]
  - id: vladivostok
    name: Vladivostok
    kind: place
  - id: un
    name: United Nations
    kind: organization
    aliases:
      - UN
      - ООН
  - id: misc.thing_1
    name: Something
rules:
  - anything: [goes, here]
)yaml";

// Expects InvalidArgument with exactly this message.
void ExpectError(std::string_view yaml, std::string_view message) {
  const absl::StatusOr<Watchlist> result = ParseWatchlistYaml(yaml);
  ASSERT_FALSE(result.ok()) << yaml;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(result.status().message()), message);
}

TEST(EntityKindTest, NamesRoundTrip) {
  for (EntityKind kind :
       {EntityKind::kPerson, EntityKind::kPlace, EntityKind::kOrganisation, EntityKind::kOther}) {
    EXPECT_EQ(*ParseEntityKind(EntityKindName(kind)), kind);
  }
  EXPECT_EQ(EntityKindName(EntityKind::kOrganisation), "organisation");
  EXPECT_EQ(*ParseEntityKind("organization"), EntityKind::kOrganisation);
  EXPECT_EQ(*ParseEntityKind("org"), EntityKind::kOrganisation);
  EXPECT_EQ(*ParseEntityKind("Person"), EntityKind::kPerson);
  EXPECT_EQ(ParseEntityKind("persn").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValidateEntityTest, ChecksIdNameAndAliases) {
  Entity e{.id = "kim-jong-un", .name = "Kim Jong Un", .aliases = {"Kim Jong-un"}};
  EXPECT_TRUE(ValidateEntity(e).ok());
  e.id = "a.b_c-9";
  EXPECT_TRUE(ValidateEntity(e).ok());
  for (const char* bad : {"", "Kim", "-kim", ".x", "kim jong", "ким"}) {
    e.id = bad;
    EXPECT_EQ(ValidateEntity(e).code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  e.id = "kim";
  e.name = "  ";
  EXPECT_THAT(std::string(ValidateEntity(e).message()), HasSubstr("entity 'kim' has no name"));
  e.name = "Kim";
  e.aliases = {"ok", ""};
  EXPECT_THAT(std::string(ValidateEntity(e).message()), HasSubstr("empty alias"));
}

TEST(ParseWatchlistYamlTest, ParsesGoodFile) {
  const absl::StatusOr<Watchlist> result = ParseWatchlistYaml(kGoodYaml);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->entities.size(), 4u);
  const Entity& kim = result->entities[0];
  EXPECT_EQ(kim.id, "kim-jong-un");
  EXPECT_EQ(kim.name, "Kim Jong Un");
  EXPECT_EQ(kim.kind, EntityKind::kPerson);
  EXPECT_THAT(kim.aliases, ElementsAre("Kim Jong-un", "김정은", "Ким Чен Ын", "金正恩"));
  EXPECT_EQ(result->entities[1].kind, EntityKind::kPlace);
  EXPECT_TRUE(result->entities[1].aliases.empty());
  EXPECT_EQ(result->entities[2].kind, EntityKind::kOrganisation);
  EXPECT_THAT(result->entities[2].aliases, ElementsAre("UN", "ООН"));
  EXPECT_EQ(result->entities[3].id, "misc.thing_1");
  EXPECT_EQ(result->entities[3].kind, EntityKind::kOther);  // default
}

TEST(ParseWatchlistYamlTest, EmptyEntitiesList) {
  EXPECT_TRUE(ParseWatchlistYaml("entities: []\n")->entities.empty());
  EXPECT_TRUE(ParseWatchlistYaml("entities:\n")->entities.empty());
}

TEST(ParseWatchlistYamlTest, MissingName) {
  ExpectError(
      "entities:\n"
      "  - id: x\n"
      "    name: X\n"
      "  - id: kim\n"
      "    kind: person\n",
      "line 4: entity 'kim' has no name");
  ExpectError("entities:\n  - id: kim\n    name: \"\"\n", "line 3: entity 'kim' has no name");
}

TEST(ParseWatchlistYamlTest, DuplicateId) {
  ExpectError(
      "entities:\n"
      "  - {id: x, name: X}\n"
      "  - id: x\n"
      "    name: Y\n",
      "line 3: duplicate entity id 'x'");
}

TEST(ParseWatchlistYamlTest, UnknownEntityKey) {
  ExpectError(
      "entities:\n"
      "  - id: kim\n"
      "    name: Kim\n"
      "    kind: person\n"
      "\n"
      "    # typo below\n"
      "    alias: [Kim Jong-un]\n",
      "line 7: unknown key 'alias' (expected id, name, kind, aliases, surname_only, "
      "inflections or context)");
}

TEST(ParseWatchlistYamlTest, BadKind) {
  ExpectError(
      "entities:\n"
      "  - id: kim\n"
      "    kind: persn\n"
      "    name: Kim\n",
      "line 3: kind must be person, place, organisation or other");
}

TEST(ParseWatchlistYamlTest, BadOrMissingId) {
  ExpectError("entities:\n  - name: Kim\n", "line 2: entity has no id");
  ExpectError(
      "entities:\n  - id: Kim\n    name: Kim\n",
      "line 2: invalid entity id 'Kim': lowercase letters, digits, '.', '_' and '-', starting "
      "with a letter or a digit");
}

TEST(ParseWatchlistYamlTest, BadAliases) {
  ExpectError("entities:\n  - id: k\n    name: K\n    aliases: Kim\n",
              "line 4: entity 'k': aliases must be a list of strings or maps");
  ExpectError("entities:\n  - id: k\n    name: K\n    aliases:\n      - a\n      - [b]\n",
              "line 6: entity 'k': aliases must be a list of strings or maps");
  ExpectError("entities:\n  - id: k\n    name: K\n    aliases:\n      - a\n      - ''\n",
              "line 6: entity 'k' has an empty alias");
}

TEST(ParseWatchlistYamlTest, DuplicateKey) {
  ExpectError("entities:\n  - id: k\n    name: K\n    name: L\n", "line 4: duplicate key 'name'");
}

TEST(ParseWatchlistYamlTest, TopLevelErrors) {
  ExpectError("", "line 1: missing required key 'entities'");
  ExpectError("rules: []\n", "line 1: missing required key 'entities'");
  ExpectError("entities: []\nentitys: []\n",
              "line 2: unknown top-level key 'entitys' (expected entities or rules)");
  ExpectError("- a\n- b\n", "line 1: watchlist must be a mapping with an 'entities' list");
  ExpectError("entities:\n  id: x\n", "line 2: 'entities' must be a list");
  ExpectError("entities:\n  - just a string\n",
              "line 2: each entity must be a mapping with id and name");
}

TEST(ParseWatchlistYamlTest, YamlSyntaxErrorHasLine) {
  const absl::StatusOr<Watchlist> result = ParseWatchlistYaml(
      "entities:\n"
      "  - id: kim\n"
      "    name: [Kim\n"
      "    kind: person\n"
      "  - id: y\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()),
              testing::MatchesRegex("line [3-5]: invalid YAML: .+"));

  const absl::StatusOr<Watchlist> tabs = ParseWatchlistYaml("entities:\n  - id: \"x\n");
  ASSERT_FALSE(tabs.ok());
  EXPECT_THAT(std::string(tabs.status().message()), testing::StartsWith("line "));
}

TEST(LoadWatchlistFileTest, MissingFileIsNotFound) {
  const absl::StatusOr<Watchlist> result = LoadWatchlistFile("/nonexistent/watch.yaml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("/nonexistent/watch.yaml"));
}

TEST(LoadWatchlistFileTest, LoadsAndPrefixesErrorsWithPath) {
  const std::string dir = testing::TempDir();
  const std::string good = dir + "/tagging_watchlist_good.yaml";
  const std::string bad = dir + "/tagging_watchlist_bad.yaml";
  std::ofstream(good) << kGoodYaml;
  std::ofstream(bad) << "entities:\n  - id: kim\n";
  const absl::StatusOr<Watchlist> loaded = LoadWatchlistFile(good);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded, *ParseWatchlistYaml(kGoodYaml));
  const absl::StatusOr<Watchlist> failed = LoadWatchlistFile(bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(std::string(failed.status().message()), bad + ": line 2: entity 'kim' has no name");
  std::remove(good.c_str());
  std::remove(bad.c_str());
}

// What `wwctl watchlist export` prints must load back as the same watchlist, options and
// awkward strings (YAML specials, quotes, non-Latin scripts) included.
TEST(WatchlistToYamlTest, RoundTripsThroughTheParser) {
  Watchlist wl;
  Entity putin{.id = "putin", .name = "Vladimir Putin", .kind = EntityKind::kPerson};
  putin.aliases = {"Владимир Путин", "VVP", "Путин", "yes", "Kim: \"the\" #1", "- dash"};
  putin.alias_options.resize(3);
  putin.alias_options[1].case_sensitive = true;
  putin.alias_options[2].fold_diacritics = false;
  putin.alias_options[2].whole_phrase = true;
  putin.surname_only = true;
  putin.inflections = Inflections::kRussian;
  Entity georgia{.id = "georgia", .name = "Georgia", .kind = EntityKind::kPlace};
  georgia.aliases = {"Georgia", "Jordan"};
  georgia.alias_options.resize(2);
  georgia.alias_options[0].exclude_near = {"Atlanta", "Savannah"};
  georgia.alias_options[0].window = 25;
  georgia.alias_options[1].exclude_preceded_by = {"Michael"};
  wl.entities = {putin, georgia, Entity{.id = "un", .name = "ООН 联合国"}};

  const std::string yaml = WatchlistToYaml(wl);
  absl::StatusOr<Watchlist> back = ParseWatchlistYaml(yaml);
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << yaml;
  ASSERT_EQ(back->entities.size(), wl.entities.size()) << yaml;
  for (size_t i = 0; i < wl.entities.size(); ++i) {
    const Entity& want = wl.entities[i];
    const Entity& got = back->entities[i];
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.kind, want.kind);
    EXPECT_EQ(got.aliases, want.aliases) << yaml;
    EXPECT_EQ(got.surname_only, want.surname_only);
    EXPECT_EQ(got.inflections, want.inflections);
    for (size_t j = 0; j < want.aliases.size(); ++j) {
      EXPECT_TRUE(got.OptionsOf(j) == want.OptionsOf(j)) << want.id << " alias " << j << "\n"
                                                         << yaml;
    }
  }
  EXPECT_EQ(WatchlistToYaml(*back), yaml);
}

TEST(WatchlistToYamlTest, EmptyWatchlistLoads) {
  absl::StatusOr<Watchlist> back = ParseWatchlistYaml(WatchlistToYaml({}));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->entities.empty());
}

// ParseWatchlistYaml parses the usual layout a batch of entities at a time (so a big
// watchlist never holds yaml-cpp's whole tree): batches of one and two entities must give
// what the whole document gives, values and errors alike, and other layouts the whole parse.
TEST(ParseWatchlistYamlTest, ByBatchesAsTheWholeDocument) {
  struct Case {
    const char* what;
    std::string yaml;
    bool batched;  // the layout is the one parsed by batches
  };
  const std::vector<Case> cases = {
      {"the documented example", kGoodYaml, true},
      {"items at the key's indentation, comments and blank lines between, rules first",
       "# a watchlist\nrules:\n  - x: 1\nentities:   # the list\n- id: a\n  name: A\n\n"
       "# between\n- id: b\n  name: B\n  aliases:\n    - {text: \"B2\", case_sensitive: true}\n"
       "    - >\n      folded\n      alias\n- id: c\n  name: |\n    C\n",
       true},
      {"an anchor and its alias in two entities",
       "entities:\n  - id: a\n    name: &n Nice\n"
       "  - id: b\n    name: *n\n",
       true},
      {"an entity in error after good ones",
       "entities:\n  - id: a\n    name: A\n  - id: b\n    name: B\n  - id: a\n    name: C\n", true},
      {"an unknown key in the third entity",
       "entities:\n  - id: a\n    name: A\n  - id: b\n    name: B\n  - id: c\n    nmae: C\n", true},
      // The whole parse reports the syntax error first; so does the batched one, by
      // leaving such a document to the whole parse.
      {"an entity in error, then broken YAML further on",
       "entities:\n  - id: a\n  - id: b\n    name: [B\n  - id: c\n    name: C\n", false},
      {"Windows line ends", "entities:\r\n  - id: a\r\n    name: A\r\n  - id: b\r\n    name: B\r\n",
       true},
      // Errors outside the items are the whole parse's.
      {"an unknown top-level key after the list",
       "entities:\n  - id: a\n    name: A\nentitys:\n  - id: b\n", false},
      {"entities twice", "entities:\n  - id: a\n    name: A\nentities:\n  - id: b\n    name: B\n",
       false},
      {"a key where the next item should be", "entities:\n  - id: a\n    name: A\n  rules: []\n",
       false},
      {"a flow list", "entities: [{id: a, name: A}, {id: b, name: B}]\n", false},
      {"a mapping under entities", "entities:\n  id: x\n", false},
      {"two documents", "entities:\n  - id: a\n    name: A\n---\nentities: []\n", false},
      {"a tab", "entities:\n\t- id: a\n", false},
      {"no entities", "rules: []\n", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const absl::StatusOr<Watchlist> whole = internal::ParseWatchlistYamlWhole(c.yaml);
    for (size_t batch : {size_t{1}, size_t{2}, internal::kEntitiesPerBatch}) {
      const auto batched = internal::ParseWatchlistYamlInBatches(c.yaml, batch);
      // An alias of an anchor in another batch: left to the whole parse.
      const bool across = absl::StrContains(c.yaml, "*n") && batch == 1;
      EXPECT_EQ(batched.has_value(), c.batched && !across) << "batch " << batch;
      if (!batched) continue;
      EXPECT_EQ(batched->status(), whole.status()) << "batch " << batch;
      if (whole.ok() && batched->ok()) EXPECT_EQ(**batched, *whole) << "batch " << batch;
    }
    const absl::StatusOr<Watchlist> chosen = ParseWatchlistYaml(c.yaml);
    EXPECT_EQ(chosen.status(), whole.status());
    if (whole.ok() && chosen.ok()) EXPECT_EQ(*chosen, *whole);
  }
}

TEST(ParseWatchlistYamlTest, TheSampleWatchlistByBatchesAsWhole) {
  const char* root = std::getenv("WW_SOURCE_DIR");
  if (root == nullptr) GTEST_SKIP() << "WW_SOURCE_DIR is not set (ctest sets it)";
  std::ifstream in(std::string(root) + "/samples/watchlist.yaml");
  ASSERT_TRUE(in) << "samples/watchlist.yaml";
  const std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const absl::StatusOr<Watchlist> whole = internal::ParseWatchlistYamlWhole(yaml);
  ASSERT_TRUE(whole.ok()) << whole.status();
  const auto batched = internal::ParseWatchlistYamlInBatches(yaml, 3);
  ASSERT_TRUE(batched.has_value()) << "the sample is in the block layout";
  ASSERT_TRUE(batched->ok()) << batched->status();
  EXPECT_EQ(**batched, *whole);
  EXPECT_GT(whole->entities.size(), 3u);
}

}  // namespace
}  // namespace ww::tagging
