// Near-duplicate fingerprints, the SimHash index and story clusters.
#include <algorithm>
#include <deque>
#include <random>

#include "gtest/gtest.h"
#include "libs/dedup/clusterer.h"
#include "libs/dedup/near_index.h"
#include "libs/dedup/simhash.h"

namespace ww::dedup {
namespace {

constexpr int64_t kHour = 3600 * 1000;

const char* kQuake =
    "A magnitude 6.1 earthquake struck off the coast of northern Chile on Tuesday, the US "
    "Geological Survey said, shaking buildings in the port city of Iquique.\n"
    "There were no immediate reports of damage or casualties, and the Chilean navy said the "
    "quake did not meet the conditions for a tsunami warning along the coast.\n"
    "The quake hit at a depth of 28 kilometres about 60 kilometres south-west of Iquique, a "
    "city of about 190,000 people, the survey said in a statement.\n"
    "Chile is one of the most earthquake-prone countries in the world and has strict "
    "building codes that limit the damage of frequent tremors.\n"
    "In 2010 a magnitude 8.8 quake and the tsunami it set off killed more than 500 people.";

const char* kOtherQuake =
    "A strong earthquake of magnitude 6.4 shook central Indonesia on Friday, sending residents "
    "of the island of Sulawesi running from their homes, the meteorology agency said.\n"
    "The agency said the quake was centred 40 kilometres north of Palu at a depth of 10 "
    "kilometres and did not have the potential to cause a tsunami.\n"
    "Local officials said several houses were damaged and two people were injured by falling "
    "debris, but there were no reports of deaths.\n"
    "Indonesia sits on the Pacific Ring of Fire and is frequently hit by earthquakes.";

TEST(SimHash, BoilerplateBylineAndATrimmedEndDoNotMakeACopyDifferent) {
  std::string copy = std::string("By Maria Lopez, Associated Press\n") + kQuake;
  copy = copy.substr(0, copy.rfind('\n'));  // last paragraph trimmed
  copy += "\nRead more: Chile earthquakes explained\nNewspapers in English\n"
          "\xc2\xa9 2024 The Daily Planet. All rights reserved.";
  auto a = SimHashFingerprint(kQuake), b = SimHashFingerprint(copy);
  ASSERT_TRUE(a.valid && b.valid);
  EXPECT_LE(HammingDistance(a.simhash, b.simhash), 3);
  EXPECT_GT(HammingDistance(a.simhash, SimHashFingerprint(kOtherQuake).simhash), 10)
      << "two different earthquakes are different stories";
}

TEST(SimHash, TooShortTextsHaveNoNearFingerprint) {
  EXPECT_FALSE(SimHashFingerprint("Quake hits Chile").valid);
  EXPECT_FALSE(SimHashFingerprint("").valid);
}

TEST(SimHash, BoilerplateParagraphs) {
  EXPECT_TRUE(IsBoilerplateParagraph("by jane smith, staff writer"));
  EXPECT_TRUE(IsBoilerplateParagraph("newspapers in english"));
  EXPECT_TRUE(IsBoilerplateParagraph("read more: the ten biggest quakes"));
  EXPECT_TRUE(IsBoilerplateParagraph("advertisement"));
  EXPECT_FALSE(IsBoilerplateParagraph("by tuesday the rescuers had reached the village of "
                                      "tarapaca and found survivors in the rubble of a school"));
}

TEST(NearIndex, FindsEveryEntryWithinTheRadiusOnceAndNothingFurther) {
  auto index = NearIndex::Create(3, 72 * kHour);
  ASSERT_TRUE(index.ok());
  std::mt19937_64 rng(7);
  std::vector<uint64_t> fps;
  for (uint32_t i = 0; i < 20000; ++i) {
    fps.push_back(rng());
    index->Add(fps.back(), 0, i);
  }
  const uint64_t q = fps[1234];
  // One neighbour at each distance 1..5 with bits in different blocks.
  const uint64_t flips[] = {1ULL << 3, (1ULL << 3) | (1ULL << 20), 0x1ULL | (1ULL << 17) | (1ULL << 40),
                            0x1ULL | (1ULL << 17) | (1ULL << 40) | (1ULL << 60),
                            0x3ULL | (1ULL << 17) | (1ULL << 40) | (1ULL << 60)};
  for (uint32_t i = 0; i < 5; ++i) index->Add(q ^ flips[i], 0, 100000 + i);
  auto found = index->Find(q, 0);
  // Brute force agrees: exactly the entries within 3 bits, each once.
  std::vector<uint32_t> want, got;
  for (uint32_t i = 0; i < fps.size(); ++i)
    if (HammingDistance(q, fps[i]) <= 3) want.push_back(i);
  for (uint32_t i = 0; i < 3; ++i) want.push_back(100000 + i);
  for (const auto& m : found) got.push_back(m.payload);
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
  EXPECT_FALSE(NearIndex::Create(4, kHour).ok()) << "the index guarantees radius <= 3 only";
}

TEST(NearIndex, ForgetsAfterTheWindowAndRollsBack) {
  auto index = NearIndex::Create(3, 72 * kHour);
  ASSERT_TRUE(index.ok());
  index->Add(42, 0, 1);
  index->Commit(0);
  EXPECT_EQ(index->Find(43, 71 * kHour).size(), 1u);
  EXPECT_TRUE(index->Find(43, 73 * kHour).empty()) << "older than the window";
  index->Add(1000, kHour, 2);
  index->Rollback();
  EXPECT_TRUE(index->Find(1000, kHour).empty());
  EXPECT_EQ(index->Find(42, kHour).size(), 1u);
  index->Commit(80 * kHour);
  EXPECT_EQ(index->size(), 0u);
}

// Random batches of near and far fingerprints, committed or rolled back, over a window that
// keeps several thousand entries live (the ring doubles a few times on the way): every Find
// returns exactly what a brute-force scan of the live entries does, at every radius.
class NearIndexRadius : public testing::TestWithParam<int> {};

TEST_P(NearIndexRadius, AgreesWithBruteForceThroughGrowthExpiryAndRollback) {
  constexpr int64_t kWindow = 24 * kHour;
  const int radius = GetParam();
  auto index = NearIndex::Create(radius, kWindow);
  ASSERT_TRUE(index.ok());
  struct Model {
    uint64_t fp;
    int64_t seen_ms;
    uint32_t payload;
  };
  std::deque<Model> live;  // committed and uncommitted, in arrival order
  size_t uncommitted = 0;
  std::mt19937_64 rng(11);
  int64_t now = 5 * kHour, committed_now = now;
  const auto secs = [](int64_t ms) { return ms / 1000; };
  size_t finds = 0, matches = 0, peak = 0;
  for (uint32_t i = 0; i < 30000; ++i) {
    now += static_cast<int64_t>(rng() % 20000);
    uint64_t fp = rng();
    if (!live.empty() && rng() % 3 == 0) {  // a near copy of a live entry, 0..5 bits away
      fp = live[rng() % live.size()].fp;
      for (int flips = static_cast<int>(rng() % 6); flips > 0; --flips) fp ^= 1ULL << (rng() % 64);
    }
    if (i % 3 == 0) {
      std::vector<std::pair<uint32_t, int>> want, got;
      for (const Model& m : live) {
        const int d = HammingDistance(fp, m.fp);
        if (d <= radius && secs(m.seen_ms) >= secs(now) - secs(kWindow)) {
          want.push_back({m.payload, d});
        }
      }
      for (const NearIndex::Match& m : index->Find(fp, now)) got.push_back({m.payload, m.distance});
      std::sort(want.begin(), want.end());
      std::sort(got.begin(), got.end());
      ASSERT_EQ(got, want) << "lookup " << i;
      ++finds;
      matches += got.size();
    }
    index->Add(fp, now, i);
    live.push_back({fp, now, i});
    ++uncommitted;
    peak = std::max(peak, live.size());
    if (rng() % 20 == 0) {
      if (rng() % 4 == 0) {
        index->Rollback();
        live.resize(live.size() - uncommitted);
        now = committed_now;
      } else {
        std::vector<uint32_t> dropped = index->Commit(now);
        std::vector<uint32_t> want_dropped;
        while (!live.empty() && secs(live.front().seen_ms) < secs(now) - secs(kWindow)) {
          want_dropped.push_back(live.front().payload);
          live.pop_front();
        }
        ASSERT_EQ(dropped, want_dropped);
        committed_now = now;
      }
      uncommitted = 0;
      ASSERT_EQ(index->size(), live.size());
    }
  }
  EXPECT_GT(peak, 4096u) << "the ring must have grown past its first sizes";
  EXPECT_GT(matches, finds / 40) << "near copies must be found, not only misses";
}

INSTANTIATE_TEST_SUITE_P(Radii, NearIndexRadius, testing::Values(0, 1, 2, 3));

ArticleKey Key(std::string id, std::string source, std::string text) {
  ArticleKey k;
  k.id = std::move(id);
  k.source = std::move(source);
  k.text = std::move(text);
  return k;
}

TEST(StoryClusterer, CopiesJoinTheFirstArticlesClusterWithTheirOutlets) {
  auto c = StoryClusterer::Create({});
  ASSERT_TRUE(c.ok());
  std::string copy = std::string(kQuake) + "\nNewspapers in English";
  Decision first = c->Assign(Key("a1", "ap", kQuake), 1000);
  EXPECT_TRUE(first.duplicate_of.empty());
  EXPECT_EQ(first.cluster.id, "a1");
  Decision dup = c->Assign(Key("a2", "daily-planet", copy), 2000);
  EXPECT_EQ(dup.duplicate_of, "a1");
  EXPECT_EQ(dup.cluster.id, "a1");
  EXPECT_FALSE(dup.exact);
  Decision other = c->Assign(Key("a3", "ap", kOtherQuake), 3000);
  EXPECT_TRUE(other.duplicate_of.empty()) << "a different earthquake is not merged";
  Decision again = c->Assign(Key("a4", "herald", copy + "\nFollow us on social media"), 4000);
  EXPECT_EQ(again.cluster.id, "a1");
  EXPECT_EQ(again.cluster.articles, 3u);
  EXPECT_EQ(again.cluster.sources, (std::vector<std::string>{"ap", "daily-planet", "herald"}));
  EXPECT_EQ(again.cluster.first_seen_ms, 1000);
  EXPECT_EQ(again.cluster.last_seen_ms, 4000);
  EXPECT_TRUE(c->Assign(Key("a2", "daily-planet", copy), 5000).redelivery);
}

TEST(StoryClusterer, RollbackUndoesTheBatchAndReplayGivesTheSameAnswers) {
  auto c = StoryClusterer::Create({});
  ASSERT_TRUE(c.ok());
  c->Assign(Key("a1", "ap", kQuake), 1000);
  c->Commit();
  Decision d1 = c->Assign(Key("a2", "x", std::string(kQuake) + "\nRead more here"), 2000);
  c->Assign(Key("a3", "y", kOtherQuake), 2000);
  c->Rollback();
  EXPECT_EQ(c->articles(), 1u);
  EXPECT_EQ(c->clusters(), 1u);
  Decision d2 = c->Assign(Key("a2", "x", std::string(kQuake) + "\nRead more here"), 2000);
  EXPECT_FALSE(d2.redelivery);
  EXPECT_EQ(d2.duplicate_of, d1.duplicate_of);
  EXPECT_EQ(d2.cluster.sources, d1.cluster.sources);
  EXPECT_EQ(d2.cluster.articles, 2u);
}

TEST(StoryClusterer, AStoryIsForgottenAfterTheWindow) {
  ClustererOptions o;
  o.window_ms = 72 * kHour;
  auto c = StoryClusterer::Create(o);
  ASSERT_TRUE(c.ok());
  c->Assign(Key("a1", "ap", kQuake), 0);
  c->Commit();
  Decision late = c->Assign(Key("a2", "x", kQuake), 73 * kHour);
  EXPECT_TRUE(late.duplicate_of.empty());
  EXPECT_EQ(late.cluster.id, "a2");
  c->Commit();
  EXPECT_EQ(c->clusters(), 1u);
}

TEST(StoryClusterer, RejectsAThresholdTheIndexCannotHonour) {
  ClustererOptions o;
  o.max_distance = 9;
  EXPECT_EQ(StoryClusterer::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ww::dedup
