#pragma once
// Precision of a watchlist against gold entity spans (issue 20): the figures that
// precision_eval prints and precision_quality_test asserts. Header-only.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libs/tagging/matcher.h"
#include "tests/tagging/conll.h"

namespace ww::tagging::testing {

struct Gold {
  std::vector<GoldSpan> spans;  // sorted by start; they never overlap

  // The gold span with `tag` (any tag if null) overlapping [start, end), or null.
  const GoldSpan* Overlapping(size_t start, size_t end, const char* tag) const {
    auto it = std::lower_bound(spans.begin(), spans.end(), end,
                               [](const GoldSpan& g, size_t e) { return g.start < e; });
    while (it != spans.begin()) {
      --it;
      if (it->end <= start) break;
      if (tag == nullptr || it->tag == tag) return &*it;
    }
    return nullptr;
  }
  size_t Index(const GoldSpan* g) const { return static_cast<size_t>(g - spans.data()); }
};

struct Figures {
  size_t matches = 0, on_loc = 0, exact_loc = 0, on_gold = 0, locs = 0, loc_found = 0,
         loc_exact = 0;
  std::vector<char> found, found_exact;  // by gold index
  std::map<std::string, int> false_matches;
  std::vector<std::string> false_examples;
};

// Every article of `conll` through `matcher`, one at a time.
template <typename F>
inline void ForEachArticle(const ConllText& conll, F&& f) {
  for (size_t d = 0; d < conll.documents.size(); ++d) {
    const size_t from = conll.documents[d];
    const size_t to = d + 1 < conll.documents.size() ? conll.documents[d + 1] : conll.text.size();
    f(std::string_view(conll.text).substr(from, to - from), from);
  }
}

// Every article through `matcher`; up to `examples` matches on no gold location kept, in
// context, with the tag of what they fall on.
inline Figures Measure(const Matcher& matcher, const ConllText& conll, const Gold& gold,
                       size_t examples = 0) {
  Figures f;
  f.found.assign(gold.spans.size(), 0);
  f.found_exact.assign(gold.spans.size(), 0);
  ForEachArticle(conll, [&](std::string_view article, size_t offset) {
    for (const Mention& m : matcher.FindAll(article)) {
      const size_t start = m.start + offset, end = m.end + offset;
      ++f.matches;
      if (const GoldSpan* g = gold.Overlapping(start, end, "I-LOC")) {
        ++f.on_loc;
        f.found[gold.Index(g)] = 1;
        if (g->start == start && g->end == end) {
          ++f.exact_loc;
          f.found_exact[gold.Index(g)] = 1;
        }
      } else {
        ++f.false_matches[m.text];
        if (f.false_examples.size() < examples) {
          const GoldSpan* g = gold.Overlapping(start, end, nullptr);
          const size_t from = start > 40 ? start - 40 : 0;
          std::string context = conll.text.substr(from, end + 30 - from);
          std::replace(context.begin(), context.end(), '\n', '|');
          f.false_examples.push_back((g ? g->tag : std::string("O")) + " [" + m.text + "] ..." +
                                     context + "...");
        }
      }
      if (gold.Overlapping(start, end, nullptr) != nullptr) ++f.on_gold;
    }
  });
  for (size_t i = 0; i < gold.spans.size(); ++i) {
    if (gold.spans[i].tag != "I-LOC") continue;
    ++f.locs;
    f.loc_found += f.found[i];
    f.loc_exact += f.found_exact[i];
  }
  return f;
}

}  // namespace ww::tagging::testing
