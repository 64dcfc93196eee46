#pragma once
// Alert rules: what a desk wants to be told about, and the YAML they are written in.
//
//   rules:
//     - id: kim-putin-summit
//       name: Kim meets Putin
//       when: {all: [kim-jong-un, vladimir-putin]}   # all / any / not / near, nested freely
//       severity: high                                # info | low | medium | high | critical
//       cooldown: 6h
//     - id: vladivostok-without-dprk
//       when: {all: [vladivostok], not: {any: [north-korea]}}
//     - id: kim-near-train
//       when: {near: {entities: [kim-jong-un, vladivostok], words: 30}}
//       min_mentions: 2
//       where: title          # title | lead | anywhere (default)
//       sources: [yonhap]     # only articles from these sources
//       languages: [en]       # only articles in these languages
//       per: story            # story (default): one alert per event, updated as more
//                             # outlets and independent reports carry it; copy: one alert
//                             # per copy cluster (one wire story and its reprints)
//
// A `when` mapping with several keys means all of them. A list item is an entity id or a
// nested expression. Rules sit in the watchlist file under `rules:` or in a file of their
// own; an invalid rule is refused with the line and the field that is wrong.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ww::alerting {

struct Expr {
  enum class Op { kEntity, kAll, kAny, kNot, kNear };
  Op op = Op::kEntity;
  std::string entity;                      // kEntity
  std::vector<Expr> children;              // kAll, kAny, kNot (one child)
  std::vector<std::string> near_entities;  // kNear: all of these within near_words words
  int near_words = 0;

  static Expr Entity(std::string id) { return {Op::kEntity, std::move(id), {}, {}, 0}; }
};

enum class Where { kAnywhere, kTitle, kLead };
// What one alert is about: a story (independent reports of one event, libs/stories) or a
// copy cluster (one wire story and its reprints, libs/dedup).
enum class Per { kStory, kCopy };
enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };

std::string_view SeverityName(Severity s);
absl::StatusOr<Severity> ParseSeverity(std::string_view s);

struct Rule {
  std::string id;
  std::string owner = "default";  // tenant
  std::string name;
  Expr when;
  std::vector<std::string> sources;    // empty: any
  std::vector<std::string> languages;  // empty: any
  Where where = Where::kAnywhere;
  int min_mentions = 1;
  Severity severity = Severity::kInfo;
  absl::Duration cooldown = absl::Hours(6);
  Per per = Per::kStory;
  std::string yaml;  // the rule as written (one mapping), for storage and display
};

// Parses the `rules:` list of a YAML document (other top-level keys, such as `entities`,
// are left to their own parsers). Every rule gets `owner`. InvalidArgument with
// "line N: rule 'id': <field>: <reason>" for the first problem found.
absl::StatusOr<std::vector<Rule>> ParseRulesYaml(std::string_view yaml,
                                                 const std::string& owner = "default");
absl::StatusOr<std::vector<Rule>> LoadRulesFile(const std::string& path,
                                                const std::string& owner = "default");
// Parses one rule written as a YAML mapping (as stored on the rules topic).
absl::StatusOr<Rule> ParseRuleYaml(std::string_view yaml, const std::string& owner);

// The rule Wirewatch applies to every watched entity when no rule names it: "this entity
// is mentioned" (id "mention:<entity>").
Rule ImplicitMentionRule(const std::string& entity_id);

// Entity ids a rule refers to, in order of first appearance.
std::vector<std::string> RuleEntities(const Rule& rule);

}  // namespace ww::alerting
