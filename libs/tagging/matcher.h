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
//     is Han, Hiragana or Katakana (no spaces in CJK text), nor after a match ending in
//     Hangul (Korean particles: "김정은은", "김정은의" match "김정은").
//   * Overlaps: leftmost match first, and among matches starting at the same place the
//     longest ("North Korea" over "Korea", "Vladimir Putin" over "Putin"); reported mentions
//     never overlap.
//   * The same alias (after folding) listed for several entities, or twice for one, is
//     attributed to the first entity listed in the watchlist; later duplicates are ignored.
//   * Offsets are byte offsets into the original text; combining sequences are never split.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/tagging/aho_corasick.h"
#include "libs/tagging/watchlist.h"

namespace ww::tagging {

// One occurrence of an entity in a text.
struct Mention {
  std::string entity_id;
  std::string alias;    // the alias (or name) as written in the watchlist that matched
  uint32_t start = 0;   // byte offsets into the ORIGINAL text, [start, end)
  uint32_t end = 0;
  std::string text;     // original bytes [start, end)
  std::string snippet;  // ~80 bytes of original context each side, cut at UTF-8 boundaries,
                        // whitespace runs collapsed to one space, invalid UTF-8 as U+FFFD

  friend bool operator==(const Mention&, const Mention&) = default;
};

// Compiled matcher: immutable after Build, thread-safe for concurrent FindAll.
class Matcher {
 public:
  // Compiles the watchlist. InvalidArgument if an entity fails ValidateEntity, two entities
  // share an id, or a name/alias folds to nothing matchable (e.g. only punctuation/spaces).
  static absl::StatusOr<std::shared_ptr<const Matcher>> Build(const Watchlist& watchlist);

  // All mentions in `utf8` (any bytes; invalid UTF-8 is tolerated), sorted by start, never
  // overlapping. Texts must be shorter than 4 GiB.
  std::vector<Mention> FindAll(std::string_view utf8) const;

  // Distinct folded aliases (names included) in the automaton.
  size_t alias_count() const { return automaton_.pattern_count(); }
  size_t entity_count() const { return entity_ids_.size(); }

  // Bytes of context kept on each side of a mention in Mention::snippet.
  static constexpr size_t kSnippetContext = 80;

 private:
  Matcher() = default;

  // A folded alias: which entity it belongs to and how it was written.
  struct Alias {
    uint32_t entity;
    uint32_t written_offset;  // into written_aliases_
    uint32_t written_size;
  };

  std::vector<std::string> entity_ids_;
  std::string written_aliases_;  // the aliases as written, concatenated
  std::vector<Alias> aliases_;   // indexed by automaton pattern id
  AhoCorasick automaton_;
};

// Builds Mention::snippet for [start, end) of `text`; exposed for tests and other taggers.
std::string MakeSnippet(std::string_view text, size_t start, size_t end,
                        size_t context = Matcher::kSnippetContext);

}  // namespace ww::tagging
