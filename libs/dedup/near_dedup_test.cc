// Near copies: shingles, the learned boilerplate, sketches, the windowed index and the story
// clusters built on them.
#include <algorithm>
#include <deque>
#include <random>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "libs/dedup/boilerplate.h"
#include "libs/dedup/clusterer.h"
#include "libs/dedup/near_index.h"
#include "libs/dedup/shingles.h"
#include "libs/dedup/sketch.h"

namespace ww::dedup {
namespace {

constexpr int64_t kHour = int64_t{3600} * 1000;

const char* kQuake =
    "A magnitude 6.1 earthquake struck off the coast of northern Chile on Tuesday, the US "
    "Geological Survey said, shaking buildings in the port city of Iquique.\n"
    "There were no immediate reports of damage or casualties, and the Chilean navy said the "
    "quake did not meet the conditions for a tsunami warning along the coast.\n"
    "The quake hit at a depth of 28 kilometres about 60 kilometres south-west of Iquique, a "
    "city of about 190,000 people, the survey said in a statement.\n"
    "Residents of the city's low-lying neighbourhoods left their homes for higher ground as a "
    "precaution, and schools in the region suspended classes for the rest of the day.\n"
    "Chile is one of the most earthquake-prone countries in the world and has strict "
    "building codes that limit the damage of frequent tremors.\n"
    "In 2010 a magnitude 8.8 quake and the tsunami it set off killed more than 500 people.";

// The same kind of event, with the names, places and stock phrases such stories share.
const char* kOtherQuake =
    "A magnitude 5.8 earthquake struck off the coast of central Chile on Sunday, the US "
    "Geological Survey said, rattling windows in the capital Santiago.\n"
    "The navy's oceanographic service ruled out a tsunami, and the interior ministry said "
    "there were no reports of injuries or of serious damage to roads and power lines.\n"
    "The tremor was centred 45 kilometres west of the fishing town of San Antonio at a depth "
    "of 35 kilometres, the survey said in a statement.\n"
    "Chile is one of the most earthquake-prone countries in the world and has strict "
    "building codes that limit the damage of frequent tremors.";

std::vector<uint64_t> Shingles(std::string_view text) {
  std::vector<uint64_t> out;
  ShingleHashes(text, kDefaultShingleWords, &out);
  return out;
}

Fingerprint FingerprintOf(std::string_view text) {
  Fingerprint fp;
  MakeFingerprint(Shingles(text), SketchOptions{}, &fp);
  return fp;
}

bool IsCopy(std::string_view a, std::string_view b) {
  return Compare(FingerprintOf(a).sketch, FingerprintOf(b).sketch, MatchOptions{}).copy;
}

// The first `share` of a text's words: a teaser.
std::string FirstWords(const std::string& text, double share) {
  std::vector<std::string> words = absl::StrSplit(text, ' ');
  words.resize(static_cast<size_t>(words.size() * share));
  return absl::StrJoin(words, " ");
}

// A story of made-up words: unrelated to any other made with another seed.
std::string RandomStory(uint64_t seed, int words) {
  std::mt19937_64 rng(seed);
  std::string s;
  for (int i = 0; i < words; ++i) {
    absl::StrAppend(&s, i ? (i % 25 == 0 ? ".\n" : " ") : "", "w", rng() % 50000);
  }
  return s;
}

TEST(Shingles, FoldCaseAndSpacingAndRunAcrossLines) {
  const std::vector<uint64_t> a = Shingles("Kim Jong Un arrived in Vladivostok");
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(Shingles("KIM  jong un\narrived in\n\nVLADIVOSTOK"), a);
  EXPECT_NE(Shingles("Kim Jong Un arrived in Moscow"), a);
  EXPECT_EQ(Shingles("Kim Jong").size(), 1u) << "fewer words than a shingle: one of them all";
  EXPECT_TRUE(Shingles(" \n ").empty());
}

TEST(Shingles, CharactersOfSpacelessScriptsAreWords) {
  EXPECT_EQ(Shingles("北京市").size(), 1u);
  EXPECT_EQ(Shingles("北京市政府").size(), 3u);
  EXPECT_EQ(Shingles("김정은 위원장이 러시아에 도착했다").size(), 2u) << "Hangul has spaces";
}

TEST(Shingles, TheAsciiFastPathCutsTheSameWordsAsTheUnicodeOne) {
  // A line with one non-ASCII character takes the general path; its words must hash alike.
  const std::string text =
      "Kim Jong Un's armoured train, a slow-moving fortress of 21 carriages, crossed into "
      "Russia at Khasan on Tuesday morning, officials in Vladivostok said; the international "
      "press corps waited 1234567890 minutes at the station";
  EXPECT_EQ(Shingles(text + " \u2605"), Shingles(text));
  EXPECT_EQ(Shingles(text + "\n\u2605"), Shingles(text));
  const std::string long_words(200, 'a');  // words across 64-byte blocks, longer than 8 bytes
  EXPECT_EQ(Shingles(long_words + " b" + " \u2605"), Shingles(long_words + " b"));
  EXPECT_EQ(Shingles(text.substr(0, 64) + "\u2605"), Shingles(text.substr(0, 64)));
}

TEST(Shingles, HashesAreStableAcrossRunsAndMachines) {
  // Replicas and restarts must cut the same shingles: the hash is our own, not Abseil's.
  EXPECT_EQ(WordHash("kim"), 18368024970462565078ULL);
  EXPECT_NE(WordHash("kim"), WordHash("jong"));
}

TEST(Sketch, WhatOutletsAddCutOrEditLeavesACopy) {
  const std::string quake = kQuake;
  EXPECT_TRUE(IsCopy(quake, absl::StrCat("Outlet 3 edition\nBy Maria Lopez\nUpdated 3 hours ago\n",
                                         quake, "\nCopyright outlet 3. All rights reserved.")))
      << "header and footer";
  EXPECT_TRUE(IsCopy(FirstWords(quake, 0.35), quake)) << "a teaser, the first third";
  EXPECT_TRUE(IsCopy(quake, FirstWords(quake, 0.35))) << "the full story after its teaser";
  std::string inserted = quake;
  inserted.insert(inserted.find("Chile is one"),
                  "Local officials in Arica said they had felt the tremor but had no reports of "
                  "damage in the city, where the port kept working through the morning.\n");
  EXPECT_TRUE(IsCopy(quake, inserted)) << "a local paragraph inserted";
  std::string edited = quake;
  for (auto [from, to] : {std::pair{"Tuesday", "Tues."},
                          {"shaking", "rattling"},
                          {"28", "twenty-eight"},
                          {"casualties", "injuries"}}) {
    edited.replace(edited.find(from), std::string_view(from).size(), to);
  }
  EXPECT_TRUE(IsCopy(quake, edited)) << "word edits";
}

TEST(Sketch, TwoStoriesOfOneKindAreNotCopies) {
  EXPECT_FALSE(IsCopy(kQuake, kOtherQuake));
  EXPECT_FALSE(IsCopy(FirstWords(kQuake, 0.35), kOtherQuake));
  EXPECT_FALSE(IsCopy(RandomStory(1, 300), RandomStory(2, 300)));
}

TEST(Sketch, TooFewShinglesGiveNoSketchAndNoKeys) {
  const Fingerprint fp = FingerprintOf("Quake hits Chile");
  EXPECT_FALSE(fp.sketch.valid());
  EXPECT_EQ(fp.key_count, 0);
  EXPECT_FALSE(Compare(fp.sketch, fp.sketch, MatchOptions{}).copy);
}

TEST(Sketch, ACopyFindsItsOriginalThroughTheKeys) {
  // A stored key is among the smallest shingles of its article; a copy probes with more of
  // its own smallest: they must meet.
  const Fingerprint a = FingerprintOf(kQuake);
  const Fingerprint b = FingerprintOf(absl::StrCat("Outlet 1 edition\n", kQuake, "\nCopyright"));
  std::set<uint32_t> probes(b.probes.begin(), b.probes.begin() + b.probe_count);
  int met = 0;
  for (int i = 0; i < a.key_count; ++i) met += probes.contains(a.keys[i]);
  EXPECT_GE(met, 2);
}

TEST(Boilerplate, WhatManyStoriesCarryIsBoilerplateWhatTwoShareIsNot) {
  auto model = BoilerplateModel::Create({.min_stories = 8});
  ASSERT_TRUE(model.ok());
  const std::vector<uint64_t> footer = Shingles("Sign up for our newsletter to get the news first");
  const std::vector<uint64_t> shared = Shingles("a sentence two stories share and nobody else");
  for (int story = 0; story < 8; ++story) {
    std::vector<uint64_t> s = Shingles(RandomStory(story, 40));
    s.insert(s.end(), footer.begin(), footer.end());
    if (story < 2) s.insert(s.end(), shared.begin(), shared.end());
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    if (story == 7) {
      EXPECT_FALSE(model->Contains(footer[0])) << "seven stories are not yet enough";
    }
    model->AddStory(s);
  }
  for (uint64_t f : footer) EXPECT_TRUE(model->Contains(f));
  for (uint64_t f : shared) EXPECT_FALSE(model->Contains(f));
  std::vector<uint64_t> text = shared, content;
  text.insert(text.begin() + 1, footer.begin(), footer.end());
  model->KeepContent(text, &content);
  EXPECT_EQ(content, shared) << "the footer is dropped, the rest kept in order";
}

TEST(Boilerplate, RollbackUndoesCountsAndGenerationsAndForgetsOldStories) {
  auto model = BoilerplateModel::Create({.min_stories = 3, .generation_stories = 4});
  ASSERT_TRUE(model.ok());
  const std::vector<uint64_t> footer = Shingles("Copyright outlet three all rights reserved");
  auto story = [&](int i) {
    std::vector<uint64_t> s = Shingles(RandomStory(100 + i, 30));
    s.insert(s.end(), footer.begin(), footer.end());
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    return s;
  };
  for (int i = 0; i < 3; ++i) model->AddStory(story(i));
  model->Commit();
  ASSERT_TRUE(model->Contains(footer[0]));
  const uint32_t before = model->Count(footer[0]);
  // A batch that crosses two generation switches, then is aborted.
  for (int i = 3; i < 12; ++i) model->AddStory(story(i));
  EXPECT_GT(model->Count(footer[0]), before);
  model->Rollback();
  EXPECT_EQ(model->Count(footer[0]), before);
  // Stories without the footer: after two generations it is forgotten.
  for (int i = 0; i < 8; ++i) model->AddStory(Shingles(RandomStory(500 + i, 30)));
  model->Commit();
  EXPECT_EQ(model->Count(footer[0]), 0u);
  EXPECT_FALSE(model->Contains(footer[0]));
}

TEST(Boilerplate, RejectsOptionsOutOfRange) {
  EXPECT_FALSE(BoilerplateModel::Create({.min_stories = 1}).ok());
  EXPECT_FALSE(BoilerplateModel::Create({.min_stories = 256}).ok());
  EXPECT_FALSE(BoilerplateModel::Create({.table_bits = 40}).ok());
}

// Random "articles" (shingle sets) and copies of live ones (a few shingles replaced), added
// over a window that keeps a few thousand live while tens of thousands pass, with batches
// committed or rolled back: every lookup returns only live entries within the window that
// its sketch calls copies, and finds the article a planted copy was made from.
TEST(NearIndex, FindsPlantedCopiesOnlyLiveOnesThroughExpiryAndRollback) {
  constexpr int64_t kWindow = 2 * kHour;
  auto index = NearIndex::Create(kWindow, MatchOptions{});
  ASSERT_TRUE(index.ok());
  struct Model {
    uint64_t seq;
    std::vector<uint64_t> shingles;
    Sketch sketch;
    int64_t seen_ms;
  };
  std::deque<Model> live;
  size_t uncommitted = 0;
  std::mt19937_64 rng(11);
  int64_t now = 5 * kHour, committed_now = now;
  size_t planted = 0, found_planted = 0, peak = 0, expired_seen = 0;
  for (int i = 0; i < 40000; ++i) {
    now += static_cast<int64_t>(rng() % 1000);
    std::vector<uint64_t> shingles;
    const Model* original = nullptr;
    if (!live.empty() && rng() % 3 == 0) {
      original = &live[rng() % live.size()];
      shingles = original->shingles;
      for (int k = 0; k < 5; ++k) shingles[rng() % shingles.size()] = rng();
    } else {
      for (int k = 0; k < 40 + static_cast<int>(rng() % 200); ++k) shingles.push_back(rng());
    }
    Fingerprint fp;
    MakeFingerprint(shingles, SketchOptions{}, &fp);
    const std::vector<NearIndex::Match> found = index->Find(fp, now);
    std::set<uint64_t> seqs;
    for (const NearIndex::Match& m : found) {
      ASSERT_TRUE(seqs.insert(m.seq).second) << "each entry once";
      ASSERT_GE(m.seq, index->first_seq());
      auto it =
          std::find_if(live.begin(), live.end(), [&](const Model& x) { return x.seq == m.seq; });
      ASSERT_NE(it, live.end()) << "a rolled-back or expired entry was found";
      if (it->seen_ms / 1000 < now / 1000 - kWindow / 1000) {
        ++expired_seen;
        ADD_FAILURE() << "entry " << m.seq << " is older than the window";
      }
      EXPECT_TRUE(Compare(fp.sketch, it->sketch, MatchOptions{}).copy);
    }
    if (original != nullptr && original->seen_ms / 1000 >= now / 1000 - kWindow / 1000) {
      ++planted;
      found_planted += seqs.contains(original->seq);
    }
    const uint64_t seq = index->Add(fp, now);
    live.push_back({seq, std::move(shingles), fp.sketch, now});
    ++uncommitted;
    peak = std::max(peak, live.size());
    if (rng() % 20 == 0) {
      if (rng() % 4 == 0) {
        index->Rollback();
        live.resize(live.size() - uncommitted);
        now = committed_now;
      } else {
        index->Commit(now);
        while (!live.empty() && live.front().seq < index->first_seq()) live.pop_front();
        committed_now = now;
      }
      uncommitted = 0;
      ASSERT_EQ(index->size(), live.size());
    }
  }
  EXPECT_GT(peak, 8192u) << "several chunks must have been live at once";
  EXPECT_GT(index->first_seq(), 12000u) << "most entries must have expired";
  EXPECT_GT(planted, 5000u);
  EXPECT_EQ(found_planted, planted) << "a copy with 5 of its shingles replaced is found";
  EXPECT_EQ(expired_seen, 0u);
}

TEST(NearIndex, RejectsThresholdsOutsideZeroToOne) {
  EXPECT_FALSE(NearIndex::Create(kHour, MatchOptions{.min_containment = 0}).ok());
  EXPECT_FALSE(NearIndex::Create(kHour, MatchOptions{.min_containment = 1.5}).ok());
  EXPECT_FALSE(NearIndex::Create(kHour, MatchOptions{.min_lead = -1}).ok());
  EXPECT_FALSE(NearIndex::Create(0, MatchOptions{}).ok());
}

ArticleKey Key(std::string id, std::string source, std::string text) {
  ArticleKey k;
  k.id = std::move(id);
  k.source = std::move(source);
  k.text = std::move(text);
  return k;
}

std::string OutletCopy(int outlet, const std::string& story) {
  return absl::StrCat("Outlet ", outlet, " edition\n\n", story, "\n\nCopyright outlet ", outlet);
}

TEST(StoryClusterer, FiveOutletsWithTheirOwnHeaderAndFooterAreOneStory) {
  auto c = StoryClusterer::Create({});
  ASSERT_TRUE(c.ok());
  Decision first = c->Assign(Key("wire", "ap", kQuake), 1000);
  EXPECT_TRUE(first.duplicate_of.empty());
  EXPECT_EQ(first.similarity, 0);
  for (int i = 1; i <= 5; ++i) {
    Decision d = c->Assign(
        Key(absl::StrCat("o", i), absl::StrCat("outlet-", i), OutletCopy(i, kQuake)), 1000 + i);
    EXPECT_EQ(d.cluster.id, "wire") << "outlet " << i;
    EXPECT_FALSE(d.duplicate_of.empty());
    EXPECT_FALSE(d.exact);
    EXPECT_GE(d.similarity, 0.4);
    EXPECT_LE(d.similarity, 1.0);
    EXPECT_EQ(d.cluster.articles, static_cast<uint32_t>(i + 1));
  }
  Decision other = c->Assign(Key("other", "ap", OutletCopy(1, kOtherQuake)), 2000);
  EXPECT_TRUE(other.duplicate_of.empty()) << "another earthquake, even from outlet 1";
  Decision teaser = c->Assign(Key("teaser", "outlet-6", FirstWords(kQuake, 0.35)), 3000);
  EXPECT_EQ(teaser.cluster.id, "wire");
  EXPECT_EQ(teaser.cluster.sources,
            (std::vector<std::string>{"ap", "outlet-1", "outlet-2", "outlet-3", "outlet-4",
                                      "outlet-5", "outlet-6"}));
  Decision exact = c->Assign(Key("again", "outlet-7", kQuake), 4000);
  EXPECT_TRUE(exact.exact);
  EXPECT_EQ(exact.similarity, 1);
  EXPECT_TRUE(c->Assign(Key("o2", "outlet-2", OutletCopy(2, kQuake)), 5000).redelivery);
}

// A footer that every outlet-1 story carries makes two short unrelated stories look alike;
// once enough stories carried it, it is boilerplate and they are told apart.
TEST(StoryClusterer, AFooterManyStoriesCarryStopsCountingAsEvidence) {
  const std::string footer =
      "\nSign up for the Outlet One morning briefing and get the stories that matter in your "
      "inbox before breakfast every weekday, free of charge, unsubscribe at any time. Our "
      "journalism is funded by readers like you: become a member today and support local "
      "reporting in your community.";
  ClustererOptions o;
  o.boilerplate.min_stories = 8;
  auto fresh = StoryClusterer::Create(o);
  ASSERT_TRUE(fresh.ok());
  // The premise: before anything is learned, the footer alone makes two short stories copies.
  fresh->Assign(Key("s0", "outlet-1", RandomStory(0, 20) + footer), 0);
  EXPECT_EQ(fresh->Assign(Key("s1", "outlet-1", RandomStory(1, 20) + footer), 0).duplicate_of,
            "s0");

  auto c = StoryClusterer::Create(o);
  ASSERT_TRUE(c.ok());
  for (int i = 2; i < 12; ++i) {  // long stories: the footer is a small part of each
    Decision d =
        c->Assign(Key(absl::StrCat("long", i), "outlet-1", RandomStory(i, 300) + footer), 0);
    EXPECT_TRUE(d.duplicate_of.empty()) << "long" << i;
  }
  c->Commit();
  EXPECT_TRUE(c->boilerplate().Contains(Shingles(footer)[3]));
  Decision x = c->Assign(Key("s0", "outlet-1", RandomStory(0, 20) + footer), 0);
  Decision y = c->Assign(Key("s1", "outlet-1", RandomStory(1, 20) + footer), 0);
  EXPECT_TRUE(x.duplicate_of.empty());
  EXPECT_TRUE(y.duplicate_of.empty()) << "only the learned footer is shared";
}

// The same sequence of articles gives the same decisions whether committed after every
// article, in batches, or with batches aborted and replayed: replicas and restarts agree.
TEST(StoryClusterer, DecisionsDoNotDependOnCommitPointsOrAbortedBatches) {
  std::vector<ArticleKey> keys;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 600; ++i) {
    const int story = static_cast<int>(rng() % 150);
    std::string text = RandomStory(story, 60 + story % 80);
    if (rng() % 2) text = OutletCopy(static_cast<int>(rng() % 9), text);
    if (rng() % 5 == 0) text = FirstWords(text, 0.5);
    keys.push_back(Key(absl::StrCat("a", i), absl::StrCat("outlet-", rng() % 9), text));
  }
  auto run = [&](int batch, bool abort_some) {
    ClustererOptions o;
    o.window_ms = 50'000;
    o.boilerplate.min_stories = 4;
    o.boilerplate.generation_stories = 32;
    auto c = StoryClusterer::Create(o);
    std::vector<std::string> out;
    for (size_t start = 0; start < keys.size(); start += batch) {
      const size_t end = std::min(keys.size(), start + batch);
      if (abort_some && (start / batch) % 3 == 0) {
        for (size_t i = start; i < end; ++i) c->Assign(keys[i], static_cast<int64_t>(i) * 100);
        c->Rollback();
      }
      for (size_t i = start; i < end; ++i) {
        Decision d = c->Assign(keys[i], static_cast<int64_t>(i) * 100);
        out.push_back(absl::StrCat(d.cluster.id, "/", d.duplicate_of, "/", d.cluster.articles));
      }
      c->Commit();
    }
    return out;
  };
  const std::vector<std::string> each = run(1, false);
  EXPECT_EQ(run(7, false), each);
  EXPECT_EQ(run(25, true), each);
  int copies = 0;
  for (const std::string& s : each) copies += !absl::StrContains(s, "//");
  EXPECT_GT(copies, 100) << "the sequence must exercise copies, not only firsts";
}

TEST(StoryClusterer, AStoryIsForgottenAfterTheWindow) {
  auto c = StoryClusterer::Create({.window_ms = 72 * kHour});
  ASSERT_TRUE(c.ok());
  c->Assign(Key("a1", "ap", kQuake), 0);
  c->Commit();
  Decision late = c->Assign(Key("a2", "x", OutletCopy(1, kQuake)), 73 * kHour);
  EXPECT_TRUE(late.duplicate_of.empty());
  EXPECT_EQ(late.cluster.id, "a2");
  c->Commit();
  EXPECT_EQ(c->clusters(), 1u);
  EXPECT_EQ(c->articles(), 1u);
}

ArticleKey Exact(std::string id, std::string url, std::string text) {
  ArticleKey k = Key(std::move(id), "outlet", std::move(text));
  k.url = std::move(url);
  return k;
}

TEST(StoryClusterer, SameUrlOrSameTextIsAnExactCopyWithinTheWindow) {
  auto c = StoryClusterer::Create({.window_ms = 72 * kHour});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(
      c->Assign(Exact("a1", "https://a.example/x", "Quake hits Chile"), 0).duplicate_of.empty());
  Decision by_url = c->Assign(Exact("a2", "https://a.example/x", "Quake hits Peru"), kHour);
  EXPECT_TRUE(by_url.exact);
  EXPECT_EQ(by_url.duplicate_of, "a1");
  Decision by_text = c->Assign(Exact("a3", "https://b.example/y", "QUAKE hits  Chile\n"), kHour);
  EXPECT_TRUE(by_text.exact) << "the content hash folds case and spacing";
  EXPECT_EQ(by_text.cluster.id, "a1");
  EXPECT_TRUE(c->Assign(Exact("a4", "", ""), kHour).duplicate_of.empty()) << "nothing to compare";
  EXPECT_TRUE(c->Assign(Exact("a5", "", ""), kHour).duplicate_of.empty());
  c->Commit();
  // a3 (the newest with the URL's text) keeps the text alive until 73 h after it was seen.
  EXPECT_EQ(
      c->Assign(Exact("a6", "https://c.example/z", "Quake hits Chile"), 72 * kHour).duplicate_of,
      "a3");
  EXPECT_TRUE(
      c->Assign(Exact("a7", "https://a.example/x", "Storm"), 145 * kHour + 1).duplicate_of.empty())
      << "forgotten after the window";
}

TEST(StoryClusterer, RollbackForgetsTheExactKeysAndClustersOfTheAbortedBatch) {
  auto c = StoryClusterer::Create({});
  ASSERT_TRUE(c.ok());
  c->Assign(Exact("a1", "u1", kQuake), 0);
  c->Commit();
  c->Assign(Exact("a2", "u2", kOtherQuake), 1);
  c->Assign(Exact("a3", "u1", "Storm warning for the coast"), 1);
  c->Rollback();
  EXPECT_EQ(c->articles(), 1u);
  EXPECT_EQ(c->clusters(), 1u);
  // The batch is read again after an abort: an article must not be its own copy.
  Decision again = c->Assign(Exact("a2", "u2", kOtherQuake), 1);
  EXPECT_FALSE(again.redelivery);
  EXPECT_TRUE(again.duplicate_of.empty());
  Decision a3 = c->Assign(Exact("a3", "u1", "Storm warning for the coast"), 1);
  EXPECT_EQ(a3.duplicate_of, "a1");
  EXPECT_EQ(a3.cluster.articles, 2u) << "the aborted join was undone, not counted twice";
  EXPECT_EQ(a3.cluster.sources, (std::vector<std::string>{"outlet"}));
}

TEST(StoryClusterer, RejectsThresholdsOutsideZeroToOne) {
  ClustererOptions o;
  o.match.min_containment = 2;
  EXPECT_EQ(StoryClusterer::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ww::dedup
