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

}  // namespace
}  // namespace ww::wwctl
