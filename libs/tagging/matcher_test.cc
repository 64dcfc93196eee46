#include "libs/tagging/matcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "libs/tagging/prefix_trie.h"
#include "libs/tagging/watchlist.h"
#include "libs/text/utf8.h"

namespace ww::tagging {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Watchlist TestWatchlist() {
  Watchlist w;
  w.entities = {
      {"kim-jong-un",
       "Kim Jong Un",
       EntityKind::kPerson,
       {"Kim Jong-un", "김정은", "Ким Чен Ын", "金正恩"}},
      {"kim", "Kim", EntityKind::kPerson, {}},
      {"putin", "Putin", EntityKind::kPerson, {"Vladimir Putin", "Путин", "Владимир Путин"}},
      {"russia", "Russia", EntityKind::kPlace, {"Россия"}},
      {"north-korea", "North Korea", EntityKind::kPlace, {"朝鲜", "북한"}},
      {"korea", "Korea", EntityKind::kPlace, {}},
      {"vladivostok", "Vladivostok", EntityKind::kPlace, {"Владивосток", "符拉迪沃斯托克"}},
  };
  return w;
}

std::shared_ptr<const Matcher> BuildOrDie(const Watchlist& w) {
  absl::StatusOr<std::shared_ptr<const Matcher>> m = Matcher::Build(w);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : nullptr;
}

const Matcher& TestMatcher() {
  static const std::shared_ptr<const Matcher> matcher = BuildOrDie(TestWatchlist());
  return *matcher;
}

// (entity_id, text) of each mention.
std::vector<std::pair<std::string, std::string>> Found(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Mention& m : TestMatcher().FindAll(text)) out.emplace_back(m.entity_id, m.text);
  return out;
}

using P = std::pair<std::string, std::string>;

// Tenants' entities ("tenant/id") share one matcher; each tenant finds what its own
// watchlist alone would find, at the same spans.
TEST(MatcherTest, EachTenantFindsItsOwnEntitiesInOneMatcher) {
  Watchlist w;
  w.entities = {
      {"desk-a/port", "Vladivostok", EntityKind::kPlace, {"Владивосток"}},
      {"desk-a/port-again", "Vladivostok port", EntityKind::kPlace, {"Vladivostok"}},
      {"desk-b/vladivostok", "Vladivostok", EntityKind::kPlace, {}},
      {"desk-c/kim", "Kim Jong Un", EntityKind::kPerson, {}},
      {"kim", "Kim", EntityKind::kPerson, {}},  // the shared (default) watchlist
  };
  // desk-c's case-sensitive "VLADIVOSTOK" only: its options decide for it alone.
  w.entities.push_back({"desk-c/vl", "Port of the Far East", EntityKind::kPlace, {"VLADIVOSTOK"}});
  w.entities.back().alias_options.resize(1);
  w.entities.back().alias_options[0].case_sensitive = true;
  auto m = BuildOrDie(w);
  ASSERT_NE(m, nullptr);
  std::vector<P> got;
  for (const Mention& x : m->FindAll("In Vladivostok, Kim Jong Un met Kim.")) {
    got.emplace_back(x.entity_id, x.text);
  }
  // Within one tenant the first entity listed wins ("desk-a/port", not "desk-a/port-again");
  // across tenants every one gets the span. The longest match wins at its place for everyone
  // ("Kim Jong Un" is desk-c's; "Kim" alone later is the shared watchlist's).
  EXPECT_THAT(got,
              ElementsAre(P{"desk-a/port", "Vladivostok"}, P{"desk-b/vladivostok", "Vladivostok"},
                          P{"desk-c/kim", "Kim Jong Un"}, P{"kim", "Kim"}));

  // One tenant, the same aliases: one span each, as before.
  Watchlist one;
  one.entities = {{"port", "Vladivostok", EntityKind::kPlace, {}},
                  {"vladivostok", "Vladivostok", EntityKind::kPlace, {}}};
  auto single = BuildOrDie(one);
  ASSERT_NE(single, nullptr);
  EXPECT_EQ(single->FindAll("In Vladivostok.").size(), 1u);
}

TEST(MatcherTest, Counts) {
  // 19 names/aliases; "Kim Jong-un" folds like "Kim Jong Un", so 18 distinct.
  EXPECT_EQ(TestMatcher().entity_count(), 7u);
  EXPECT_EQ(TestMatcher().alias_count(), 18u);
}

TEST(MatcherTest, EmptyInputAndEmptyWatchlist) {
  EXPECT_THAT(TestMatcher().FindAll(""), IsEmpty());
  EXPECT_THAT(TestMatcher().FindAll("   "), IsEmpty());
  std::shared_ptr<const Matcher> empty = BuildOrDie(Watchlist{});
  EXPECT_EQ(empty->alias_count(), 0u);
  EXPECT_THAT(empty->FindAll("Kim Jong Un"), IsEmpty());
}

TEST(MatcherTest, CaseHyphenSpaceAndApostropheVariants) {
  for (std::string_view text : {"KIM JONG UN", "Kim Jong-un", "Kim Jong‐un", "Kim  Jong Un",
                                "Kim Jong Un’s", "Kim\nJong\tUn", "Kim Jong – Un"}) {
    const std::vector<Mention> found = TestMatcher().FindAll(text);
    ASSERT_EQ(found.size(), 1u) << text;
    EXPECT_EQ(found[0].entity_id, "kim-jong-un") << text;
    EXPECT_EQ(found[0].alias, "Kim Jong Un") << text;
    EXPECT_EQ(found[0].start, 0u) << text;
    EXPECT_EQ(found[0].text, text.substr(0, text.find("’"))) << text;
  }
}

TEST(MatcherTest, DiacriticsAndFullWidth) {
  EXPECT_THAT(Found("Pútin spoke"), ElementsAre(P{"putin", "Pútin"}));
  EXPECT_THAT(Found("ＰＵＴＩＮ spoke"), ElementsAre(P{"putin", "ＰＵＴＩＮ"}));
  // Decomposed accent and a soft hyphen inside the word: the mention is the original slice.
  EXPECT_THAT(Found("Pu\xCC\x81tin."), ElementsAre(P{"putin", "Pu\xCC\x81tin"}));
  EXPECT_THAT(Found("Pu\xC2\xADtin."), ElementsAre(P{"putin", "Pu\xC2\xADtin"}));
  // Accent on the last letter stays inside the mention.
  EXPECT_THAT(Found("Putin\xCC\x81 x"), ElementsAre(P{"putin", "Putin\xCC\x81"}));
}

TEST(MatcherTest, TokenBoundaries) {
  EXPECT_THAT(Found("Kimberly met Putinism fans and Russian envoys"), IsEmpty());
  EXPECT_THAT(Found("Putin's and Putin’s and (Putin) and Putin."),
              ElementsAre(P{"putin", "Putin"}, P{"putin", "Putin"}, P{"putin", "Putin"},
                          P{"putin", "Putin"}));
  EXPECT_THAT(Found("Kim, Kim2, 3Kim, _Kim_"), ElementsAre(P{"kim", "Kim"}, P{"kim", "Kim"}));
  EXPECT_THAT(Found("Russia-Korea"), ElementsAre(P{"russia", "Russia"}, P{"korea", "Korea"}));
}

TEST(MatcherTest, LongestMatchWins) {
  EXPECT_THAT(Found("North Korea and South Korea"),
              ElementsAre(P{"north-korea", "North Korea"}, P{"korea", "Korea"}));
  EXPECT_THAT(Found("Vladimir Putin, or just Putin"),
              ElementsAre(P{"putin", "Vladimir Putin"}, P{"putin", "Putin"}));
  // "Kim" is a prefix of "Kim Jong Un": only the longer mention.
  EXPECT_THAT(Found("Kim Jong Un and Kim"),
              ElementsAre(P{"kim-jong-un", "Kim Jong Un"}, P{"kim", "Kim"}));
}

TEST(MatcherTest, OffsetsIntoOriginal) {
  const std::string text = "President Vladimir Putin’s train";
  const std::vector<Mention> found = TestMatcher().FindAll(text);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].entity_id, "putin");
  EXPECT_EQ(found[0].alias, "Vladimir Putin");
  EXPECT_EQ(found[0].start, 10u);
  EXPECT_EQ(found[0].end, 24u);
  EXPECT_EQ(found[0].text, "Vladimir Putin");
  EXPECT_EQ(found[0].snippet, text);
}

TEST(MatcherTest, CyrillicInRussianText) {
  const std::string text = "Лидер КНДР Ким Чен Ын прибыл во Владивосток, где его встретил Путин.";
  const std::vector<Mention> found = TestMatcher().FindAll(text);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].entity_id, "kim-jong-un");
  EXPECT_EQ(found[0].alias, "Ким Чен Ын");
  EXPECT_EQ(found[0].text, "Ким Чен Ын");
  EXPECT_EQ(found[0].start, text.find("Ким"));
  EXPECT_EQ(found[1].entity_id, "vladivostok");
  EXPECT_EQ(found[1].text, "Владивосток");
  EXPECT_EQ(found[2].entity_id, "putin");
  EXPECT_EQ(found[2].text, "Путин");
  EXPECT_EQ(found[2].end, text.size() - 1);
  // Ё/Е and case variants.
  EXPECT_THAT(Found("КИМ ЧЕН ЫН"), ElementsAre(P{"kim-jong-un", "КИМ ЧЕН ЫН"}));
}

TEST(MatcherTest, ChineseWithoutSpaces) {
  const std::string text = "朝鲜最高领导人金正恩今天抵达符拉迪沃斯托克。";
  const std::vector<Mention> found = TestMatcher().FindAll(text);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].entity_id, "north-korea");
  EXPECT_EQ(found[0].start, 0u);
  EXPECT_EQ(found[0].end, 6u);
  EXPECT_EQ(found[1].entity_id, "kim-jong-un");
  EXPECT_EQ(found[1].text, "金正恩");
  EXPECT_EQ(found[1].start, text.find("金正恩"));
  EXPECT_EQ(found[1].end, text.find("金正恩") + 9);
  EXPECT_EQ(found[2].entity_id, "vladivostok");
  // Latin names embedded in CJK text need no spaces either.
  EXPECT_THAT(Found("俄罗斯总统Putin表示"), ElementsAre(P{"putin", "Putin"}));
  // Japanese.
  EXPECT_THAT(Found("金正恩氏は"), ElementsAre(P{"kim-jong-un", "金正恩"}));
}

TEST(MatcherTest, KoreanParticles) {
  for (std::string_view text : {"김정은은 말했다", "김정은의 발언", "김정은이 도착", "김정은"}) {
    const std::vector<Mention> found = TestMatcher().FindAll(text);
    ASSERT_EQ(found.size(), 1u) << text;
    EXPECT_EQ(found[0].entity_id, "kim-jong-un");
    EXPECT_EQ(found[0].text, "김정은");
    EXPECT_EQ(found[0].start, 0u);
  }
  EXPECT_THAT(Found("북한과 김정은"),
              ElementsAre(P{"north-korea", "북한"}, P{"kim-jong-un", "김정은"}));
  // A boundary is still required before a Hangul match.
  EXPECT_THAT(Found("반김정은 시위"), IsEmpty());
  // Particles after a name in another script, or after one ending in punctuation.
  EXPECT_THAT(Found("Putin은 말했다"), ElementsAre(P{"putin", "Putin"}));
  EXPECT_THAT(Found("Путин의 발언"), ElementsAre(P{"putin", "Путин"}));
  EXPECT_THAT(Found("Putinism은"), IsEmpty());
}

TEST(MatcherTest, MixedScriptParagraph) {
  const std::string text =
      "Kim Jong-un (김정은, 金正恩) met Vladimir Putin in Владивосток; "
      "North Korea’s KIM JONG UN later said Russia was a friend.";
  const std::vector<Mention> found = TestMatcher().FindAll(text);
  std::vector<std::tuple<std::string, std::string, uint32_t, uint32_t>> got;
  for (const Mention& m : found) {
    EXPECT_EQ(m.text, text.substr(m.start, m.end - m.start));
    got.emplace_back(m.entity_id, m.text, m.start, m.end);
  }
  auto at = [&](std::string_view needle, size_t from = 0) {
    return static_cast<uint32_t>(text.find(needle, from));
  };
  using T = std::tuple<std::string, std::string, uint32_t, uint32_t>;
  EXPECT_THAT(got, ElementsAre(T{"kim-jong-un", "Kim Jong-un", 0, 11},
                               T{"kim-jong-un", "김정은", at("김정은"), at("김정은") + 9},
                               T{"kim-jong-un", "金正恩", at("金正恩"), at("金正恩") + 9},
                               T{"putin", "Vladimir Putin", at("Vladimir"), at("Vladimir") + 14},
                               T{"vladivostok", "Владивосток", at("Влад"), at("Влад") + 22},
                               T{"north-korea", "North Korea", at("North"), at("North") + 11},
                               T{"kim-jong-un", "KIM JONG UN", at("KIM"), at("KIM") + 11},
                               T{"russia", "Russia", at("Russia"), at("Russia") + 6}));
}

TEST(MatcherTest, InvalidUtf8DoesNotCrashAndMatchesAround) {
  const std::string text = "\xFF\xFEPutin\xC3 met \xE2\x82Kim Jong Un\x80 in Russia\xF0";
  const std::vector<Mention> found = TestMatcher().FindAll(text);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].text, "Putin");
  EXPECT_EQ(found[0].start, 2u);
  EXPECT_EQ(found[1].text, "Kim Jong Un");
  EXPECT_EQ(found[2].text, "Russia");
  EXPECT_EQ(found[2].end, text.size() - 1);
  // Snippets stay valid UTF-8 (invalid bytes shown as U+FFFD).
  EXPECT_EQ(found[0].snippet.substr(0, 6), "\uFFFD\uFFFD");
  // Garbage of every byte value.
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 7919) & 0xFF));
  TestMatcher().FindAll(garbage);
  TestMatcher().FindAll(garbage + "Putin" + garbage);
}

TEST(MatcherTest, SameAliasForTwoEntitiesReportsFirstListed) {
  Watchlist w;
  w.entities = {{"georgia-country", "Georgia", EntityKind::kPlace, {"Sakartvelo"}},
                {"georgia-state", "Georgia", EntityKind::kPlace, {"GEORGIA", "Atlanta"}}};
  std::shared_ptr<const Matcher> m = BuildOrDie(w);
  EXPECT_EQ(m->alias_count(), 3u);
  const std::vector<Mention> found = m->FindAll("Georgia and Atlanta");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].entity_id, "georgia-country");
  EXPECT_EQ(found[1].entity_id, "georgia-state");
}

TEST(MatcherTest, BuildErrors) {
  Watchlist dup;
  dup.entities = {{"a", "A", EntityKind::kOther, {}}, {"a", "B", EntityKind::kOther, {}}};
  EXPECT_EQ(Matcher::Build(dup).status().code(), absl::StatusCode::kInvalidArgument);
  Watchlist bad_id;
  bad_id.entities = {{"Bad Id", "A", EntityKind::kOther, {}}};
  EXPECT_EQ(Matcher::Build(bad_id).status().code(), absl::StatusCode::kInvalidArgument);
  Watchlist punct;
  punct.entities = {{"dash", "Dash", EntityKind::kOther, {"—"}}};
  EXPECT_EQ(Matcher::Build(punct).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MatcherTest, SnippetContextAndWhitespace) {
  std::string left;
  for (int i = 0; i < 60; ++i) left += "ж";  // 120 bytes of 2-byte letters
  const std::string text = left + " \n\n  Putin \t said " + std::string(200, 'x');
  const std::vector<Mention> found = TestMatcher().FindAll(text);
  ASSERT_EQ(found.size(), 1u);
  const std::string& s = found[0].snippet;
  EXPECT_NE(s.find("ж Putin said x"), std::string::npos) << s;
  EXPECT_EQ(s.rfind("ж", 0), 0u) << "cut at a code point boundary";
  EXPECT_LE(s.size(), 2 * Matcher::kSnippetContext + 5);
  EXPECT_EQ(s.back(), 'x');
  EXPECT_EQ(MakeSnippet("a  b   c", 3, 4), "a b c");
  EXPECT_EQ(MakeSnippet("  a\t\n b  ", 2, 3), "a b");
  EXPECT_EQ(MakeSnippet("ab\r\ncd", 0, 1), "ab cd");
  EXPECT_EQ(MakeSnippet("a \n \xD0\xB6 b", 0, 1), "a \xD0\xB6 b");  // a space before UTF-8
  EXPECT_EQ(MakeSnippet("   ", 0, 1), "");
}

// MakeSnippet against a plain reading of its contract, on random texts it sees whole:
// whitespace runs (ASCII and Unicode spaces) as one space, none at either end, an invalid
// byte as U+FFFD.
TEST(MatcherTest, SnippetMatchesItsContractOnRandomTexts) {
  const std::vector<std::string> pieces = {
      "a",    "Z", " ", "  ", "\t", "\n", "\r\n", "\xD0\xB6", "\xE3\x80\x80" /* U+3000 */,
      "\xFF", ".", "-"};
  auto reference = [](std::string_view text) {
    std::string out;
    bool pending = false;
    for (size_t i = 0; i < text.size();) {
      const ww::text::DecodedCodePoint d = ww::text::DecodeUtf8(text, i);
      const bool space = d.cp == ' ' || d.cp == '\t' || d.cp == '\n' || d.cp == '\r' ||
                         d.cp == '\f' || d.cp == '\v' || d.cp == 0x3000;
      if (space) {
        pending = !out.empty();
      } else {
        if (pending) out.push_back(' ');
        pending = false;
        ww::text::AppendUtf8(d.cp, &out);
      }
      i += d.length;
    }
    return out;
  };
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    for (int k = static_cast<int>(rng() % 12); k > 0; --k) text += pieces[rng() % pieces.size()];
    if (text.empty()) continue;
    EXPECT_EQ(MakeSnippet(text, 0, 0, text.size()), reference(text)) << "text: " << text;
  }
}

TEST(MatcherTest, ConcurrentFindAll) {
  const std::string text = "Kim Jong-un met Vladimir Putin in Владивосток. 金正恩 김정은은 ";
  const std::vector<Mention> expected = TestMatcher().FindAll(text);
  ASSERT_EQ(expected.size(), 5u);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) ok[t] += TestMatcher().FindAll(text) == expected;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_THAT(ok, ElementsAre(200, 200, 200, 200));
}

// Trie walks against a naive prefix test on random patterns over a tiny alphabet; long
// patterns make single-pattern tails.
TEST(PrefixTrieTest, MatchesNaiveSearch) {
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    std::set<std::string> unique;
    const int count = 1 + static_cast<int>(rng() % 40);
    while (static_cast<int>(unique.size()) < count) {
      std::string p;
      const int len = 1 + static_cast<int>(rng() % 9);
      for (int i = 0; i < len; ++i) p.push_back("ab\xC3\xFF"[rng() % 4]);
      unique.insert(p);
    }
    const std::vector<std::string> patterns(unique.begin(), unique.end());
    std::vector<std::string_view> views(patterns.begin(), patterns.end());
    const PrefixTrie trie = PrefixTrie::Build(views);
    std::string text;
    for (int i = 0; i < 300; ++i) text.push_back("ab\xC3\xFF"[rng() % 4]);

    for (size_t start = 0; start < text.size(); ++start) {
      std::vector<std::pair<size_t, uint32_t>> expected, got;  // (end, id), by end
      for (uint32_t id = 0; id < patterns.size(); ++id) {
        if (text.compare(start, patterns[id].size(), patterns[id]) == 0) {
          expected.emplace_back(start + patterns[id].size(), id);
        }
      }
      std::sort(expected.begin(), expected.end());
      bool may_start = false;
      for (const std::string& p : patterns) may_start |= p[0] == text[start];
      EXPECT_EQ(trie.MayStartWith(static_cast<uint8_t>(text[start])), may_start);
      trie.Walk(text, start, [&](uint32_t id, size_t end) { got.emplace_back(end, id); });
      ASSERT_EQ(got, expected) << "round " << round << " start " << start;
    }
  }
}

TEST(PrefixTrieTest, WideFanout) {
  std::vector<std::string> patterns;
  for (int b = 1; b < 256; ++b) patterns.push_back(std::string("x") + static_cast<char>(b));
  std::vector<std::string_view> views(patterns.begin(), patterns.end());
  const PrefixTrie trie = PrefixTrie::Build(views);
  EXPECT_EQ(trie.node_count(), 257u);
  for (int b = 1; b < 256; ++b) {
    std::vector<uint32_t> ids;
    trie.Walk(std::string("x") + static_cast<char>(b) + "y", 0,
              [&](uint32_t id, size_t) { ids.push_back(id); });
    EXPECT_THAT(ids, ElementsAre(static_cast<uint32_t>(b - 1)));
  }
}

TEST(PrefixTrieTest, LongPatternsAreKeptAsTails) {
  const std::vector<std::string_view> views = {"kim", "kim jong un", "kimberly"};
  const PrefixTrie trie = PrefixTrie::Build(views);
  EXPECT_EQ(trie.tail_count(), 2u);  // "jong un" after "kim ", "erly" after "kimb"
  std::vector<std::pair<uint32_t, size_t>> got;
  const auto collect = [&](uint32_t id, size_t end) { got.emplace_back(id, end); };
  trie.Walk("kim jong un!", 0, collect);
  EXPECT_THAT(got,
              ElementsAre(std::pair<uint32_t, size_t>{0, 3}, std::pair<uint32_t, size_t>{1, 11}));
  got.clear();
  trie.Walk("kim jong u", 0, collect);  // the tail runs past the text
  EXPECT_THAT(got, ElementsAre(std::pair<uint32_t, size_t>{0, 3}));
  got.clear();
  trie.Walk("kimberley", 0, collect);
  EXPECT_THAT(got, ElementsAre(std::pair<uint32_t, size_t>{0, 3}));
}

}  // namespace
}  // namespace ww::tagging

namespace ww::tagging {
namespace {

// A big watchlist's names lead with words prose writes in lowercase ("The Hague", "Of" in
// Turkey): the scan skips a lowercase word when no alias starting with it takes lowercase
// text, and still finds one that does; Explain still shows the rejected candidate.
TEST(MatcherTest, ALowercaseWordIsSkippedOnlyWhereNoAliasStartingWithItTakesLowercase) {
  Watchlist w;
  w.entities = {{"hague", "The Hague", EntityKind::kPlace, {}},
                {"beatles", "the beatles", EntityKind::kOrganisation, {}}};
  const std::shared_ptr<const Matcher> m = BuildOrDie(w);
  ASSERT_NE(m, nullptr);
  auto found = [&](std::string_view text) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const Mention& x : m->FindAll(text)) out.emplace_back(x.entity_id, x.text);
    return out;
  };
  EXPECT_THAT(found("Talks resumed in The Hague on Monday."), ElementsAre(P{"hague", "The Hague"}));
  EXPECT_THAT(found("Talks resumed, the hague talks said."), IsEmpty());
  EXPECT_THAT(found("Fans of the beatles met in The Hague."),
              ElementsAre(P{"beatles", "the beatles"}, P{"hague", "The Hague"}));
  std::vector<Decision> decisions;
  m->Explain("talks in the hague", &decisions);
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].verdict, Verdict::kCase);
}

}  // namespace
}  // namespace ww::tagging
