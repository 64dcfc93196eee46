#include "libs/alerting/rule.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/runtime/ids.h"
#include "libs/runtime/time_parse.h"

namespace ww::alerting {
namespace {

int LineOf(const YAML::Node& n, int fallback) {
  return n.Mark().is_null() || n.Mark().line < 0 ? fallback : n.Mark().line + 1;
}

struct Ctx {
  std::string rule_id;
  absl::Status Error(const YAML::Node& at, int fallback, const std::string& field,
                     const std::string& why) const {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", LineOf(at, fallback), ": rule '", rule_id, "': ", field, ": ", why));
  }
};

absl::StatusOr<Expr> ParseExpr(const YAML::Node& n, const Ctx& ctx, int line,
                               const std::string& field);

absl::StatusOr<std::vector<Expr>> ParseList(const YAML::Node& n, const Ctx& ctx, int line,
                                            const std::string& field) {
  if (!n.IsSequence() || n.size() == 0) {
    return ctx.Error(n, line, field, "must be a non-empty list of entity ids or expressions");
  }
  std::vector<Expr> out;
  for (size_t i = 0; i < n.size(); ++i) {
    auto e = ParseExpr(n[i], ctx, LineOf(n, line), absl::StrCat(field, "[", i, "]"));
    if (!e.ok()) return e.status();
    out.push_back(std::move(*e));
  }
  return out;
}

absl::StatusOr<Expr> ParseExpr(const YAML::Node& n, const Ctx& ctx, int line,
                               const std::string& field) {
  line = LineOf(n, line);
  if (n.IsScalar()) {
    const std::string& id = n.Scalar();
    if (!runtime::IsValidId(id)) {
      return ctx.Error(n, line, field,
                       absl::StrCat("'", id, "' is not an entity id (", runtime::kIdRule, ")"));
    }
    return Expr::Entity(id);
  }
  if (!n.IsMap() || n.size() == 0) {
    return ctx.Error(n, line, field,
                     "must be an entity id or a mapping with all, any, not or near");
  }
  std::vector<Expr> parts;
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    const std::string sub = absl::StrCat(field, ".", key);
    Expr e;
    if (key == "all" || key == "any") {
      auto list = ParseList(kv.second, ctx, line, sub);
      if (!list.ok()) return list.status();
      e.op = key == "all" ? Expr::Op::kAll : Expr::Op::kAny;
      e.children = std::move(*list);
    } else if (key == "not") {
      auto inner = ParseExpr(kv.second, ctx, line, sub);
      if (!inner.ok()) return inner.status();
      e.op = Expr::Op::kNot;
      e.children.push_back(std::move(*inner));
    } else if (key == "near") {
      const YAML::Node& v = kv.second;
      if (!v.IsMap() || !v["entities"] || !v["words"]) {
        return ctx.Error(v, line, sub, "needs entities (a list of ids) and words (a number)");
      }
      e.op = Expr::Op::kNear;
      const YAML::Node& ents = v["entities"];
      if (!ents.IsSequence() || ents.size() < 2) {
        return ctx.Error(ents, line, sub + ".entities", "needs at least two entity ids");
      }
      for (const auto& id : ents) {
        if (!id.IsScalar() || !runtime::IsValidId(id.Scalar())) {
          return ctx.Error(id, line, sub + ".entities", "each must be an entity id");
        }
        e.near_entities.push_back(id.Scalar());
      }
      try {
        e.near_words = v["words"].as<int>();
      } catch (const YAML::Exception&) {
        return ctx.Error(v["words"], line, sub + ".words", "must be a whole number");
      }
      if (e.near_words < 1)
        return ctx.Error(v["words"], line, sub + ".words", "must be at least 1");
      for (const auto& k : v) {
        if (k.first.Scalar() != "entities" && k.first.Scalar() != "words") {
          return ctx.Error(k.first, line, sub,
                           absl::StrCat("unknown key '", k.first.Scalar(), "'"));
        }
      }
    } else {
      return ctx.Error(kv.first, line, field,
                       absl::StrCat("unknown operator '", key, "' (use all, any, not or near)"));
    }
    parts.push_back(std::move(e));
  }
  if (parts.size() == 1) return std::move(parts[0]);
  Expr all;
  all.op = Expr::Op::kAll;
  all.children = std::move(parts);
  return all;
}

absl::StatusOr<std::vector<std::string>> StringList(const YAML::Node& n, const Ctx& ctx, int line,
                                                    const std::string& field) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) return ctx.Error(n, line, field, "must be a list of strings");
  for (const auto& x : n) {
    if (!x.IsScalar()) return ctx.Error(x, line, field, "must be a list of strings");
    out.push_back(x.Scalar());
  }
  return out;
}

absl::StatusOr<Rule> ParseRuleNode(const YAML::Node& n, int fallback, const std::string& owner) {
  const int line = LineOf(n, fallback);
  Ctx ctx{"?"};
  if (!n.IsMap()) return ctx.Error(n, line, "rule", "each rule must be a mapping with id and when");
  if (n["id"] && n["id"].IsScalar()) ctx.rule_id = n["id"].Scalar();
  if (!runtime::IsValidId(ctx.rule_id)) {
    return ctx.Error(n["id"] ? n["id"] : n, line, "id",
                     absl::StrCat("is required: ", runtime::kIdRule));
  }
  Rule r;
  r.id = ctx.rule_id;
  r.owner = owner;
  r.name = r.id;
  bool has_when = false;
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "id") continue;
    if (key == "name") {
      r.name = v.Scalar();
    } else if (key == "when") {
      auto e = ParseExpr(v, ctx, line, "when");
      if (!e.ok()) return e.status();
      r.when = std::move(*e);
      has_when = true;
    } else if (key == "severity") {
      auto s = ParseSeverity(v.Scalar());
      if (!s.ok()) return ctx.Error(v, line, "severity", std::string(s.status().message()));
      r.severity = *s;
    } else if (key == "cooldown") {
      absl::StatusOr<absl::Duration> d = runtime::ParseDuration(v.Scalar());
      if (!d.ok() || *d < absl::ZeroDuration()) {
        return ctx.Error(v, line, "cooldown",
                         absl::StrCat("'", v.Scalar(), "' is not a duration like 30m, 6h or 1d"));
      }
      r.cooldown = *d;
    } else if (key == "min_mentions") {
      try {
        r.min_mentions = v.as<int>();
      } catch (const YAML::Exception&) {
        return ctx.Error(v, line, "min_mentions", "must be a whole number");
      }
      if (r.min_mentions < 1) return ctx.Error(v, line, "min_mentions", "must be at least 1");
    } else if (key == "where") {
      const std::string w = v.Scalar();
      if (w == "anywhere")
        r.where = Where::kAnywhere;
      else if (w == "title")
        r.where = Where::kTitle;
      else if (w == "lead")
        r.where = Where::kLead;
      else
        return ctx.Error(v, line, "where", "must be title, lead or anywhere");
    } else if (key == "per") {
      const std::string w = v.Scalar();
      if (w == "story")
        r.per = Per::kStory;
      else if (w == "copy")
        r.per = Per::kCopy;
      else
        return ctx.Error(v, line, "per",
                         "must be story (one alert per event, the default) or copy (one per "
                         "copy cluster)");
    } else if (key == "sources" || key == "languages") {
      auto l = StringList(v, ctx, line, key);
      if (!l.ok()) return l.status();
      (key == "sources" ? r.sources : r.languages) = std::move(*l);
    } else {
      return ctx.Error(kv.first, line, key,
                       "unknown field (expected id, name, when, severity, cooldown, min_mentions, "
                       "where, per, sources, languages)");
    }
  }
  if (!has_when) return ctx.Error(n, line, "when", "is required");
  YAML::Emitter out;
  out << YAML::Flow << n;
  r.yaml = out.c_str();
  return r;
}

}  // namespace

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

absl::StatusOr<Severity> ParseSeverity(std::string_view s) {
  for (Severity v :
       {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (SeverityName(v) == s) return v;
  }
  return absl::InvalidArgumentError("must be info, low, medium, high or critical");
}

absl::StatusOr<std::vector<Rule>> ParseRulesYaml(std::string_view yaml, const std::string& owner) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(absl::StrCat("line ", e.mark.line + 1, ": ", e.msg));
  }
  std::vector<Rule> out;
  if (!doc.IsMap() || !doc["rules"]) return out;
  const YAML::Node rules = doc["rules"];
  if (!rules.IsSequence()) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", LineOf(rules, 1), ": rules must be a list"));
  }
  std::set<std::string> ids;
  for (const auto& n : rules) {
    auto r = ParseRuleNode(n, LineOf(rules, 1), owner);
    if (!r.ok()) return r.status();
    if (!ids.insert(r->id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", LineOf(n, 1), ": rule '", r->id, "': id: is used twice"));
    }
    out.push_back(std::move(*r));
  }
  return out;
}

absl::StatusOr<std::vector<Rule>> LoadRulesFile(const std::string& path, const std::string& owner) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = ParseRulesYaml(ss.str(), owner);
  if (!r.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", r.status().message()));
  return r;
}

absl::StatusOr<Rule> ParseRuleYaml(std::string_view yaml, const std::string& owner) {
  try {
    return ParseRuleNode(YAML::Load(std::string(yaml)), 1, owner);
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(absl::StrCat("line ", e.mark.line + 1, ": ", e.msg));
  }
}

Rule ImplicitMentionRule(const std::string& entity_id) {
  Rule r;
  r.id = "mention:" + entity_id;
  r.name = "mentions " + entity_id;
  r.when = Expr::Entity(entity_id);
  r.yaml = absl::StrCat("{id: ", r.id, ", when: ", entity_id, "}");
  return r;
}

namespace {
void Collect(const Expr& e, std::vector<std::string>& out) {
  auto add = [&](const std::string& id) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  };
  if (e.op == Expr::Op::kEntity) add(e.entity);
  for (const auto& id : e.near_entities) add(id);
  for (const auto& c : e.children) Collect(c, out);
}
}  // namespace

std::vector<std::string> RuleEntities(const Rule& rule) {
  std::vector<std::string> out;
  Collect(rule.when, out);
  return out;
}

}  // namespace ww::alerting
