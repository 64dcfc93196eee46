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
//   rules: ...                  # ignored here; parsed by the alerting library
//
// All functions are thread-safe (no shared state) and never throw: failures are returned
// as absl::Status.
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

// One watched entity. `name` is the display name and also an alias.
struct Entity {
  std::string id;  // stable identifier, [a-z0-9][a-z0-9._-]*
  std::string name;
  EntityKind kind = EntityKind::kOther;
  std::vector<std::string> aliases;  // further spellings, in any script

  friend bool operator==(const Entity&, const Entity&) = default;
};

struct Watchlist {
  std::vector<Entity> entities;  // in file order

  friend bool operator==(const Watchlist&, const Watchlist&) = default;
};

// Checks one entity on its own: id matches [a-z0-9][a-z0-9._-]*, name is not blank, every
// alias is a non-blank string. InvalidArgument naming the entity and the problem.
absl::Status ValidateEntity(const Entity& entity);

// Parses a YAML watchlist. Top-level keys: `entities` (required list) and `rules` (ignored);
// any other top-level key is an error, as are unknown or duplicate entity keys, missing or
// invalid id/name, bad kind, non-string aliases and duplicate entity ids. Errors are
// InvalidArgument("line N: reason"), N 1-based, e.g. "line 4: entity 'kim' has no name",
// "line 7: unknown key 'alias'"; YAML syntax errors also carry their line.
absl::StatusOr<Watchlist> ParseWatchlistYaml(std::string_view yaml);

// Reads and parses the file at `path`. NotFound naming the path if it does not exist,
// PermissionDenied / Unavailable if it cannot be read, and ParseWatchlistYaml's errors
// prefixed with "<path>: ".
absl::StatusOr<Watchlist> LoadWatchlistFile(const std::string& path);

}  // namespace ww::tagging
