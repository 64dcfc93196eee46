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
//     ignored. Entities of different tenants ("tenant/id", runtime::QualifiedId) are
//     attributed apart: one match is reported once per tenant whose entity accepts it, at
//     the same span, so each tenant's watchlist finds what it would find alone. With one
//     tenant the scan does no more than before.
//   * Offsets are byte offsets into the original text; combining sequences are never split.
//
// Precision (what makes a watchlist of 100,000 names usable without hand-tuning):
//   * Smart case, by default: an alias written with capitals matches only text with capitals
//     where it has them ("Vladivostok", "VLADIVOSTOK", not "vladivostok"; "Of", not "of"); an
//     alias written in lowercase matches any case. case_sensitive: true demands the exact
//     case, case_sensitive: false (ignore_case) accepts any.
//   * Ambiguous aliases: a capitalised one-word alias that is a common word (common_words.h:
//     "Of", "Nice", "Reading", "Council", "March"), or one marked `ambiguous: true`, needs
//     more than its letters. Its capitals must be exactly as written ("OF" in an all-caps
//     line is not "Of"), and it must not stand where capitals mean nothing: at the start of
//     a sentence or a line, in a Title Case or all-caps line (a headline), next to another
//     capitalised word, after an article ("the Council": a common noun); a month or weekday
//     ("March") is never evidence by its capitals; and a place's ambiguous alias needs a
//     sign of a place ("in", "near", "from" ... before it, ", Region" after it). An acronym
//     written in capitals ("US", "IS") only has to avoid all-caps lines.
//   * Names inside other names, for places (kind place or other; smart case):
//       - a person's: a first name right before it ("Peter Newman", "Graham Dawson": a
//         proper noun, the dictionary's capitalised entries included, not a place word or a
//         nationality), a title ("Colonel Meredith"), an initial before or after ("James D.
//         Watson", "George F. Hauser"), a particle between names ("Pierre de Marca"), a
//         biography's "(born ...". A person's name makes the alias a person's wherever else
//         in the same text nothing says place. A comma after it ("Peter Newman, Gary
//         Carvolth" is a list of people) does not save it; a headline does.
//       - an institution's, a team's or an event's, rejected even where the text names the
//         place itself: a capitalised word after it, past place words ("Montreal Canadiens",
//         "Tampa Bay Devil Rays", "Fairmont State University", "Kanye West"), or "University
//         of", "Battle of", "Army of the" before it.
//       - a proper name before it otherwise ("Nazi Germany") holds it back, pending
//         confirmation. A place word after it ("Hay Street", "Ford County", "Subiaco Oval",
//         "Cal Anderson Park") makes a longer place name, which a places desk wants to see; an
//         acronym ("U.S. Navy") is held back, not rejected.
//   * A town named like a nationality ("English", "Canadian") is ambiguous like a common word.
//   * A line that ends with a full stop is never a headline.
//   * A match held back by the rules above is confirmed, and kept, when the same text holds
//     an accepted mention of the same entity, one of the entity's `context` phrases ("France"
//     for "Nice"), or an accepted place right before or after it with one comma or "and"
//     between ("Beijing, China", "Scotland and Wales"); otherwise it is dropped (a shorter
//     alias at its place is not tried again). Other scripts than Latin keep only smart case:
//     the common words and the name rules are English.
//   * Scripts without case, by frequency: a place's Chinese name that is a frequent common word
//     (common_words.h, from jieba's dictionary: "和平" peace, "东方" the east) is ambiguous,
//     as is any alias marked `ambiguous: true` (Korean, Japanese). With no capitals to
//     read, it needs a sign of a place: in Chinese "在", "到", "从", "于" ... before it or
//     "市", "省", "县", "区" ... after it; in Korean "에서", "에", "(으)로" after it; in Japanese
//     "で", "に", "へ", "から"; or a confirmation as above ("北京、东方").
//   * Explain() reports every candidate with its Verdict (`wwctl tag --explain`).
//   * Build(watchlist, {.precision = false}) turns the rules off (the matcher before).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
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

// Why a candidate match was accepted or rejected (Explain).
enum class Verdict : uint8_t {
  kAccepted,          // every condition holds
  kConfirmed,         // held back (see "Precision"), confirmed by its entity or context
  kCase,              // rejected: the text lacks the alias's capitals (smart case)
  kExactCase,         // rejected: case_sensitive and the case differs
  kDiacritics,        // rejected: fold_diacritics: false and the diacritics differ
  kExcludedNear,      // rejected: an exclude_near phrase is within the window
  kExcludedPreceded,  // rejected: an exclude_preceded_by phrase is right before it
  // Ambiguous alias, unconfirmed (see "Precision" above), rejected because:
  kNotAsWritten,   // its capitals are not exactly the alias's
  kSentenceStart,  // it starts a sentence or a line
  kHeadline,       // its line is in Title Case or all caps
  kNextToCapital,  // a capitalised word is right before or after it
  kAfterArticle,   // "the", "a", "its" ... before it: a common noun ("the Council")
  kCalendar,       // it is a month or weekday name
  kNoPlaceSign,    // a place's: nothing says place ("in", "near" ... before, ", Region" after)
  // A place's (or other's) alias that is part of another name, rejected outright:
  kInName,      // a proper name right after it, or before it ("Montreal Canadiens")
  kPersonName,  // a title or first name before it, or an initial after ("Colonel Meredith H.")
  kSameName,    // another of its matches in this text is a person's name, and nothing here
                // says place ("in", "near", "at" ... before it, ", Region" after)
  kOrgName,     // part of an institution's, a team's or an event's name, whatever else the
                // text says ("University of Pittsburgh", "Tampa Bay Devil Rays")
};
// "accepted", "confirmed", "case", "exact-case", "diacritics", "excluded-near",
// "excluded-preceded", "not-as-written", "sentence-start", "headline", "next-to-capital",
// "after-article", "calendar", "no-place-sign", "in-name", "person-name", "same-name",
// "org-name".
std::string_view VerdictName(Verdict verdict);
// A sentence a user reads: "rejected: the alias is written with capitals the text lacks".
std::string_view VerdictReason(Verdict verdict);
inline bool IsAccepted(Verdict v) { return v == Verdict::kAccepted || v == Verdict::kConfirmed; }

// One candidate of Explain: an alias that matched the letters at a token boundary, and what
// the matcher decided.
struct Decision {
  Span span;
  Verdict verdict = Verdict::kAccepted;
  bool ambiguous = false;  // the alias is ambiguous (common word or marked so)
  // kConfirmed: the verdict that held it back until it was confirmed (else kAccepted).
  Verdict held = Verdict::kAccepted;

  friend bool operator==(const Decision&, const Decision&) = default;
};

// Compiled matcher: immutable after Build, thread-safe for concurrent FindAll/FindSpans.
class Matcher {
 public:
  // Compiles the watchlist. InvalidArgument if an entity fails ValidateEntity, two entities
  // share an id, or a name/alias folds to nothing matchable (e.g. only punctuation/spaces).
  static absl::StatusOr<std::shared_ptr<const Matcher>> Build(const Watchlist& watchlist);
  // precision = false: no smart case, ambiguity or name rules ("Precision" above): every
  // alias matches its letters in any case unless its options say otherwise, as before issue
  // 20. For comparisons (tests/tagging/precision_eval) and reference tests.
  struct BuildOptions {
    bool precision = true;
  };
  static absl::StatusOr<std::shared_ptr<const Matcher>> Build(const Watchlist& watchlist,
                                                              BuildOptions options);

  // All mentions in `utf8` (any bytes; invalid UTF-8 is tolerated), sorted by start, never
  // overlapping. Texts must be shorter than 4 GiB.
  std::vector<Mention> FindAll(std::string_view utf8) const;

  // The same mentions as FindAll, without the strings (no snippet, no copies): appends to
  // `out` (not cleared). The fast path for callers that only need offsets. Reuses per-thread
  // scratch buffers, so repeated calls do not allocate once warm.
  void FindSpans(std::string_view utf8, std::vector<Span>* out) const;

  // Every candidate the scan judged, in order, with its verdict; the accepted ones are
  // exactly FindSpans's spans. Slower than FindSpans: for `wwctl tag --explain` and tests.
  void Explain(std::string_view utf8, std::vector<Decision>* out) const;

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
    uint32_t check;        // into checks_, or kNoCheck
    uint32_t upper = 0;    // which of the form's first 32 cased letters are capitals
    uint16_t letters = 0;  // the form's cased letters (at most 65535)
    uint8_t flags = 0;     // kSmartCase | kAmbiguous | kCalendar | kNamePart; 0: as found
  };
  // kNamePart: a place's (or other's) alias next to a proper name is part of a longer name
  // ("George Washington", "Montreal Canadiens").
  static constexpr uint8_t kSmartCase = 1, kAmbiguous = 2, kCalendar = 4, kNamePart = 8;
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

  // Written in capitals only, two letters or more ("US", "U.S.", "NATO").
  static bool IsAcronym(const Alias& a);
  // The verdict of alias `a` on a match of folded bytes [fstart, fend) = original
  // [start, end). For an ambiguous alias in a weak place, the weak verdict (kSentenceStart
  // ...): the scan keeps the match pending until its entity or context confirms it.
  Verdict Judge(const Alias& a, std::string_view original, std::string_view folded, uint32_t fstart,
                uint32_t fend, uint32_t start, uint32_t end) const;
  // The scan; `decisions` (may be null) receives every candidate's verdict.
  void FindSpansIn(std::string_view utf8, const ww::text::Normalized& folded,
                   std::vector<Span>* out, std::vector<Decision>* decisions) const;
  // A match held back (a weak verdict), waiting for Resolve: its index in the output spans
  // and in the decisions.
  struct Pending {
    size_t span;
    size_t decision;
    Verdict verdict;
  };
  // After the scan: drops the matches of entities that name a person in this text
  // (`persons`) where nothing says place, then keeps the pending matches that their entity's
  // other mentions or context confirm (matcher.h "Precision"). Spans from `first_out` on.
  // A pending span `k` of `spans` next to an accepted place, one comma or "and" between.
  bool InPlaceList(std::string_view utf8, const std::vector<Span>& spans, size_t k,
                   const std::vector<Pending>& pending, size_t first_out) const;
  void Resolve(std::string_view utf8, std::string_view folded, size_t first_out,
               const std::vector<Pending>& pending, const absl::flat_hash_set<uint32_t>& persons,
               std::vector<Span>* out, std::vector<Decision>* decisions) const;
  // True if one of the entity's context phrases occurs in the folded text.
  bool ContextIn(uint32_t entity, std::string_view folded) const;

  std::string entity_bytes_;                    // entity ids, concatenated
  std::vector<uint32_t> entity_offsets_ = {0};  // size entity_count() + 1
  std::string written_aliases_;                 // the aliases as written, concatenated
  std::vector<Alias> aliases_;                  // grouped by pattern id, in watchlist order
  std::vector<uint32_t> pattern_first_;         // aliases of pattern p: [first[p], first[p + 1])
  std::vector<Check> checks_;
  // Per entity: its tenant (0, 1, ... in order of first appearance); empty when every
  // entity has one tenant, which keeps the scan's single-tenant path.
  std::vector<uint32_t> entity_owner_;
  // Folded context phrases of the entities that declare some (Entity::context).
  std::vector<std::pair<uint32_t, std::vector<std::string>>> context_;  // sorted by entity
  PrefixTrie trie_;
};

// Builds Mention::snippet for [start, end) of `text`; exposed for tests and other taggers.
std::string MakeSnippet(std::string_view text, size_t start, size_t end,
                        size_t context = Matcher::kSnippetContext);

}  // namespace ww::tagging
