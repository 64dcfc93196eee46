#include "libs/alerting/evaluate.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/runtime/ids.h"

namespace ww::alerting {

std::string AlertId(const std::string& rule_id, const std::string& cluster_id, int64_t epoch) {
  if (epoch == 0) return runtime::DeterministicId("al", {rule_id, cluster_id});
  std::string e = absl::StrCat(epoch);
  return runtime::DeterministicId("al", {rule_id, cluster_id, e});
}

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// [start, end) of the lead: the first non-empty paragraph of `text`.
std::pair<uint32_t, uint32_t> Lead(const std::string& text) {
  size_t b = 0;
  while (b < text.size() && IsSpace(text[b])) ++b;
  size_t e = text.find('\n', b);
  return {static_cast<uint32_t>(b),
          static_cast<uint32_t>(e == std::string::npos ? text.size() : e)};
}

// Index of the word that starts at or contains byte `pos` (words split at whitespace).
class WordIndex {
 public:
  explicit WordIndex(const std::string& text) {
    bool in_word = false;
    for (size_t i = 0; i < text.size(); ++i) {
      bool space = IsSpace(text[i]);
      if (!space && !in_word) starts_.push_back(static_cast<uint32_t>(i));
      in_word = !space;
    }
  }
  int At(uint32_t pos) const {
    return static_cast<int>(std::upper_bound(starts_.begin(), starts_.end(), pos) -
                            starts_.begin()) -
           1;
  }

 private:
  std::vector<uint32_t> starts_;
};

struct Evaluator {
  const Rule& rule;
  const TaggedStory& story;
  std::vector<const EntityMention*> usable;  // mentions inside `where`
  WordIndex title_words, text_words;
  std::vector<std::string> matched;  // entities that made the rule hold

  Evaluator(const Rule& r, const TaggedStory& s)
      : rule(r), story(s), title_words(s.title), text_words(s.text) {
    auto lead = Lead(s.text);
    for (const auto& m : s.mentions) {
      bool ok = r.where == Where::kAnywhere || (r.where == Where::kTitle && m.field == "title") ||
                (r.where == Where::kLead && m.field == "text" && m.start >= lead.first &&
                 m.end <= lead.second);
      if (ok) usable.push_back(&m);
    }
  }

  int Count(const std::string& entity) const {
    int n = 0;
    for (const auto* m : usable) n += m->entity_id == entity;
    return n;
  }

  void Matched(const std::string& entity) {
    if (std::find(matched.begin(), matched.end(), entity) == matched.end())
      matched.push_back(entity);
  }

  // Smallest word window, in one field, holding a mention of every entity; -1 if none.
  int NearSpan(const std::vector<std::string>& entities) const {
    int best = -1;
    for (const char* field : {"title", "text"}) {
      const WordIndex& words = std::string(field) == "title" ? title_words : text_words;
      std::vector<std::pair<int, size_t>> pos;  // word, entity index
      for (const auto* m : usable) {
        if (m->field != field) continue;
        auto it = std::find(entities.begin(), entities.end(), m->entity_id);
        if (it != entities.end()) pos.push_back({words.At(m->start), it - entities.begin()});
      }
      std::sort(pos.begin(), pos.end());
      std::vector<int> have(entities.size(), 0);
      size_t covered = 0, lo = 0;
      for (size_t hi = 0; hi < pos.size(); ++hi) {
        if (have[pos[hi].second]++ == 0) ++covered;
        while (covered == entities.size()) {
          int span = pos[hi].first - pos[lo].first;
          if (best < 0 || span < best) best = span;
          if (--have[pos[lo].second] == 0) --covered;
          ++lo;
        }
      }
    }
    return best;
  }

  // Evaluates `e`; appends a human reason to `why`.
  bool Eval(const Expr& e, std::string& why) {
    switch (e.op) {
      case Expr::Op::kEntity: {
        int n = Count(e.entity);
        absl::StrAppend(&why, e.entity, n > 0 ? absl::StrCat(" (", n, ")") : " (absent)");
        if (n > 0) Matched(e.entity);
        return n > 0;
      }
      case Expr::Op::kAll:
      case Expr::Op::kAny: {
        bool all = e.op == Expr::Op::kAll;
        bool result = all;
        std::vector<std::string> parts;
        for (const auto& c : e.children) {
          std::string w;
          bool v = Eval(c, w);
          parts.push_back(w);
          result = all ? result && v : result || v;
        }
        absl::StrAppend(&why, all ? "all of [" : "any of [", absl::StrJoin(parts, ", "), "]");
        return result;
      }
      case Expr::Op::kNot: {
        std::vector<std::string> saved = matched;
        std::string w;
        bool v = Eval(e.children[0], w);
        matched = saved;  // what a `not` names is not a reason for the alert
        absl::StrAppend(&why, "not ", w);
        return !v;
      }
      case Expr::Op::kNear: {
        int span = NearSpan(e.near_entities);
        bool v = span >= 0 && span <= e.near_words;
        absl::StrAppend(&why, "near [", absl::StrJoin(e.near_entities, ", "), "] within ",
                        e.near_words, " words",
                        span < 0 ? " (not all present)" : absl::StrCat(" (closest ", span, ")"));
        if (v) {
          for (const auto& id : e.near_entities) Matched(id);
        }
        return v;
      }
    }
    return false;
  }
};

bool Admits(const std::vector<std::string>& allowed, const std::string& value) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

}  // namespace

RuleResult EvaluateRule(const Rule& rule, const TaggedStory& story) {
  RuleResult r;
  if (!Admits(rule.sources, story.source)) {
    r.why = absl::StrCat("source '", story.source, "' is not in the rule's sources");
    return r;
  }
  if (!Admits(rule.languages, story.language)) {
    r.why = absl::StrCat("language '", story.language, "' is not in the rule's languages");
    return r;
  }
  Evaluator ev(rule, story);
  bool holds = ev.Eval(rule.when, r.why);
  for (const auto* m : ev.usable) {
    if (std::find(ev.matched.begin(), ev.matched.end(), m->entity_id) != ev.matched.end()) {
      r.mentions.push_back(*m);
    }
  }
  if (holds && static_cast<int>(r.mentions.size()) < rule.min_mentions) {
    absl::StrAppend(&r.why, "; only ", r.mentions.size(), " mentions, rule needs ",
                    rule.min_mentions);
    holds = false;
  }
  if (holds && rule.where != Where::kAnywhere) {
    absl::StrAppend(&r.why, rule.where == Where::kTitle ? " in the title" : " in the lead");
  }
  r.fired = holds;
  r.entities = ev.matched;
  if (!holds) r.mentions.clear();
  return r;
}

}  // namespace ww::alerting
