#include "libs/tagging/lint.h"

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/tagging/common_words.h"
#include "libs/text/normalize.h"
#include "libs/text/utf8.h"

namespace ww::tagging {
namespace {

std::string Fold(std::string_view alias) {
  std::string f = ww::text::NormalizeText(alias);
  while (!f.empty() && f.front() == ' ') f.erase(f.begin());
  while (!f.empty() && f.back() == ' ') f.pop_back();
  return f;
}

size_t Letters(std::string_view folded) {
  return ww::text::CaseBitsOf(ww::text::NormalizeText(folded)).letters;
}

// True for a single Han, Hiragana or Katakana character: no token boundary protects it.
bool IsOneSpacelessCharacter(std::string_view folded) {
  if (folded.empty()) return false;
  const ww::text::DecodedCodePoint d = ww::text::DecodeUtf8(folded, 0);
  return d.length == folded.size() && ww::text::IsSpacelessScript(d.cp);
}

}  // namespace

std::string_view LintKindName(LintFinding::Kind kind) {
  switch (kind) {
    case LintFinding::Kind::kCommonWord:
      return "common-word";
    case LintFinding::Kind::kAnyCase:
      return "any-case";
    case LintFinding::Kind::kShared:
      return "shared";
    case LintFinding::Kind::kShort:
      return "short";
    case LintFinding::Kind::kFrequent:
      return "frequent";
  }
  return "unknown";
}

std::vector<LintFinding> LintWatchlist(const Watchlist& watchlist) {
  // Every entity under each folded alias, in order.
  absl::flat_hash_map<std::string, std::vector<std::string>> owners;
  for (const Entity& e : watchlist.entities) {
    absl::flat_hash_set<std::string> own;
    auto note = [&](const std::string& alias) {
      std::string key = Fold(alias);
      if (!key.empty() && own.insert(key).second) owners[key].push_back(e.id);
    };
    note(e.name);
    for (const std::string& a : e.aliases) note(a);
  }
  std::vector<LintFinding> out;
  for (const Entity& e : watchlist.entities) {
    auto check = [&](const std::string& alias, const AliasOptions& o) {
      const std::string key = Fold(alias);
      if (key.empty()) return;
      const ww::text::CaseBits caps = ww::text::CaseBitsOf(alias);
      const bool one_word = !absl::StrContains(key, ' ');
      const bool common = one_word && (IsCommonWord(key) || IsCalendarWord(key));
      const bool smart = !o.case_sensitive && !o.ignore_case;
      if (common && o.ambiguous == Ambiguity::kAuto && caps.upper != 0 && smart) {
        out.push_back({LintFinding::Kind::kCommonWord, e.id, alias,
                       absl::StrCat("\"", key,
                                    "\" is a common English word: matched only where its "
                                    "capitals are evidence (not opening a sentence or in a "
                                    "headline, not after \"the\"), or when the article also "
                                    "names the entity otherwise"),
                       e.context.empty() ? "add context: [WORDS] (a country, a region) to the "
                                           "entity, or {text: ..., ambiguous: false} if it never "
                                           "means the word"
                                         : "{text: ..., ambiguous: false} if it never means the "
                                           "word (its context already confirms it)"});
      } else if (common && (o.ignore_case || caps.upper == 0) && o.ambiguous != Ambiguity::kYes) {
        out.push_back({LintFinding::Kind::kAnyCase, e.id, alias,
                       absl::StrCat("\"", key,
                                    "\" is a common English word and matches in any case: "
                                    "every \"",
                                    key, "\" in every article"),
                       "write it with its capitals (smart case), or add ambiguous: true"});
      } else if (o.ambiguous == Ambiguity::kAuto && !o.case_sensitive &&
                 (e.kind == EntityKind::kPlace || e.kind == EntityKind::kOther) &&
                 IsCommonChineseWord(key)) {
        out.push_back({LintFinding::Kind::kCommonWord, e.id, alias,
                       absl::StrCat("\"", key,
                                    "\" is a common Chinese word: matched only with a sign of a "
                                    "place (\"在\", \"到\" before it, \"市\", \"区\" after it), "
                                    "a place listed beside it, or another mention of the entity"),
                       "add context: [WORDS] to the entity, or {text: ..., ambiguous: false} if "
                       "it never means the word"});
      }
      const auto& who = owners[key];
      if (who.size() > 1 && who.front() == e.id) {
        std::vector<std::string> others(who.begin() + 1, who.end());
        out.push_back(
            {LintFinding::Kind::kShared, e.id, alias,
             absl::StrCat("also an alias of ", absl::StrJoin(others, ", "), ": a match goes to ",
                          e.id, " (listed first) unless its options refuse it"),
             "keep it for one entity, or give the others' copies exclude_near or "
             "context to tell them apart"});
      }
      if (Letters(key) > 0 && Letters(key) < 3 && !o.case_sensitive) {
        out.push_back({LintFinding::Kind::kShort, e.id, alias,
                       "under three letters: likely an abbreviation that other words share",
                       "{text: ..., case_sensitive: true}"});
      } else if (IsOneSpacelessCharacter(key)) {
        out.push_back({LintFinding::Kind::kShort, e.id, alias,
                       "one character of a script written without spaces (Chinese, Japanese): "
                       "it matches inside every longer word that holds it",
                       "write the full name, or add exclude_near for the words it is part of"});
      }
    };
    check(e.name, AliasOptions{});
    for (size_t i = 0; i < e.aliases.size(); ++i) check(e.aliases[i], e.OptionsOf(i));
  }
  return out;
}

std::vector<LintFinding> LintFrequency(const Matcher& matcher,
                                       const std::vector<std::string>& samples, double max_share) {
  // Texts in which each (entity, alias) was found.
  std::map<std::pair<std::string, std::string>, size_t> texts;
  for (const std::string& s : samples) {
    absl::flat_hash_set<std::pair<std::string, std::string>> seen;
    for (const Mention& m : matcher.FindAll(s)) seen.insert({m.entity_id, m.alias});
    for (const auto& k : seen) ++texts[k];
  }
  std::vector<std::pair<size_t, std::pair<std::string, std::string>>> frequent;
  for (const auto& [k, n] : texts) {
    if (static_cast<double>(n) > max_share * static_cast<double>(samples.size())) {
      frequent.push_back({n, k});
    }
  }
  std::sort(frequent.begin(), frequent.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<LintFinding> out;
  for (const auto& [n, k] : frequent) {
    out.push_back(
        {LintFinding::Kind::kFrequent, k.first, k.second,
         absl::StrFormat("found in %d of %d sample articles (%.1f%%): alerts on most articles", n,
                         samples.size(),
                         100.0 * static_cast<double>(n) / static_cast<double>(samples.size())),
         "look at `wwctl tag --explain`; then case_sensitive: true, ambiguous: true, "
         "exclude_near or context"});
  }
  return out;
}

}  // namespace ww::tagging
