// wwctl loadgen's articles and statistics (loadgen.h), without a pipeline: what the deduper
// and the tagger will make of the articles decides what the load test measures.
#include "tools/wwctl/loadgen.h"

#include <gtest/gtest.h>

#include <set>

#include "libs/dedup/clusterer.h"
#include "libs/tagging/matcher.h"

namespace ww::wwctl {
namespace {

TEST(ArticleGenerator, DistinctReportsAndOnlyTheIntendedCopies) {
  ArticleGenerator gen({.mentions = 0.5, .copies = 0.1}, 7);
  auto clusterer = dedup::StoryClusterer::Create({});
  ASSERT_TRUE(clusterer.ok());
  int copies = 0, flagged = 0, wrongly = 0;
  std::set<std::string> urls;
  for (int i = 0; i < 600; ++i) {
    const LoadArticle a = gen.Next("test");
    EXPECT_TRUE(urls.insert(a.url).second) << "a URL twice: " << a.url;
    dedup::ArticleKey k;
    k.id = "a" + std::to_string(i);
    k.source = a.source;
    k.url = a.url;
    k.title = a.title;
    k.text = a.text;
    const bool copy = !clusterer->Assign(k, 1000 + i).duplicate_of.empty();
    copies += a.copy;
    flagged += copy;
    wrongly += copy && !a.copy;
  }
  EXPECT_GT(copies, 30);  // about 10%
  EXPECT_LT(copies, 90);
  EXPECT_EQ(wrongly, 0) << "two generated reports look like copies to the deduper";
  EXPECT_EQ(flagged, copies) << "a reprint was not recognised as a copy";
}

TEST(ArticleGenerator, NamesTheWatchedNamesWhereMeantAndNowhereElse) {
  LoadMix mix;
  mix.names = {"Kim Jong Un", "Vladivostok"};
  ArticleGenerator gen(mix, 3);
  tagging::Watchlist w;
  w.entities.push_back({"kim", "Kim Jong Un", tagging::EntityKind::kPerson, {}});
  w.entities.push_back({"vlad", "Vladivostok", tagging::EntityKind::kPlace, {}});
  auto matcher = tagging::Matcher::Build(w);
  ASSERT_TRUE(matcher.ok());
  int named = 0;
  for (int i = 0; i < 300; ++i) {
    const LoadArticle a = gen.Next("test");
    const bool found = !(*matcher)->FindAll(a.title + "\n" + a.text).empty();
    EXPECT_EQ(found, a.mentions) << a.text;
    named += a.mentions;
  }
  EXPECT_GT(named, 100);
  EXPECT_LT(named, 200);
}

TEST(ArticleGenerator, SameSeedSameArticles) {
  ArticleGenerator a({}, 5), b({}, 5), c({}, 6);
  const LoadArticle x = a.Next("r"), y = b.Next("r"), z = c.Next("r");
  EXPECT_EQ(x.text, y.text);
  EXPECT_NE(x.text, z.text);
}

TEST(LatencyStats, NearestRankPercentiles) {
  LatencyStats s;
  EXPECT_EQ(s.Quantile(0.99), 0);
  for (int i = 100; i >= 1; --i) s.Add(i);
  EXPECT_EQ(s.count(), 100u);
  EXPECT_EQ(s.Quantile(0.5), 50);
  EXPECT_EQ(s.Quantile(0.99), 99);
  EXPECT_EQ(s.Max(), 100);
  s.Add(1000);
  EXPECT_EQ(s.Max(), 1000);
}

TEST(AddHops, EachHopFromItsTwoEndsAndOnlyWhenBothWereSeen) {
  std::array<LatencyStats, kHops> hops;
  // A full path: 3 ms to the raw topic, then 40, 55, 60 and 12.5 ms.
  AddHops({.submitted_ms = 1000,
           .raw_ms = 1003,
           .unique_ms = 1043,
           .tagged_ms = 1098,
           .alert_ms = 1158,
           .received_ms = 1170.5},
          hops);
  // A copy: it stops at the deduper (no unique record), so only its ingest counts.
  AddHops({.submitted_ms = 2000, .raw_ms = 2002}, hops);
  // Stamps are whole ms on the producer's clock: a hop a fraction under zero is zero.
  AddHops({.submitted_ms = 3000.6, .raw_ms = 3000}, hops);
  ASSERT_EQ(hops[kIngestHop].count(), 3u);
  EXPECT_EQ(hops[kIngestHop].Max(), 3);
  EXPECT_EQ(hops[kIngestHop].Quantile(0.3), 0);  // the least of three
  for (int h : {kDedupHop, kTagHop, kAlertHop, kDeliverHop}) {
    EXPECT_EQ(hops[h].count(), 1u) << kHopNames[h];
  }
  EXPECT_EQ(hops[kDedupHop].Max(), 40);
  EXPECT_EQ(hops[kTagHop].Max(), 55);
  EXPECT_EQ(hops[kAlertHop].Max(), 60);
  EXPECT_EQ(hops[kDeliverHop].Max(), 12.5);
}

}  // namespace
}  // namespace ww::wwctl
