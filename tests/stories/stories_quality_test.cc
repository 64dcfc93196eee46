// Stories on ECB+ through the path a user runs (`wwctl stories --output json`): the 462
// documents of topics 1-22, each topic's two events being similar but different (two
// rehab check-ins, two earthquakes), arriving in a random order after a week of other news
// (Reuters-21578, given as --vocabulary). Target from issue 17: B-cubed precision >= 0.95
// and F1 >= 0.90 against the events, averaged over three orders the defaults were not
// chosen on (choosing used orders 1-10: see libs/stories/README.md).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/dedup/quality.h"
#include "tests/stories/bcubed.h"

namespace ww::stories {
namespace {

using dedup::quality::Doc;

TEST(StoriesQuality, WwctlStoriesGroupsReportsIntoTheirEventsAndKeepsSimilarEventsApart) {
  const std::string dir = dedup::quality::SharedDataDir();
  if (dir.empty()) {
    GTEST_SKIP() << "../shared/data is absent beside WW_SOURCE_DIR: ECB+ and Reuters come "
                    "from it, so there is nothing to measure";
  }
  const char* bin = std::getenv("WW_BIN_DIR");
  ASSERT_NE(bin, nullptr) << "WW_BIN_DIR (set by ctest) names the folder of wwctl";
  auto ecb = dedup::quality::LoadEcbPlus(dir);
  ASSERT_TRUE(ecb.ok()) << ecb.status();
  ASSERT_EQ(ecb->size(), 462u);
  auto reuters = dedup::quality::LoadReuters(dir, 5);
  ASSERT_TRUE(reuters.ok()) << reuters.status();
  reuters->resize(std::min<size_t>(reuters->size(), 5000));
  const auto tmp = std::filesystem::temp_directory_path();
  const std::string warm = (tmp / absl::StrCat("ww_stories_warm_", getpid(), ".jsonl")).string();
  std::ofstream(warm) << dedup::quality::ToJsonLines(*reuters);

  double precision = 0, f1 = 0;
  const std::vector<uint64_t> seeds = {11, 12, 13};
  for (uint64_t seed : seeds) {
    std::vector<Doc> docs = *ecb;
    std::mt19937_64 rng(seed);
    std::shuffle(docs.begin(), docs.end(), rng);
    const std::string set =
        (tmp / absl::StrCat("ww_stories_quality_", getpid(), "_", seed, ".jsonl")).string();
    auto stories = dedup::quality::ClusterWithWwctl(absl::StrCat(bin, "/wwctl"), set, docs,
                                                    "stories --vocabulary " + warm, "story");
    std::filesystem::remove(set);
    std::filesystem::remove(set + ".clusters.json");
    ASSERT_TRUE(stories.ok()) << stories.status();
    std::vector<std::string> gold;
    for (const Doc& d : docs) gold.push_back(d.subtopic);
    const eval::BCubed b = eval::Score(gold, *stories);
    std::printf("order %lu: B-cubed precision %.4f recall %.4f F1 %.4f\n",
                static_cast<unsigned long>(seed), b.precision, b.recall, b.f1());
    // Each order on its own still keeps most events apart and together.
    EXPECT_GE(b.precision, 0.92) << "order " << seed;
    EXPECT_GE(b.f1(), 0.87) << "order " << seed;
    precision += b.precision / static_cast<double>(seeds.size());
    f1 += b.f1() / static_cast<double>(seeds.size());
  }
  std::filesystem::remove(warm);
  EXPECT_GE(precision, 0.95);
  EXPECT_GE(f1, 0.90);
}

}  // namespace
}  // namespace ww::stories
