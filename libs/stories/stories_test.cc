// Stories: independent reports of one event become one story; a different event about the
// same people does not; copies follow their report; the index is deterministic and
// journalled.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/stories/decider.h"
#include "libs/stories/features.h"
#include "libs/stories/story_index.h"

namespace ww::stories {
namespace {

constexpr int64_t kHour = int64_t{3600} * 1000;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kT0 = int64_t{1'790'000'000'000};

struct Text {
  const char* title;
  const char* text;
};

// Last week's news, unrelated to the stories below: what a running pipeline's vocabulary
// has already seen.
const std::vector<Text> kBackground = {
    {"Central bank holds rates as inflation eases",
     "The central bank kept its main interest rate unchanged on Thursday, saying inflation "
     "had eased for a third month but wages were still rising fast.\nEconomists had expected "
     "the decision; markets barely moved and the currency was flat against the dollar."},
    {"Floods close motorway after record rainfall",
     "Police closed the motorway between the two cities on Sunday after a night of record "
     "rainfall flooded underpasses and left hundreds of drivers stranded.\nThe weather "
     "service said more rain was expected on Monday and warned residents near rivers."},
    {"Carmaker recalls 200,000 vehicles over brake fault",
     "The carmaker said on Wednesday it would recall about 200,000 vehicles built between "
     "2021 and 2023 because a faulty brake sensor could fail in cold weather.\nOwners will "
     "be contacted by letter and the repair will take about an hour, the company said."},
    {"Champions beat rivals in late comeback",
     "The champions scored twice in the last ten minutes to beat their rivals 3-2 on "
     "Saturday and go top of the league.\nThe coach praised his players' spirit and said the "
     "title race was far from over with eight games left."},
    {"Parliament passes budget after long debate",
     "Parliament approved next year's budget late on Tuesday after a debate that lasted "
     "almost twelve hours.\nThe opposition voted against, saying the plan cut spending on "
     "schools and hospitals while raising taxes on small businesses."},
    {"Wildfire forces thousands to leave their homes",
     "Firefighters battled a wildfire that forced thousands of people to leave their homes "
     "on Friday as strong winds pushed the flames towards the town.\nOfficials said no one "
     "had been hurt but several buildings had burned."},
    {"Tech company cuts jobs as sales slow",
     "The technology company said on Monday it would cut about 5 percent of its workforce "
     "after sales of its phones and laptops slowed for a second quarter.\nShares rose in "
     "early trading as investors welcomed lower costs."},
    {"Museum returns stolen paintings",
     "The museum said on Thursday that two paintings stolen from its galleries in 1998 had "
     "been returned after police found them in a private collection abroad.\nThe works will "
     "go back on display next month after restoration."},
};

// One event (Kim Jong Un's train reaching Vladivostok for talks with Putin), told twice by
// two outlets in their own words.
const Text kArrivalReuters = {
    "North Korea's Kim arrives in Vladivostok for talks with Putin",
    "North Korean leader Kim Jong Un arrived in the Russian port city of Vladivostok on "
    "Tuesday aboard his armoured train, ahead of a summit with President Vladimir Putin, "
    "Russian state media reported.\nThe Kremlin said the two leaders would discuss "
    "cooperation and the situation on the Korean peninsula. Officials in Seoul and "
    "Washington fear the talks could lead to a deal on artillery shells for the war in "
    "Ukraine.\nKim was greeted at Vladivostok station by the governor of the Primorsky "
    "region and a military band."};
const Text kArrivalYonhap = {
    "Kim Jong Un's armoured train pulls into Vladivostok",
    "The train carrying Kim Jong Un reached Vladivostok on Tuesday morning, where the North "
    "Korean leader is due to meet Vladimir Putin, according to footage on Russian "
    "television.\nPrimorsky governor Oleg Kozhemyako and an honour guard met Kim on the "
    "platform. South Korean and US officials have warned that Pyongyang may supply "
    "artillery ammunition to Moscow for its war in Ukraine.\nThe Kremlin has said the "
    "summit in Vladivostok will cover cooperation between the two countries."};
// The same people, another event, the same day.
const Text kMissile = {
    "North Korea fires ballistic missile into the sea",
    "North Korea fired a short-range ballistic missile into the sea off its east coast on "
    "Tuesday, South Korea's Joint Chiefs of Staff said, the latest in a series of weapons "
    "tests ordered by Kim Jong Un.\nJapan's coast guard told ships to stay clear of the "
    "area where the missile fell. Seoul said the launch violated United Nations Security "
    "Council resolutions."};

StoryIndex Warm() {
  StoryIndex index = *StoryIndex::Create({});
  int n = 0;
  for (const Text& t : kBackground) {
    index.AddReport("bg" + std::to_string(n++), "archive", t.title, t.text, kT0 - 8 * kDay);
  }
  index.Commit();
  return index;
}

TEST(StoryFeatures, NamesAreCapitalisedWordsInsideASentenceAndTheirRuns) {
  const ArticleTerms a = ExtractTerms("", "Yesterday the leader met Vladimir Putin in 2019.");
  const ArticleTerms b = ExtractTerms("", "Putin and Kim met. Then Vladimir Putin spoke in 2023.");
  // "Yesterday" opens the sentence: not a name. "Vladimir Putin" is a name and a run.
  EXPECT_EQ(a.groups[kNames].size(), 3u);  // vladimir, putin, "vladimir putin"
  EXPECT_EQ(a.years, std::vector<uint16_t>({2019}));
  EXPECT_EQ(b.years, std::vector<uint16_t>({2023}));
  // Shared name keys: putin, vladimir, "vladimir putin" ("Putin" and "Then" open sentences).
  size_t shared = 0;
  for (const auto& [k, n] : a.groups[kNames]) {
    for (const auto& [k2, n2] : b.groups[kNames]) shared += k == k2;
  }
  EXPECT_EQ(shared, 3u);
}

TEST(StoryFeatures, WeighKeepsTheRarestTermsNormalised) {
  Vocabulary v;
  for (int i = 0; i < 20; ++i) v.Add(ExtractTerms("", "the market rose on Monday"));
  v.Add(ExtractTerms("", "the market rose as Vladivostok hosted the summit"));
  const ArticleTerms t = ExtractTerms("", "the market rose as Vladivostok hosted the summit");
  const TermVector w = v.Weigh(t.groups[kWords], 2);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NEAR(Norm(w), 1.0, 1e-6);
  // "market" and "rose" are in every article: not among the two that weigh most.
  const TermVector market = v.Weigh(ExtractTerms("", "market").groups[kWords], 1);
  ASSERT_EQ(market.size(), 1u);
  for (const Term& x : w) EXPECT_NE(x.key, market[0].key);
}

TEST(StoryIndex, TwoReportsOfOneEventInTheirOwnWordsAreOneStory) {
  StoryIndex index = Warm();
  StoryDecision first =
      index.AddReport("reuters-1", "reuters", kArrivalReuters.title, kArrivalReuters.text, kT0);
  EXPECT_FALSE(first.joined);
  EXPECT_EQ(first.story.id, "reuters-1");
  StoryDecision second =
      index.AddReport("yonhap-1", "yonhap", kArrivalYonhap.title, kArrivalYonhap.text, kT0 + kHour);
  EXPECT_TRUE(second.joined) << "probability " << second.probability;
  EXPECT_EQ(second.story.id, "reuters-1");
  EXPECT_EQ(second.story.reports, 2u);
  EXPECT_EQ(second.story.sources, std::vector<std::string>({"reuters", "yonhap"}));
}

TEST(StoryIndex, ADifferentEventAboutTheSamePeopleIsANewStory) {
  StoryIndex index = Warm();
  index.AddReport("reuters-1", "reuters", kArrivalReuters.title, kArrivalReuters.text, kT0);
  StoryDecision missile =
      index.AddReport("yonhap-2", "yonhap", kMissile.title, kMissile.text, kT0 + kHour);
  EXPECT_FALSE(missile.joined) << "probability " << missile.probability;
  EXPECT_EQ(missile.story.id, "yonhap-2");
}

TEST(StoryIndex, AStoryThatWentQuietTakesNoNewReport) {
  StoryIndex index = Warm();
  index.AddReport("reuters-1", "reuters", kArrivalReuters.title, kArrivalReuters.text, kT0);
  // The same words a week later: a new event about the same people.
  StoryDecision later = index.AddReport("yonhap-1", "yonhap", kArrivalYonhap.title,
                                        kArrivalYonhap.text, kT0 + 7 * kDay);
  EXPECT_FALSE(later.joined);
  EXPECT_EQ(later.story.id, "yonhap-1");
}

TEST(StoryIndex, ACopyBelongsToItsReportsStory) {
  StoryIndex index = Warm();
  index.AddReport("reuters-1", "reuters", kArrivalReuters.title, kArrivalReuters.text, kT0);
  index.AddReport("yonhap-1", "yonhap", kArrivalYonhap.title, kArrivalYonhap.text, kT0 + 1);
  StoryDecision copy = index.AddCopy("yonhap-1", "korea-herald", kT0 + 2);
  EXPECT_TRUE(copy.joined);
  EXPECT_EQ(copy.story.id, "reuters-1");
  EXPECT_EQ(copy.story.articles, 3u);
  EXPECT_EQ(copy.story.reports, 2u);
  EXPECT_EQ(copy.story.source_count, 3u);
  // A copy of a report the index never saw starts a story named after that report.
  EXPECT_EQ(index.AddCopy("unknown-report", "x", kT0 + 3).story.id, "unknown-report");
}

TEST(StoryIndex, RollbackUndoesEverySinceCommitAndReplaysAlike) {
  auto run = [](bool with_rollback) {
    StoryIndex index = Warm();
    std::vector<std::string> ids;
    ids.push_back(
        index.AddReport("a", "reuters", kArrivalReuters.title, kArrivalReuters.text, kT0).story.id);
    index.Commit();
    if (with_rollback) {
      // An aborted transaction: a later time, another report, a copy; all undone.
      index.AddReport("m", "yonhap", kMissile.title, kMissile.text, kT0 + 40 * kHour);
      index.AddCopy("a", "tass", kT0 + 40 * kHour);
      index.Rollback();
    }
    ids.push_back(
        index.AddReport("b", "yonhap", kArrivalYonhap.title, kArrivalYonhap.text, kT0 + kHour)
            .story.id);
    ids.push_back(index.AddCopy("a", "tass", kT0 + kHour).story.id);
    StoryDecision d = index.AddReport("m", "yonhap", kMissile.title, kMissile.text, kT0 + kHour);
    ids.push_back(d.story.id);
    ids.push_back(std::to_string(index.vocabulary().documents()));
    return ids;
  };
  const std::vector<std::string> plain = run(false);
  EXPECT_EQ(plain, run(true));
  EXPECT_EQ(plain[1], "a");  // the rolled-back later clock did not close the story
}

TEST(Decider, CopiesAndReportsTogether) {
  auto decider = *Decider::Create({});
  int n = 0;
  for (const Text& t : kBackground) {
    decider->Assign({"bg" + std::to_string(n++), "archive", "", t.title, t.text, ""},
                    kT0 - 8 * kDay);
  }
  ArticleDecision a =
      decider->Assign({"r1", "reuters", "", kArrivalReuters.title, kArrivalReuters.text, ""}, kT0);
  // A reprint with an outlet's header line: a copy, in the same story.
  ArticleDecision copy = decider->Assign(
      {"h1", "herald", "", kArrivalReuters.title,
       std::string("Herald wire service | Updated 2 hours ago\n") + kArrivalReuters.text, ""},
      kT0 + 1);
  ArticleDecision other =
      decider->Assign({"y1", "yonhap", "", kArrivalYonhap.title, kArrivalYonhap.text, ""}, kT0 + 2);
  EXPECT_EQ(copy.copy.duplicate_of, "r1");
  EXPECT_EQ(copy.story.story.id, "r1");
  EXPECT_TRUE(other.copy.duplicate_of.empty());
  EXPECT_EQ(other.story.story.id, "r1");
  EXPECT_EQ(other.story.story.reports, 2u);
  EXPECT_EQ(other.story.story.articles, 3u);
  EXPECT_EQ(a.story.story.id, "r1");
}

TEST(StoryIndex, RejectsBadOptions) {
  StoryOptions o;
  o.min_probability = 1.5;
  EXPECT_FALSE(StoryIndex::Create(o).ok());
  o = {};
  o.window_ms = o.quiet_ms - 1;
  EXPECT_FALSE(StoryIndex::Create(o).ok());
}

}  // namespace
}  // namespace ww::stories
