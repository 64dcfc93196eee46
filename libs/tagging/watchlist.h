#pragma once
// The watchlist model: the entities (people, places, organisations ...) that Wirewatch
// tags in articles, each with the names it is written under, and its YAML loader.
//
// YAML format (`name` is itself an alias; `kind` defaults to other; `aliases` optional):
//   entities:
//     - id: kim-jong-un
//       name: Kim Jong Un
//       kind: person            # person | place | organisation | other
//       aliases: ["Kim Jong-un", "김정은", "Ким Чен Ын", "金正恩"]
//     - id: putin
//       name: Vladimir Putin
//       kind: person
//       surname_only: true      # also "Putin" and "V. Putin" (default false)
//       inflections: ru         # also "Путина", "Путину", "Путиным" ... (none | ru)
//       aliases:
//         - Владимир Путин
//         - {text: "VVP", case_sensitive: true}          # acronyms: "vvp" does not match
//         - {text: "Путин", fold_diacritics: false}      # "Пу́тин" with an accent does not
//     - id: georgia-country
//       name: Georgia
//       aliases:
//         - {text: "Georgia", exclude_near: ["Atlanta", "Savannah"], window: 10}
//         - {text: "Jordan", exclude_preceded_by: ["Michael"], whole_phrase: true}
//     - id: nice
//       name: Nice              # a common word: needs evidence (matcher.h, "Precision")
//       kind: place
//       context: [France, Riviera]   # either in the article confirms "Nice" anywhere
//       aliases:
//         - {text: "Reading", ambiguous: true}     # or false; default: the built-in words
//         - {text: "nice", case_sensitive: false}  # any case (default: smart case)
//   rules: ...                  # ignored here; parsed by the alerting library
// An alias is a string or a map with `text` (required) and the AliasOptions keys below.
//
// All functions are thread-safe (no shared state) and never throw: failures are returned
// as absl::Status.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ww::tagging {

enum class EntityKind { kPerson, kPlace, kOrganisation, kOther };

// "person", "place", "organisation" or "other".
std::string_view EntityKindName(EntityKind kind);

// Inverse of EntityKindName, ASCII case-insensitive; also accepts "organization" and "org".
// InvalidArgument("kind must be person, place, organisation or other") otherwise.
absl::StatusOr<EntityKind> ParseEntityKind(std::string_view name);

// Whether an alias is a common word of its language ("Of", "Nice", "Reading", "March"), so
// that a match needs more evidence than its letters (libs/tagging/matcher.h, "Precision").
enum class Ambiguity { kAuto, kYes, kNo };  // kAuto: decided from the built-in common words

// How one alias matches. The defaults give the fold described in libs/tagging/matcher.h.
struct AliasOptions {
  // The letters of the match must have the case they have in the alias ("US" the country,
  // not "us"; "AP", "IS"). Every other fold (width, hyphens, quotes, diacritics) still applies.
  bool case_sensitive = false;
  // Any case matches, "vladivostok" as well as "Vladivostok" (YAML: case_sensitive: false).
  // By default (neither flag) the case is smart: an alias written with capitals matches text
  // with those letters in capitals (or in all caps), an alias written in lowercase any case.
  bool ignore_case = false;
  // kAuto: ambiguous when the alias is one word that is a common word (built-in word list).
  Ambiguity ambiguous = Ambiguity::kAuto;
  // false: diacritics must be as written ("Gómez" does not match "Gomez"; width, case,
  // hyphens and quotes still fold).
  bool fold_diacritics = true;
  // Only the alias as written: no surname-only, initial or inflected variants made from it.
  bool whole_phrase = false;
  // A match is dropped when one of these phrases (folded like aliases, at token boundaries)
  // occurs within `window` tokens before or after it ("Georgia" near "Atlanta").
  std::vector<std::string> exclude_near;
  uint32_t window = kDefaultWindow;  // tokens on each side, 1..1000
  // A match is dropped when it directly follows one of these phrases, only spaces and
  // punctuation between ("Jordan" preceded by "Michael").
  std::vector<std::string> exclude_preceded_by;

  static constexpr uint32_t kDefaultWindow = 10;
  static constexpr uint32_t kMaxWindow = 1000;
  // True when every field has its default value.
  bool IsDefault() const { return *this == AliasOptions{}; }
  friend bool operator==(const AliasOptions&, const AliasOptions&) = default;
};

// Generated inflected forms of aliases (see Entity::inflections).
enum class Inflections { kNone, kRussian };

// "none" or "ru".
std::string_view InflectionsName(Inflections inflections);
// Inverse of InflectionsName; also accepts "russian". InvalidArgument otherwise.
absl::StatusOr<Inflections> ParseInflections(std::string_view name);

// One watched entity. `name` is the display name and also an alias (with default options).
struct Entity {
  std::string id;  // stable identifier, [a-z0-9][a-z0-9._-]*
  std::string name;
  EntityKind kind = EntityKind::kOther;
  std::vector<std::string> aliases;  // further spellings, in any script
  // alias_options[i] applies to aliases[i]; aliases past the end use the defaults, so the
  // vector may be empty. Never longer than `aliases`.
  std::vector<AliasOptions> alias_options;
  // Also match the last word of every multi-word name/alias in a spaced script ("Putin"
  // for "Vladimir Putin") and the first names as initials ("V. Putin"). For people.
  bool surname_only = false;
  // kRussian: Cyrillic names/aliases also match in the Russian case forms (genitive,
  // dative, instrumental, prepositional: "Путина", "Путину", "Путиным", "Путине").
  Inflections inflections = Inflections::kNone;
  // Words or phrases whose presence in an article confirms an ambiguous alias of this entity
  // ("France" for "Nice"): matched like aliases, anywhere in the same text.
  std::vector<std::string> context;

  // Options of aliases[i] (defaults when i >= alias_options.size()).
  const AliasOptions& OptionsOf(size_t i) const;

  friend bool operator==(const Entity&, const Entity&) = default;
};

struct Watchlist {
  std::vector<Entity> entities;  // in file order

  friend bool operator==(const Watchlist&, const Watchlist&) = default;
};

// Checks one entity on its own: id matches [a-z0-9][a-z0-9._-]*, name is not blank, every
// alias is a non-blank string, alias_options is not longer than aliases, exclusion phrases
// are not blank and windows are 1..1000. InvalidArgument naming the entity and the problem.
// kQualified also accepts a tenant's "T/id" (runtime::QualifiedId): what the tagger builds
// its matcher from; what users write is always checked kBare.
enum class IdRule { kBare, kQualified };
absl::Status ValidateEntity(const Entity& entity, IdRule ids = IdRule::kBare);

// Parses a YAML watchlist. Top-level keys: `entities` (required list) and `rules` (ignored);
// any other top-level key is an error, as are unknown or duplicate entity keys, missing or
// invalid id/name, bad kind, non-string aliases and duplicate entity ids. Errors are
// InvalidArgument("line N: reason"), N 1-based, e.g. "line 4: entity 'kim' has no name",
// "line 7: unknown key 'alias'"; YAML syntax errors also carry their line.
// Memory: in the usual block layout (`entities:` at the start of a line, one `- ` item per
// entity under it), entities are parsed `kEntitiesPerBatch` at a time, so a watchlist of
// 100,000 entities does not hold yaml-cpp's whole node tree (~3.5 kB an entity); any other
// layout is parsed whole. The results, errors included, are the same either way.
absl::StatusOr<Watchlist> ParseWatchlistYaml(std::string_view yaml);

namespace internal {
inline constexpr size_t kEntitiesPerBatch = 4096;
// The two ways ParseWatchlistYaml parses, for tests: the whole document at once, and by
// batches of `batch` entities (nullopt when the layout is not the block layout, or a batch
// does not parse on its own, e.g. an alias (*x) of an anchor in another batch).
absl::StatusOr<Watchlist> ParseWatchlistYamlWhole(std::string_view yaml);
std::optional<absl::StatusOr<Watchlist>> ParseWatchlistYamlInBatches(std::string_view yaml,
                                                                     size_t batch);
}  // namespace internal

// Reads and parses the file at `path`. NotFound naming the path if it does not exist,
// PermissionDenied / Unavailable if it cannot be read, and ParseWatchlistYaml's errors
// prefixed with "<path>: ".
absl::StatusOr<Watchlist> LoadWatchlistFile(const std::string& path);

// The watchlist as a YAML file in the format above, which ParseWatchlistYaml reads back to
// an equal watchlist (up to trailing default alias_options): an alias with default options
// is a plain string, other aliases are maps; keys at their default values are left out.
// Deterministic, so the same watchlist always gives the same text.
std::string WatchlistToYaml(const Watchlist& watchlist);

}  // namespace ww::tagging
