#include "libs/delivery/destination.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/runtime/ids.h"
#include "libs/runtime/time_parse.h"
#include "libs/url/url.h"

namespace ww::delivery {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";

int LineOf(const YAML::Node& n, int fallback) {
  return n.Mark().is_null() || n.Mark().line < 0 ? fallback : n.Mark().line + 1;
}

// As alerting's rules: "line N: destination [index] 'id': field: why".
struct Ctx {
  int index = 0;  // 1-based position in the `destinations:` list; 0 for a lone mapping
  std::string id = "?";
  int line = 1;
  absl::Status Error(const YAML::Node& at, absl::string_view field, absl::string_view why) const {
    return absl::InvalidArgumentError(absl::StrCat("line ", LineOf(at, line), ": destination ",
                                                   index > 0 ? absl::StrCat(index, " ") : "", "'",
                                                   id, "': ", field, ": ", why));
  }
};

absl::StatusOr<std::vector<std::string>> StringList(const YAML::Node& n, const Ctx& ctx,
                                                    absl::string_view field) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) return ctx.Error(n, field, "must be a list of strings");
  for (const auto& x : n) {
    if (!x.IsScalar()) return ctx.Error(x, field, "must be a list of strings");
    out.push_back(x.Scalar());
  }
  return out;
}

absl::StatusOr<absl::Duration> Duration(const YAML::Node& v, const Ctx& ctx,
                                        absl::string_view field) {
  absl::StatusOr<absl::Duration> d =
      v.IsScalar() ? runtime::ParseDuration(v.Scalar()) : absl::InvalidArgumentError("");
  if (!d.ok() || *d < absl::ZeroDuration()) {
    return ctx.Error(v, field,
                     absl::StrCat("'", v.IsScalar() ? v.Scalar() : "",
                                  "' is not a duration like "
                                  "30m, 6h or 1d"));
  }
  return *d;
}

// Whether `u` is an absolute URL with one of `schemes` and a host.
bool IsUrl(const std::string& u, std::initializer_list<std::string_view> schemes) {
  auto parsed = url::Url::Parse(u);
  if (!parsed.ok() || parsed->host().empty()) return false;
  const std::string scheme = parsed->scheme();
  for (std::string_view s : schemes) {
    if (scheme == s) return true;
  }
  return false;
}

// A bare address: what goes between < and > in RCPT TO and in a To: header. Whitespace,
// controls and the characters that separate or quote addresses are refused, so an address
// can never add a recipient or a header line.
bool IsMailAddress(std::string_view a) {
  const size_t at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == a.size() ||
      a.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (unsigned char c : a) {
    if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"') {
      return false;
    }
  }
  return true;
}

bool IsEnvName(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

// Rule ids are ids, and the implicit "this entity is mentioned" rules are "mention:<entity>".
bool IsRuleId(std::string_view id) {
  if (id.starts_with("mention:")) id.remove_prefix(std::string_view("mention:").size());
  return runtime::IsValidId(id);
}

absl::StatusOr<DestinationType> ParseType(std::string_view s) {
  for (DestinationType t : {DestinationType::kWebhook, DestinationType::kSlack,
                            DestinationType::kTeams, DestinationType::kEmail}) {
    if (TypeName(t) == s) return t;
  }
  return absl::InvalidArgumentError("must be webhook, slack, teams or email");
}

absl::StatusOr<Destination> ParseDestinationNode(const YAML::Node& n, Ctx ctx,
                                                 std::string_view owner) {
  ctx.line = LineOf(n, ctx.line);
  if (!n.IsMap()) return ctx.Error(n, "destination", "must be a mapping with id and type");
  if (n["id"] && n["id"].IsScalar()) ctx.id = n["id"].Scalar();
  if (!runtime::IsValidId(ctx.id)) {
    return ctx.Error(n["id"] ? n["id"] : n, "id", absl::StrCat("is required: ", runtime::kIdRule));
  }
  Destination d;
  d.id = ctx.id;
  d.owner = std::string(owner);
  d.filter.tenant = d.owner;
  // The type decides which keys are allowed and the default rate, so it is read first.
  const YAML::Node type = n["type"];
  if (!type) return ctx.Error(n, "type", "is required (webhook, slack, teams or email)");
  auto t = ParseType(type.IsScalar() ? type.Scalar() : "");
  if (!t.ok()) return ctx.Error(type, "type", t.status().message());
  d.type = *t;
  d.rate_per_second = d.type == DestinationType::kSlack ? 1 : 10;
  const bool email = d.type == DestinationType::kEmail;
  const bool webhook = d.type == DestinationType::kWebhook;

  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "id" || key == "type") continue;
    // Keys that belong to other types are refused rather than ignored: a `url` on an email
    // destination, or a `secret` on a Slack one, is a mistake the user wants to hear about.
    auto only_for = [&](bool allowed, absl::string_view types) -> absl::Status {
      if (allowed) return absl::OkStatus();
      return ctx.Error(kv.first, key, absl::StrCat("is only for ", types, " destinations"));
    };
    if (key == "url") {
      if (auto s = only_for(!email, "webhook, slack and teams"); !s.ok()) return s;
      if (!v.IsScalar() || !IsUrl(v.Scalar(), {"http", "https"})) {
        return ctx.Error(v, key, "must be an http or https URL with a host");
      }
      d.url = v.Scalar();
    } else if (key == "secret") {
      if (auto s = only_for(webhook, "webhook"); !s.ok()) return s;
      const std::string secret = v.IsScalar() ? v.Scalar() : "";
      std::string key_bytes;
      if (!secret.starts_with(kSecretPrefix) ||
          !absl::Base64Unescape(absl::string_view(secret).substr(kSecretPrefix.size()),
                                &key_bytes) ||
          key_bytes.empty()) {
        return ctx.Error(v, key, "must be \"whsec_\" followed by a base64 key (Standard Webhooks)");
      }
      d.secret = secret;
    } else if (key == "secret_env") {  // webhook: the signing secret; email: SMTP password
      if (auto s = only_for(webhook || email, "webhook and email"); !s.ok()) return s;
      if (!v.IsScalar() || !IsEnvName(v.Scalar())) {
        return ctx.Error(v, key, "must be an environment variable name");
      }
      d.secret_env = v.Scalar();
    } else if (key == "to") {
      if (auto s = only_for(email, "email"); !s.ok()) return s;
      auto l = StringList(v, ctx, key);
      if (!l.ok()) return l.status();
      for (const auto& a : *l) {
        if (!IsMailAddress(a)) {
          return ctx.Error(v, key, absl::StrCat("'", a, "' is not an email address"));
        }
      }
      d.to = std::move(*l);
    } else if (key == "smtp") {
      if (auto s = only_for(email, "email"); !s.ok()) return s;
      if (!v.IsScalar() || !IsUrl(v.Scalar(), {"smtp", "smtps"})) {
        return ctx.Error(v, key, "must be an smtp:// or smtps:// URL with a host");
      }
      d.smtp = v.Scalar();
    } else if (key == "digest") {
      if (auto s = only_for(email, "email"); !s.ok()) return s;
      auto dur = Duration(v, ctx, key);
      if (!dur.ok()) return dur.status();
      d.digest = *dur;
    } else if (key == "entities" || key == "rules") {
      auto l = StringList(v, ctx, key);
      if (!l.ok()) return l.status();
      for (const auto& id : *l) {
        if (key == "entities" ? !runtime::IsValidId(id) : !IsRuleId(id)) {
          return ctx.Error(v, key,
                           absl::StrCat("'", id, "' is not an id (", runtime::kIdRule, ")"));
        }
      }
      (key == "entities" ? d.filter.entities : d.filter.rules).insert(l->begin(), l->end());
    } else if (key == "min_severity") {
      auto s = alerting::ParseSeverity(v.IsScalar() ? v.Scalar() : "");
      if (!s.ok()) return ctx.Error(v, key, s.status().message());
      d.filter.min_severity = *s;
    } else if (key == "updates") {
      try {
        d.updates = v.as<bool>();
      } catch (const YAML::Exception&) {
        return ctx.Error(v, key, "must be true or false");
      }
    } else if (key == "rate_per_second") {
      double rate = 0;
      try {
        rate = v.as<double>();
      } catch (const YAML::Exception&) {
        return ctx.Error(v, key, "must be a number");
      }
      if (!(rate > 0) || !std::isfinite(rate)) return ctx.Error(v, key, "must be more than 0");
      d.rate_per_second = rate;
    } else if (key == "give_up_after") {
      auto dur = Duration(v, ctx, key);
      if (!dur.ok()) return dur.status();
      if (*dur == absl::ZeroDuration()) return ctx.Error(v, key, "must be more than 0");
      d.give_up_after = *dur;
    } else {
      return ctx.Error(kv.first, key,
                       "unknown field (expected id, type, url, secret, secret_env, to, smtp, "
                       "digest, entities, rules, min_severity, updates, rate_per_second, "
                       "give_up_after)");
    }
  }
  if (!email && d.url.empty()) return ctx.Error(n, "url", "is required");
  if (email && d.to.empty()) return ctx.Error(n, "to", "is required (a list of addresses)");
  if (email && d.smtp.empty()) return ctx.Error(n, "smtp", "is required");
  if (!d.secret.empty() && !d.secret_env.empty()) {
    return ctx.Error(n, "secret", "give secret or secret_env, not both");
  }
  YAML::Emitter out;
  out << YAML::Flow << n;
  d.yaml = out.c_str();
  return d;
}

absl::Status ParseError(const YAML::ParserException& e) {
  return absl::InvalidArgumentError(absl::StrCat("line ", e.mark.line + 1, ": ", e.msg));
}

}  // namespace

bool AlertFilter::Admits(const ww::v1::Alert& a) const {
  if (!tenant.empty() && a.owner() != tenant) return false;
  if (!rules.empty() && !rules.count(a.rule_id())) return false;
  if (!entities.empty()) {
    bool any = entities.count(a.entity_id()) > 0;
    for (const auto& e : a.entity_ids()) any = any || entities.count(e);
    if (!any) return false;
  }
  // An alert whose severity cannot be read is shown rather than lost.
  auto sev = alerting::ParseSeverity(a.severity());
  return !sev.ok() || *sev >= min_severity;
}

std::string_view TypeName(DestinationType t) {
  switch (t) {
    case DestinationType::kWebhook:
      return "webhook";
    case DestinationType::kSlack:
      return "slack";
    case DestinationType::kTeams:
      return "teams";
    case DestinationType::kEmail:
      return "email";
  }
  return "webhook";
}

absl::StatusOr<std::vector<Destination>> ParseDestinationsYaml(std::string_view yaml,
                                                               std::string_view owner) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    return ParseError(e);
  }
  std::vector<Destination> out;
  if (!doc.IsMap()) return out;
  // A file of its own may hold one destination; in a watchlist file, where other parsers read
  // other keys, they sit under `destinations:`.
  if (!doc["destinations"]) {
    if (!doc["id"] && !doc["type"]) return out;
    auto d = ParseDestinationNode(doc, Ctx{}, owner);
    if (!d.ok()) return d.status();
    out.push_back(std::move(*d));
    return out;
  }
  const YAML::Node list = doc["destinations"];
  if (list.IsNull()) return out;
  if (!list.IsSequence()) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", LineOf(list, 1), ": destinations must be a list"));
  }
  std::set<std::string> ids;
  int index = 0;
  for (const auto& n : list) {
    auto d = ParseDestinationNode(n, Ctx{++index, "?", LineOf(list, 1)}, owner);
    if (!d.ok()) return d.status();
    if (!ids.insert(d->id).second) {
      return absl::InvalidArgumentError(absl::StrCat("line ", LineOf(n, 1), ": destination ", index,
                                                     " '", d->id, "': id: is used twice"));
    }
    out.push_back(std::move(*d));
  }
  return out;
}

absl::StatusOr<Destination> ParseDestinationYaml(std::string_view one_mapping,
                                                 std::string_view owner) {
  try {
    return ParseDestinationNode(YAML::Load(std::string(one_mapping)), Ctx{}, owner);
  } catch (const YAML::ParserException& e) {
    return ParseError(e);
  }
}

absl::StatusOr<std::string> ResolveSecret(const Destination& d) {
  if (d.secret_env.empty()) return d.secret;
  const char* v = std::getenv(d.secret_env.c_str());
  if (v == nullptr) {
    return absl::NotFoundError(absl::StrCat("destination '", d.id, "': environment variable ",
                                            d.secret_env, " is not set"));
  }
  return std::string(v);
}

std::string SecretHint(const Destination& d) {
  if (d.secret.empty()) return "";
  return absl::StrCat("…", d.secret.substr(d.secret.size() - std::min<size_t>(4, d.secret.size())));
}

bool Wants(const Destination& d, const ww::v1::Alert& a) {
  return d.filter.Admits(a) && (a.version() <= 1 || d.updates);
}

}  // namespace ww::delivery
