// "One story, one cluster" on real news, through the path a user runs (`wwctl dedup --output
// json`): ECB+ topics 1-22 and Reuters-21578 articles, each reprinted the ways outlets reprint
// a wire story (headers, footers, teasers, trims, inserted paragraphs, word edits, new
// headlines, rewritten leads, reflowed paragraphs, and all of them mixed), among different
// events of the same ECB+ topic (the hard negatives). Targets from issue 13: pairwise
// precision >= 0.995, recall >= 0.98, on sets drawn with seeds the defaults were not tuned
// on (tuning used seeds 1-4; see libs/dedup/README.md).
#include "tests/dedup/quality.h"

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ww::dedup::quality {
namespace {

class DedupQuality : public testing::TestWithParam<uint64_t> {};

TEST_P(DedupQuality, WwctlDedupClustersCopiesAndKeepsDifferentEventsApart) {
  const std::string dir = SharedDataDir();
  if (dir.empty()) {
    GTEST_SKIP() << "../shared/data is absent beside WW_SOURCE_DIR: the quality set is built "
                    "from it, so there is nothing to measure";
  }
  const char* bin = std::getenv("WW_BIN_DIR");
  ASSERT_NE(bin, nullptr) << "WW_BIN_DIR (set by ctest) names the folder of wwctl";
  SetOptions options;
  options.seed = GetParam();
  auto docs = BuildSyndicationSet(dir, options);
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_GT(docs->size(), 8000u);
  const std::string set = (std::filesystem::temp_directory_path() /
                           absl::StrCat("ww_dedup_quality_", getpid(), "_", options.seed, ".jsonl"))
                              .string();
  auto clusters = ClusterWithWwctl(absl::StrCat(bin, "/wwctl"), set, *docs);
  std::filesystem::remove(set);
  std::filesystem::remove(set + ".clusters.json");
  ASSERT_TRUE(clusters.ok()) << clusters.status();

  const Scores s = Score(*docs, *clusters);
  EXPECT_GE(s.all.precision(), 0.995) << "fp " << s.all.fp << " (same event " << s.all.fp_same_event
                                      << ", hard negatives " << s.all.fp_hard << ")";
  EXPECT_GE(s.all.recall(), 0.98) << "fn " << s.all.fn;
  EXPECT_EQ(s.all.fp_hard, 0) << "different events of one ECB+ topic were merged";
  for (const auto& [kind, recall] : s.recall_by_kind) {
    EXPECT_GE(recall, 0.96) << "copies made by " << kind;
  }
}

INSTANTIATE_TEST_SUITE_P(HeldOutSeeds, DedupQuality, testing::Values(11, 12));

}  // namespace
}  // namespace ww::dedup::quality
