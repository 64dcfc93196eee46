// Matcher::FindSpans against a brute-force reference: every start x every alias,
// leftmost-longest with the token-boundary rules of matcher.h, on random texts over a small
// alphabet with spaces, hyphens, Latin (case, a combining accent), Hangul, Han and Katakana,
// and overlapping aliases, some case-sensitive so that vetoed matches fall back to shorter
// ones. Only the fold (ww::text::Normalize) is shared with the matcher.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "libs/tagging/matcher.h"
#include "libs/tagging/watchlist.h"
#include "libs/text/normalize.h"
#include "libs/text/utf8.h"

namespace ww::tagging {
namespace {

using ::ww::text::DecodeUtf8;
using ::ww::text::DecodeUtf8Before;
using ::ww::text::GetScriptClass;
using ::ww::text::IsWordChar;
using ::ww::text::ScriptClass;

bool Spaceless(char32_t cp) {
  const ScriptClass c = GetScriptClass(cp);
  return c == ScriptClass::kHan || c == ScriptClass::kHiragana || c == ScriptClass::kKatakana;
}
bool Hangul(char32_t cp) { return GetScriptClass(cp) == ScriptClass::kHangul; }

// The rules of matcher.h, written out directly.
bool StartOk(std::string_view f, size_t s) {
  if (s == 0) return true;
  const char32_t prev = DecodeUtf8Before(f, s).cp;
  return !IsWordChar(prev) || Spaceless(prev) || Spaceless(DecodeUtf8(f, s).cp);
}
bool EndOk(std::string_view f, size_t e) {
  if (e == f.size()) return true;
  const char32_t next = DecodeUtf8(f, e).cp;
  const char32_t last = DecodeUtf8Before(f, e).cp;
  return !IsWordChar(next) || Spaceless(next) || Spaceless(last) || Hangul(last) || Hangul(next);
}

struct RefAlias {
  std::string entity;
  std::string key;  // folded
  bool case_sensitive;
  std::string signature;  // CaseSignature of the alias as written
};

using Found = std::vector<std::tuple<uint32_t, uint32_t, std::string>>;  // start, end, entity

Found Reference(const std::vector<RefAlias>& aliases, std::string_view text) {
  const ww::text::Normalized n = ww::text::Normalize(text);
  const std::string_view f = n.text;
  Found out;
  uint32_t original_end = 0;
  for (size_t s = 0; s < f.size(); ++s) {
    if (ww::text::IsUtf8Continuation(f[s]) || !StartOk(f, s) || n.origin[s] < original_end) {
      continue;
    }
    bool matched = false;
    for (size_t e = f.size(); e > s && !matched; --e) {  // longest first
      if ((e < f.size() && ww::text::IsUtf8Continuation(f[e])) || !EndOk(f, e)) continue;
      const uint32_t start = n.origin[s];
      const auto end = static_cast<uint32_t>(ww::text::SegmentEnd(text, n.origin[e - 1]));
      for (const RefAlias& a : aliases) {  // watchlist order: the first that accepts
        if (a.key != f.substr(s, e - s)) continue;
        if (a.case_sensitive &&
            ww::text::CaseSignature(text.substr(start, end - start)) != a.signature) {
          continue;
        }
        out.emplace_back(start, end, a.entity);
        original_end = end;
        s = e - 1;
        matched = true;
        break;
      }
    }
  }
  return out;
}

std::string Pick(std::mt19937& rng, const std::vector<std::string>& from) {
  return from[rng() % from.size()];
}

TEST(MatcherScanTest, SameAsBruteForceOnMixedScripts) {
  std::mt19937 rng(20261128);
  // Alias pieces: overlapping by construction ("a", "a b", "ab", "가", "가각" ...).
  const std::vector<std::string> alias_units = {"a",  "b",  "A",  "B",  "ab", "e",    "é",   "가",
                                                "각", "中", "文", "ア", "1",  "株式", "会社"};
  // Text pieces: the same plus separators, a decomposed é, a stray combining mark, "'s", and
  // "㍿", one code point that folds to four Han characters ("株式会社").
  const std::vector<std::string> text_units = {
      "a",  "b", "A", "B", "ab", "e", "e\u0301", "\u0301", "가", "각", "中", "文",
      "ア", "1", " ", " ", "  ", "-", ".",       "'s",     "x",  "\n", "㍿"};
  int matches = 0;
  for (int round = 0; round < 400; ++round) {
    Watchlist w;
    std::vector<RefAlias> ref;
    const int count = 1 + static_cast<int>(rng() % 12);
    for (int k = 0; k < count; ++k) {
      std::string alias = Pick(rng, alias_units);
      for (int more = static_cast<int>(rng() % 3); more > 0; --more) {
        if (rng() % 2 == 0) alias += rng() % 2 == 0 ? " " : "-";
        alias += Pick(rng, alias_units);
      }
      const bool case_sensitive = rng() % 4 == 0;
      Entity e;
      e.id = "e" + std::to_string(k);
      e.name = "zq" + std::to_string(k);  // never in the texts
      e.aliases = {alias};
      e.alias_options = {AliasOptions{.case_sensitive = case_sensitive}};
      w.entities.push_back(e);
      std::string key = ww::text::NormalizeText(alias);
      while (!key.empty() && key.back() == ' ') key.pop_back();
      ref.push_back({e.id, key, case_sensitive, ww::text::CaseSignature(alias)});
    }
    // The scan alone: the reference knows no smart case, ambiguity or name rules.
    absl::StatusOr<std::shared_ptr<const Matcher>> m = Matcher::Build(w, {.precision = false});
    ASSERT_TRUE(m.ok()) << m.status();
    for (int t = 0; t < 20; ++t) {
      std::string text;
      for (int k = 1 + static_cast<int>(rng() % 30); k > 0; --k) text += Pick(rng, text_units);
      std::vector<Span> spans;
      (*m)->FindSpans(text, &spans);
      Found got;
      for (const Span& s : spans) {
        got.emplace_back(s.start, s.end, std::string((*m)->entity_id(s.entity)));
      }
      const Found expected = Reference(ref, text);
      matches += static_cast<int>(expected.size());
      ASSERT_EQ(got, expected) << "round " << round << " text '" << text << "'";
    }
  }
  EXPECT_GT(matches, 1000);  // the random texts do exercise the matcher
}

}  // namespace
}  // namespace ww::tagging
