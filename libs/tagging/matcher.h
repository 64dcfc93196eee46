#pragma once
// Finds mentions of watchlist entities in article text.
//
// Matching works on the folded text (ww::text::Normalize: NFKC + case fold, no Latin/Greek/
// Cyrillic diacritics, unified quotes, hyphens folded to spaces, whitespace collapsed), so
// "KIM JONG UN", "Kim Jong-un", "kim  jong un" and "Kim Jong Un’s" all match the alias
// "Kim Jong Un", "Pútin" and "ＰＵＴＩＮ" match "Putin". Rules:
//   * Token boundaries: the code point before a match and the one after it must not be word
//     characters (letter, mark, number), so "Kimberly" does not match "Kim" but "Putin's"
//     matches "Putin". No boundary is needed on a side where the match edge or its neighbour
//     is Han, Hiragana or Katakana (no spaces in CJK text), nor after a match that ends in
//     or is followed by Hangul (Korean particles: "김정은은", "김정은의" match "김정은",
//     "Putin은" and "UN의" match "Putin" and "UN").
//   * Overlaps: leftmost match first, and among matches starting at the same place the
//     longest ("North Korea" over "Korea", "Vladimir Putin" over "Putin"); reported mentions
//     never overlap.
//   * Per-alias options (AliasOptions): a case-sensitive alias matches only when the letters
//     of the original text have the alias's case; fold_diacritics: false demands the
//     diacritics as written; exclude_near / exclude_preceded_by veto a match by its context.
//     A vetoed match is not reported, and a shorter alias starting at the same place may
//     match instead.
//   * Variants (Entity::surname_only, Entity::inflections; see variants.h) match like
//     aliases and are reported with the alias they were made from; whole_phrase aliases
//     make no variants.
//   * The same alias (after folding) listed for several entities, or twice for one, is
//     attributed to the first entity listed in the watchlist whose options accept the match;
//     after an alias without conditions (case, diacritics, exclusions), later duplicates are
//     ignored.
//   * Offsets are byte offsets into the original text; combining sequences are never split.
//
// How the scan works (FindSpans): the text is folded once; then, left to right, at each
// position where a match may start by the boundary rule above (in spaced scripts about one
// position per word), the folded aliases are looked up in a byte trie (prefix_trie.h) with
// plain goto steps, no failure links: the walk lists every alias that is a prefix of the
// text there, and the longest one whose end boundary holds and whose options accept the match
// is reported, after which the scan goes on from its end; if none does, from the next
// position. A walk is bounded by the longest alias. At a run of ASCII letters and digits, a
// bitmap of the aliases' leading runs (PrefixTrie::MayStartWithWord) skips the walk for
// nearly every word that begins no alias, without touching the trie.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/tagging/prefix_trie.h"
#include "libs/tagging/watchlist.h"
#include "libs/text/normalize.h"

namespace ww::tagging {

// One occurrence of an entity in a text.
struct Mention {
  std::string entity_id;
  std::string alias;   // the alias (or name) as written in the watchlist that matched
  uint32_t start = 0;  // byte offsets into the ORIGINAL text, [start, end)
  uint32_t end = 0;
  std::string text;     // original bytes [start, end)
  std::string snippet;  // ~80 bytes of original context each side, cut at UTF-8 boundaries,
                        // whitespace runs collapsed to one space, invalid UTF-8 as U+FFFD

  friend bool operator==(const Mention&, const Mention&) = default;
};

// A mention without copies: what FindSpans reports. `entity` and `alias` index the
// matcher's tables (entity_id(), alias_text()).
struct Span {
  uint32_t entity = 0;
  uint32_t alias = 0;
  uint32_t start = 0;  // byte offsets into the ORIGINAL text, [start, end)
  uint32_t end = 0;

  friend bool operator==(const Span&, const Span&) = default;
};

// Compiled matcher: immutable after Build, thread-safe for concurrent FindAll/FindSpans.
class Matcher {
 public:
  // Compiles the watchlist. InvalidArgument if an entity fails ValidateEntity, two entities
  // share an id, or a name/alias folds to nothing matchable (e.g. only punctuation/spaces).
  static absl::StatusOr<std::shared_ptr<const Matcher>> Build(const Watchlist& watchlist);

  // All mentions in `utf8` (any bytes; invalid UTF-8 is tolerated), sorted by start, never
  // overlapping. Texts must be shorter than 4 GiB.
  std::vector<Mention> FindAll(std::string_view utf8) const;

  // The same mentions as FindAll, without the strings (no snippet, no copies): appends to
  // `out` (not cleared). The fast path for callers that only need offsets. Reuses per-thread
  // scratch buffers, so repeated calls do not allocate once warm.
  void FindSpans(std::string_view utf8, std::vector<Span>* out) const;

  // Distinct folded aliases (names and generated variants included) in the trie.
  size_t alias_count() const { return trie_.pattern_count(); }
  size_t entity_count() const { return entity_offsets_.size() - 1; }
  std::string_view entity_id(uint32_t entity) const {
    return std::string_view(entity_bytes_)
        .substr(entity_offsets_[entity], entity_offsets_[entity + 1] - entity_offsets_[entity]);
  }
  // The alias as written in the watchlist for Span::alias.
  std::string_view alias_text(uint32_t alias) const {
    return std::string_view(written_aliases_)
        .substr(aliases_[alias].written_offset, aliases_[alias].written_size);
  }
  // Approximate heap bytes held by the matcher (trie and tables).
  size_t MemoryUsage() const;

  // Bytes of context kept on each side of a mention in Mention::snippet.
  static constexpr size_t kSnippetContext = 80;

 private:
  Matcher() = default;
  class Builder;

  static constexpr uint32_t kNoCheck = UINT32_MAX;

  // One way a folded key is reached: which entity, how the alias was written, and the
  // conditions of its options (kNoCheck: none).
  struct Alias {
    uint32_t entity;
    uint32_t written_offset;  // into written_aliases_
    uint32_t written_size;
    uint32_t check;  // into checks_, or kNoCheck
  };
  // Conditions of a non-default AliasOptions, precomputed.
  struct Check {
    bool case_sensitive = false;
    std::string case_signature;  // CaseSignature of the form, if case_sensitive
    bool keep_diacritics = false;
    std::string diacritic_key;      // FoldKeepingDiacritics of the form, if keep_diacritics
    std::vector<std::string> near;  // folded exclude_near phrases
    uint32_t window = 0;
    std::vector<std::string> preceded;  // folded exclude_preceded_by phrases
  };

  // True if alias `a` accepts a match of folded bytes [fstart, fend) = original [start, end).
  bool Accepts(const Alias& a, std::string_view original, std::string_view folded, uint32_t fstart,
               uint32_t fend, uint32_t start, uint32_t end) const;
  void FindSpansIn(std::string_view utf8, const ww::text::Normalized& folded,
                   std::vector<Span>* out) const;

  std::string entity_bytes_;                    // entity ids, concatenated
  std::vector<uint32_t> entity_offsets_ = {0};  // size entity_count() + 1
  std::string written_aliases_;                 // the aliases as written, concatenated
  std::vector<Alias> aliases_;                  // grouped by pattern id, in watchlist order
  std::vector<uint32_t> pattern_first_;         // aliases of pattern p: [first[p], first[p + 1])
  std::vector<Check> checks_;
  PrefixTrie trie_;
};

// Builds Mention::snippet for [start, end) of `text`; exposed for tests and other taggers.
std::string MakeSnippet(std::string_view text, size_t start, size_t end,
                        size_t context = Matcher::kSnippetContext);

}  // namespace ww::tagging
