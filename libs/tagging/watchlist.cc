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
#include "libs/runtime/ids.h"
#include "libs/runtime/string_view.h"

namespace ww::tagging {
namespace {

using runtime::ToAbsl;

constexpr std::string_view kBadKind = "kind must be person, place, organisation or other";

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsBlank(std::string_view s) { return std::all_of(s.begin(), s.end(), IsAsciiSpace); }

// 1-based line of a node, or of its parent when the node has no position (missing keys).
int LineOf(const YAML::Node& node, int fallback) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() || mark.line < 0 ? fallback : mark.line + 1;
}

absl::Status LineError(int line, std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", ToAbsl(reason)));
}

// Parses a YAML boolean scalar (true/false/yes/no/on/off).
absl::StatusOr<bool> ParseBool(const YAML::Node& node, int line, std::string_view what) {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    return LineError(line, absl::StrCat(ToAbsl(what), " must be true or false"));
  }
  return value;
}

// Parses a list of non-blank strings (a single string is accepted as a list of one).
absl::StatusOr<std::vector<std::string>> ParsePhrases(const YAML::Node& node, int line,
                                                      std::string_view what) {
  std::vector<std::string> out;
  const std::string error = absl::StrCat(ToAbsl(what), " must be a list of non-empty strings");
  if (node.IsScalar()) {
    if (IsBlank(node.Scalar())) return LineError(line, error);
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) return LineError(line, error);
  for (const auto& item : node) {
    if (!item.IsScalar() || IsBlank(item.Scalar())) return LineError(LineOf(item, line), error);
    out.push_back(item.Scalar());
  }
  return out;
}

// Parses an alias given as a map: {text: ..., case_sensitive: ..., ...}.
absl::Status ParseAliasMap(const YAML::Node& node, int line, const std::string& entity_id,
                           std::string* text, AliasOptions* options) {
  absl::flat_hash_set<std::string> seen;
  bool has_text = false;
  for (const auto& kv : node) {
    const int key_line = LineOf(kv.first, line);
    if (!kv.first.IsScalar()) return LineError(key_line, "alias keys must be strings");
    const std::string key = kv.first.Scalar();
    if (!seen.insert(key).second) {
      return LineError(key_line, absl::StrCat("duplicate key '", key, "'"));
    }
    const int value_line = LineOf(kv.second, key_line);
    const std::string what = absl::StrCat("entity '", entity_id, "': ", key);
    if (key == "text") {
      if (!kv.second.IsScalar() || IsBlank(kv.second.Scalar())) {
        return LineError(value_line, absl::StrCat("entity '", entity_id, "' has an empty alias"));
      }
      *text = kv.second.Scalar();
      has_text = true;
    } else if (key == "case_sensitive" || key == "fold_diacritics" || key == "whole_phrase" ||
               key == "ambiguous") {
      absl::StatusOr<bool> value = ParseBool(kv.second, value_line, what);
      if (!value.ok()) return value.status();
      if (key == "case_sensitive") {
        // Given either way, the case is no longer smart: exact, or any.
        options->case_sensitive = *value;
        options->ignore_case = !*value;
      }
      if (key == "ambiguous") options->ambiguous = *value ? Ambiguity::kYes : Ambiguity::kNo;
      if (key == "fold_diacritics") options->fold_diacritics = *value;
      if (key == "whole_phrase") options->whole_phrase = *value;
    } else if (key == "exclude_near" || key == "exclude_preceded_by") {
      absl::StatusOr<std::vector<std::string>> phrases = ParsePhrases(kv.second, value_line, what);
      if (!phrases.ok()) return phrases.status();
      (key == "exclude_near" ? options->exclude_near : options->exclude_preceded_by) =
          *std::move(phrases);
    } else if (key == "window") {
      uint32_t window = 0;
      if (!kv.second.IsScalar() || !YAML::convert<uint32_t>::decode(kv.second, window) ||
          window < 1 || window > AliasOptions::kMaxWindow) {
        return LineError(value_line, absl::StrCat(what, " must be a whole number of tokens, 1..",
                                                  AliasOptions::kMaxWindow));
      }
      options->window = window;
    } else {
      return LineError(key_line,
                       absl::StrCat("unknown alias key '", key,
                                    "' (expected text, case_sensitive, ambiguous, fold_diacritics, "
                                    "whole_phrase, exclude_near, window or exclude_preceded_by)"));
    }
  }
  if (!has_text) {
    return LineError(line, absl::StrCat("entity '", entity_id, "': alias map has no text"));
  }
  return absl::OkStatus();
}

// Parses one element of `entities`. `ids` holds the ids seen so far.
absl::StatusOr<Entity> ParseEntity(const YAML::Node& node, int fallback_line,
                                   absl::flat_hash_set<std::string>& ids) {
  const int line = LineOf(node, fallback_line);
  if (!node.IsMap()) return LineError(line, "each entity must be a mapping with id and name");

  Entity entity;
  const YAML::Node* id_node = nullptr;
  const YAML::Node* name_node = nullptr;
  YAML::Node id_value, name_value, kind_value, aliases_value, surname_value, inflections_value,
      context_value;
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
    } else if (key == "surname_only") {
      surname_value = kv.second;
    } else if (key == "inflections") {
      inflections_value = kv.second;
    } else if (key == "context") {
      context_value = kv.second;
    } else {
      return LineError(key_line, absl::StrCat("unknown key '", key,
                                              "' (expected id, name, kind, aliases, surname_only, "
                                              "inflections or context)"));
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
  if (!runtime::IsValidId(entity.id)) {
    return LineError(id_line,
                     absl::StrCat("invalid entity id '", entity.id, "': ", runtime::kIdRule));
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
                                                  "': aliases must be a list of strings or maps"));
    }
    for (const auto& alias : aliases_value) {
      const int alias_line = LineOf(alias, aliases_line);
      if (alias.IsMap()) {
        std::string text;
        AliasOptions options;
        if (absl::Status s = ParseAliasMap(alias, alias_line, entity.id, &text, &options);
            !s.ok()) {
          return s;
        }
        if (!options.IsDefault()) {
          entity.alias_options.resize(entity.aliases.size());
          entity.alias_options.push_back(std::move(options));
        }
        entity.aliases.push_back(std::move(text));
        continue;
      }
      if (!alias.IsScalar() && !alias.IsNull()) {
        return LineError(alias_line, absl::StrCat("entity '", entity.id,
                                                  "': aliases must be a list of strings or maps"));
      }
      if (alias.IsNull() || IsBlank(alias.Scalar())) {
        return LineError(alias_line, absl::StrCat("entity '", entity.id, "' has an empty alias"));
      }
      entity.aliases.push_back(alias.Scalar());
    }
  }

  if (seen_keys.contains("surname_only")) {
    absl::StatusOr<bool> value = ParseBool(surname_value, LineOf(surname_value, line),
                                           absl::StrCat("entity '", entity.id, "': surname_only"));
    if (!value.ok()) return value.status();
    entity.surname_only = *value;
  }
  if (seen_keys.contains("inflections")) {
    const int inflections_line = LineOf(inflections_value, line);
    absl::StatusOr<Inflections> value = inflections_value.IsScalar()
                                            ? ParseInflections(inflections_value.Scalar())
                                            : absl::InvalidArgumentError("");
    if (!value.ok()) {
      return LineError(inflections_line,
                       absl::StrCat("entity '", entity.id, "': inflections must be none or ru"));
    }
    entity.inflections = *value;
  }

  if (seen_keys.contains("context") && !context_value.IsNull()) {
    absl::StatusOr<std::vector<std::string>> phrases =
        ParsePhrases(context_value, LineOf(context_value, line),
                     absl::StrCat("entity '", entity.id, "': context"));
    if (!phrases.ok()) return phrases.status();
    entity.context = *std::move(phrases);
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
      return LineError(
          key_line, absl::StrCat("unknown top-level key '", key, "' (expected entities or rules)"));
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

std::string_view InflectionsName(Inflections inflections) {
  return inflections == Inflections::kRussian ? "ru" : "none";
}

absl::StatusOr<Inflections> ParseInflections(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(ToAbsl(name));
  if (lower == "none" || lower.empty()) return Inflections::kNone;
  if (lower == "ru" || lower == "russian") return Inflections::kRussian;
  return absl::InvalidArgumentError("inflections must be none or ru");
}

const AliasOptions& Entity::OptionsOf(size_t i) const {
  static const AliasOptions* const kDefaults = new AliasOptions();
  return i < alias_options.size() ? alias_options[i] : *kDefaults;
}

absl::Status ValidateEntity(const Entity& entity, IdRule ids) {
  if (ids == IdRule::kQualified ? !runtime::IsValidQualifiedId(entity.id)
                                : !runtime::IsValidId(entity.id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid entity id '", entity.id, "': ", runtime::kIdRule));
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
  for (const std::string& phrase : entity.context) {
    if (IsBlank(phrase)) {
      return absl::InvalidArgumentError(
          absl::StrCat("entity '", entity.id, "' has an empty context phrase"));
    }
  }
  if (entity.alias_options.size() > entity.aliases.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("entity '", entity.id, "' has more alias options than aliases"));
  }
  for (size_t i = 0; i < entity.alias_options.size(); ++i) {
    const AliasOptions& o = entity.alias_options[i];
    if (o.window < 1 || o.window > AliasOptions::kMaxWindow) {
      return absl::InvalidArgumentError(
          absl::StrCat("entity '", entity.id, "': alias '", entity.aliases[i], "' has window ",
                       o.window, " (must be 1..", AliasOptions::kMaxWindow, ")"));
    }
    for (const auto* list : {&o.exclude_near, &o.exclude_preceded_by}) {
      for (const std::string& phrase : *list) {
        if (IsBlank(phrase)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "entity '", entity.id, "': alias '", entity.aliases[i], "' has an empty exclusion"));
        }
      }
    }
  }
  return absl::OkStatus();
}

namespace {

// The line's indentation (spaces), or -1 when it starts with a tab.
int Indent(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  return i < line.size() && line[i] == '\t' ? -1 : static_cast<int>(i);
}

// Blank, or only a comment.
bool IsBlankOrComment(std::string_view line) {
  const size_t i = line.find_first_not_of(" \t\r");
  return i == std::string_view::npos || line[i] == '#';
}

// `entities:` at the start of a line, then nothing but spaces and a comment.
bool IsEntitiesKey(std::string_view line) {
  if (!line.starts_with("entities:")) return false;
  line.remove_prefix(9);
  return IsBlankOrComment(line) &&
         (line.empty() || line.front() == ' ' || line.front() == '\t' || line.front() == '\r');
}

// "- ..." or "-" at exactly `indent`.
bool IsItemStart(std::string_view line, int indent) {
  if (Indent(line) != indent) return false;
  const std::string_view rest = line.substr(static_cast<size_t>(indent));
  return rest == "-" || rest == "-\r" || rest.starts_with("- ");
}

}  // namespace

namespace internal {

absl::StatusOr<Watchlist> ParseWatchlistYamlWhole(std::string_view yaml) {
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

std::optional<absl::StatusOr<Watchlist>> ParseWatchlistYamlInBatches(std::string_view yaml,
                                                                     size_t batch) {
  // Lines, with where each starts.
  std::vector<std::string_view> lines;
  std::vector<size_t> starts;
  for (size_t at = 0; at < yaml.size();) {
    size_t end = yaml.find('\n', at);
    if (end == std::string_view::npos) end = yaml.size();
    lines.push_back(yaml.substr(at, end - at));
    starts.push_back(at);
    at = end + 1;
  }
  // Anything that could make a line mean something else than its indentation says (tabs,
  // several documents, directives) is left to the whole parse.
  size_t key = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string_view l = lines[i];
    if (Indent(l) < 0 || l.starts_with("---") || l.starts_with("...") || l.starts_with("%")) {
      return std::nullopt;
    }
    if (key == lines.size() && IsEntitiesKey(l)) key = i;
  }
  if (key == lines.size()) return std::nullopt;
  size_t first = key + 1;
  while (first < lines.size() && IsBlankOrComment(lines[first])) ++first;
  if (first == lines.size()) return std::nullopt;
  const int indent = Indent(lines[first]);
  if (!IsItemStart(lines[first], indent)) return std::nullopt;
  // The items: each from its `- ` line to the next at the same indentation. The list ends at
  // a line indented no deeper that is neither an item nor blank nor a comment.
  std::vector<size_t> items;  // first line of each
  size_t end = first;
  for (; end < lines.size(); ++end) {
    const std::string_view l = lines[end];
    if (IsItemStart(l, indent)) {
      items.push_back(end);
    } else if (!IsBlankOrComment(l) && Indent(l) <= indent) {
      break;
    }
  }
  try {
    // The document without its items (blank lines in their place, so that lines keep their
    // numbers): the top-level keys are checked as the whole parse checks them.
    std::string rest(yaml.substr(0, starts[first]));
    rest.append(end - first, '\n');
    if (end < lines.size()) rest.append(yaml.substr(starts[end]));
    const YAML::Node root = YAML::Load(rest);
    // An error there (an unknown key, a list that goes on at the wrong indentation) is the
    // whole parse's to word; so is anything under entities that was not taken as items.
    absl::StatusOr<Watchlist> top = ParseRoot(root);
    if (!top.ok() || !top->entities.empty()) return std::nullopt;
    Watchlist watchlist;
    watchlist.entities.reserve(items.size());
    absl::flat_hash_set<std::string> ids;
    const int entities_line = static_cast<int>(first) + 1;
    absl::Status failed;  // the first entity in error
    for (size_t b = 0; b < items.size(); b += batch) {
      const size_t from = items[b];
      const size_t to = b + batch < items.size() ? items[b + batch] : end;
      // Padded with the lines before it, so that yaml-cpp's positions are the file's.
      std::string text(from, '\n');
      text.append(
          yaml.substr(starts[from], (to < lines.size() ? starts[to] : yaml.size()) - starts[from]));
      const YAML::Node list = YAML::Load(text);
      if (!list.IsSequence()) return std::nullopt;
      // After an entity in error, the later batches are only read: a YAML syntax error
      // anywhere is what the whole parse reports first.
      for (auto it = list.begin(); failed.ok() && it != list.end(); ++it) {
        absl::StatusOr<Entity> entity = ParseEntity(*it, entities_line, ids);
        if (!entity.ok()) {
          failed = entity.status();
        } else {
          watchlist.entities.push_back(*std::move(entity));
        }
      }
    }
    if (!failed.ok()) return failed;
    return watchlist;
  } catch (const std::exception&) {
    return std::nullopt;  // the whole parse says what is wrong, as it would have
  }
}

}  // namespace internal

absl::StatusOr<Watchlist> ParseWatchlistYaml(std::string_view yaml) {
  if (auto batched = internal::ParseWatchlistYamlInBatches(yaml, internal::kEntitiesPerBatch)) {
    return *std::move(batched);
  }
  return internal::ParseWatchlistYamlWhole(yaml);
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

std::string WatchlistToYaml(const Watchlist& watchlist) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "entities" << YAML::Value << YAML::BeginSeq;
  for (const Entity& e : watchlist.entities) {
    out << YAML::BeginMap;
    out << YAML::Key << "id" << YAML::Value << e.id;
    out << YAML::Key << "name" << YAML::Value << e.name;
    out << YAML::Key << "kind" << YAML::Value << std::string(EntityKindName(e.kind));
    if (e.surname_only) out << YAML::Key << "surname_only" << YAML::Value << true;
    if (e.inflections != Inflections::kNone) {
      out << YAML::Key << "inflections" << YAML::Value
          << std::string(InflectionsName(e.inflections));
    }
    if (!e.context.empty()) out << YAML::Key << "context" << YAML::Value << e.context;
    if (!e.aliases.empty()) {
      out << YAML::Key << "aliases" << YAML::Value << YAML::BeginSeq;
      for (size_t i = 0; i < e.aliases.size(); ++i) {
        const AliasOptions& o = e.OptionsOf(i);
        if (o.IsDefault()) {
          out << e.aliases[i];
          continue;
        }
        out << YAML::Flow << YAML::BeginMap << YAML::Key << "text" << YAML::Value << e.aliases[i];
        if (o.case_sensitive) out << YAML::Key << "case_sensitive" << YAML::Value << true;
        if (o.ignore_case && !o.case_sensitive) {
          out << YAML::Key << "case_sensitive" << YAML::Value << false;
        }
        if (o.ambiguous != Ambiguity::kAuto) {
          out << YAML::Key << "ambiguous" << YAML::Value << (o.ambiguous == Ambiguity::kYes);
        }
        if (!o.fold_diacritics) out << YAML::Key << "fold_diacritics" << YAML::Value << false;
        if (o.whole_phrase) out << YAML::Key << "whole_phrase" << YAML::Value << true;
        if (!o.exclude_near.empty()) {
          out << YAML::Key << "exclude_near" << YAML::Value << o.exclude_near;
        }
        if (o.window != AliasOptions::kDefaultWindow) {
          out << YAML::Key << "window" << YAML::Value << o.window;
        }
        if (!o.exclude_preceded_by.empty()) {
          out << YAML::Key << "exclude_preceded_by" << YAML::Value << o.exclude_preceded_by;
        }
        out << YAML::EndMap;
      }
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace ww::tagging
