#pragma once
// `wwctl watchlist lint`: the aliases of a watchlist that will match more than their entity,
// each with the option that fixes it. Pure; the CLI prints the findings.
#include <string>
#include <string_view>
#include <vector>

#include "libs/tagging/matcher.h"
#include "libs/tagging/watchlist.h"

namespace ww::tagging {

struct LintFinding {
  enum class Kind {
    kCommonWord,  // a common English word: ambiguous, matched only with evidence
    kAnyCase,     // written in lowercase (any case matches) and a common word
    kShared,      // the same alias (after folding) names several entities
    kShort,       // under three letters
    kFrequent,    // matched in a large share of the sample texts
  };
  Kind kind;
  std::string entity_id;
  std::string alias;       // as written
  std::string problem;     // what will happen
  std::string suggestion;  // the YAML that changes it
};

// "common-word", "any-case", "shared", "short", "frequent".
std::string_view LintKindName(LintFinding::Kind kind);

// Findings from the aliases alone (names included), in watchlist order.
std::vector<LintFinding> LintWatchlist(const Watchlist& watchlist);

// Aliases that `matcher` finds in more than `max_share` of
// `samples` (article texts): what a desk would be alerted on, most frequent first.
std::vector<LintFinding> LintFrequency(const Matcher& matcher,
                                       const std::vector<std::string>& samples, double max_share);

}  // namespace ww::tagging
