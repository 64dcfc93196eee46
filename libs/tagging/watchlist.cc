#include "libs/tagging/watchlist.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ww::tagging {
namespace {

constexpr std::string_view kBadKind = "kind must be person, place, organisation or other";

// Debian's Abseil has its own absl::string_view (not an alias of std::string_view).
absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), IsAsciiSpace);
}

bool IsValidId(std::string_view id) {
  if (id.empty()) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(id[0])) return false;
  for (char c : id) {
    if (!lower_or_digit(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

// 1-based line of a node, or of its parent when the node has no position (missing keys).
int LineOf(const YAML::Node& node, int fallback) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() || mark.line < 0 ? fallback : mark.line + 1;
}

absl::Status LineError(int line, std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", ToAbsl(reason)));
}

// Parses one element of `entities`. `ids` holds the ids seen so far.
absl::StatusOr<Entity> ParseEntity(const YAML::Node& node, int fallback_line,
                                   absl::flat_hash_set<std::string>& ids) {
  const int line = LineOf(node, fallback_line);
  if (!node.IsMap()) return LineError(line, "each entity must be a mapping with id and name");

  Entity entity;
  const YAML::Node* id_node = nullptr;
  const YAML::Node* name_node = nullptr;
  YAML::Node id_value, name_value, kind_value, aliases_value;
  absl::flat_hash_set<std::string> seen_keys;
  for (const auto& kv : node) {
    const int key_line = LineOf(kv.first, line);
    if (!kv.first.IsScalar()) return LineError(key_line, "entity keys must be strings");
    const std::string key = kv.first.Scalar();
    if (!seen_keys.insert(key).second) {
      return LineError(key_line, absl::StrCat("duplicate key '", key, "'"));
    }
    if (key == "id") {
      id_value = kv.second;
    } else if (key == "name") {
      name_value = kv.second;
    } else if (key == "kind") {
      kind_value = kv.second;
    } else if (key == "aliases") {
      aliases_value = kv.second;
    } else {
      return LineError(key_line, absl::StrCat("unknown key '", key,
                                              "' (expected id, name, kind or aliases)"));
    }
  }
  if (seen_keys.contains("id")) id_node = &id_value;
  if (seen_keys.contains("name")) name_node = &name_value;

  // id
  if (id_node == nullptr || id_node->IsNull() ||
      (id_node->IsScalar() && id_node->Scalar().empty())) {
    return LineError(line, "entity has no id");
  }
  const int id_line = LineOf(*id_node, line);
  if (!id_node->IsScalar()) return LineError(id_line, "id must be a string");
  entity.id = id_node->Scalar();
  if (!IsValidId(entity.id)) {
    return LineError(id_line, absl::StrCat("invalid entity id '", entity.id,
                                           "': must match [a-z0-9][a-z0-9._-]*"));
  }
  if (!ids.insert(entity.id).second) {
    return LineError(id_line, absl::StrCat("duplicate entity id '", entity.id, "'"));
  }

  // name
  if (name_node == nullptr || name_node->IsNull() ||
      (name_node->IsScalar() && IsBlank(name_node->Scalar()))) {
    return LineError(name_node == nullptr ? line : LineOf(*name_node, line),
                     absl::StrCat("entity '", entity.id, "' has no name"));
  }
  if (!name_node->IsScalar()) {
    return LineError(LineOf(*name_node, line),
                     absl::StrCat("entity '", entity.id, "': name must be a string"));
  }
  entity.name = name_node->Scalar();

  // kind
  if (seen_keys.contains("kind")) {
    const int kind_line = LineOf(kind_value, line);
    if (!kind_value.IsScalar()) return LineError(kind_line, kBadKind);
    absl::StatusOr<EntityKind> kind = ParseEntityKind(kind_value.Scalar());
    if (!kind.ok()) return LineError(kind_line, kBadKind);
    entity.kind = *kind;
  }

  // aliases
  if (seen_keys.contains("aliases") && !aliases_value.IsNull()) {
    const int aliases_line = LineOf(aliases_value, line);
    if (!aliases_value.IsSequence()) {
      return LineError(aliases_line, absl::StrCat("entity '", entity.id,
                                                  "': aliases must be a list of strings"));
    }
    for (const auto& alias : aliases_value) {
      const int alias_line = LineOf(alias, aliases_line);
      if (!alias.IsScalar() && !alias.IsNull()) {
        return LineError(alias_line, absl::StrCat("entity '", entity.id,
                                                  "': aliases must be a list of strings"));
      }
      if (alias.IsNull() || IsBlank(alias.Scalar())) {
        return LineError(alias_line, absl::StrCat("entity '", entity.id, "' has an empty alias"));
      }
      entity.aliases.push_back(alias.Scalar());
    }
  }

  if (absl::Status status = ValidateEntity(entity); !status.ok()) {
    return LineError(line, std::string_view(status.message().data(), status.message().size()));
  }
  return entity;
}

absl::StatusOr<Watchlist> ParseRoot(const YAML::Node& root) {
  if (!root.IsDefined() || root.IsNull()) {
    return LineError(1, "missing required key 'entities'");
  }
  if (!root.IsMap()) {
    return LineError(LineOf(root, 1), "watchlist must be a mapping with an 'entities' list");
  }
  YAML::Node entities;
  bool has_entities = false;
  absl::flat_hash_set<std::string> seen_keys;
  for (const auto& kv : root) {
    const int key_line = LineOf(kv.first, 1);
    if (!kv.first.IsScalar()) return LineError(key_line, "top-level keys must be strings");
    const std::string key = kv.first.Scalar();
    if (!seen_keys.insert(key).second) {
      return LineError(key_line, absl::StrCat("duplicate key '", key, "'"));
    }
    if (key == "entities") {
      entities = kv.second;
      has_entities = true;
    } else if (key != "rules") {
      return LineError(key_line, absl::StrCat("unknown top-level key '", key,
                                              "' (expected entities or rules)"));
    }
  }
  if (!has_entities) return LineError(1, "missing required key 'entities'");
  const int entities_line = LineOf(entities, 1);
  Watchlist watchlist;
  if (entities.IsNull()) return watchlist;  // `entities:` with nothing under it
  if (!entities.IsSequence()) return LineError(entities_line, "'entities' must be a list");
  absl::flat_hash_set<std::string> ids;
  for (const auto& item : entities) {
    absl::StatusOr<Entity> entity = ParseEntity(item, entities_line, ids);
    if (!entity.ok()) return entity.status();
    watchlist.entities.push_back(*std::move(entity));
  }
  return watchlist;
}

}  // namespace

std::string_view EntityKindName(EntityKind kind) {
  switch (kind) {
    case EntityKind::kPerson:
      return "person";
    case EntityKind::kPlace:
      return "place";
    case EntityKind::kOrganisation:
      return "organisation";
    case EntityKind::kOther:
      return "other";
  }
  return "other";
}

absl::StatusOr<EntityKind> ParseEntityKind(std::string_view name) {
  while (!name.empty() && IsAsciiSpace(name.front())) name.remove_prefix(1);
  while (!name.empty() && IsAsciiSpace(name.back())) name.remove_suffix(1);
  const std::string lower = absl::AsciiStrToLower(ToAbsl(name));
  if (lower == "person") return EntityKind::kPerson;
  if (lower == "place") return EntityKind::kPlace;
  if (lower == "organisation" || lower == "organization" || lower == "org") {
    return EntityKind::kOrganisation;
  }
  if (lower == "other") return EntityKind::kOther;
  return absl::InvalidArgumentError(ToAbsl(kBadKind));
}

absl::Status ValidateEntity(const Entity& entity) {
  if (!IsValidId(entity.id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid entity id '", entity.id, "': must match [a-z0-9][a-z0-9._-]*"));
  }
  if (IsBlank(entity.name)) {
    return absl::InvalidArgumentError(absl::StrCat("entity '", entity.id, "' has no name"));
  }
  for (const std::string& alias : entity.aliases) {
    if (IsBlank(alias)) {
      return absl::InvalidArgumentError(
          absl::StrCat("entity '", entity.id, "' has an empty alias"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Watchlist> ParseWatchlistYaml(std::string_view yaml) {
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    return ParseRoot(root);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() || e.mark.line < 0 ? 1 : e.mark.line + 1;
    return LineError(line, absl::StrCat("invalid YAML: ", e.msg));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("watchlist parsing failed: ", e.what()));
  }
}

absl::StatusOr<Watchlist> LoadWatchlistFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return absl::NotFoundError(absl::StrCat("watchlist file not found: ", path));
    }
    if (err == EACCES || err == EPERM) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot read watchlist file ", path, ": ", std::strerror(err)));
    }
    return absl::UnavailableError(
        absl::StrCat("cannot open watchlist file ", path, ": ", std::strerror(err)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    return absl::UnavailableError(absl::StrCat("cannot read watchlist file ", path));
  }
  absl::StatusOr<Watchlist> watchlist = ParseWatchlistYaml(contents.str());
  if (!watchlist.ok()) {
    return absl::Status(watchlist.status().code(),
                        absl::StrCat(path, ": ", watchlist.status().message()));
  }
  return watchlist;
}

}  // namespace ww::tagging
