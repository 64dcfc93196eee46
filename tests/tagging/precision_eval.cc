// Precision of a big watchlist on real text (issue 20): the 119,077 distinct GeoNames city
// names of ../shared/data/gazetteers as a watchlist, run over wikigold (145 Wikipedia
// articles with gold PER/LOC/ORG/MISC spans) one article at a time through Matcher::FindAll,
// what the tagger service and `wwctl tag` run. Side by side in one run:
//   before   the matcher without its precision rules (Build(..., {.precision = false}):
//            every alias in any case, as until issue 20)
//   after    the defaults (smart case, ambiguous common words; matcher.h "Precision")
// Columns:
//   matches        every mention found
//   on LOC         share of matches overlapping a gold location (a places desk's precision)
//   exact LOC      share of matches that are exactly a gold location's span
//   on gold        share overlapping any gold entity
//   LOC found      gold locations overlapped by a match
//   LOC exact      gold locations matched exactly (start and end)
// then, for "after", each rule's rejections on and off gold locations, how the accepted
// matches were accepted (and what held a confirmed one back), the gold locations lost at
// their exact span (--lost), and the most frequent matches on no gold location; then, on news
// without gold (Reuters-21578 stories), how many matches each finds, how many in lowercase, and the
// most frequent.
//
//   WW_SOURCE_DIR=$PWD build/bin/precision_eval [--conll=FILE] [--kind=place] [--top=25]
//       [--examples=N] [--false_examples=N] [--lost]
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "libs/tagging/matcher.h"
#include "tests/tagging/conll.h"
#include "tests/tagging/precision.h"
#include "tools/bench/bench_data.h"

ABSL_FLAG(std::string, conll, "", "CoNLL text (default: wikigold from ../shared/data)");
ABSL_FLAG(int, top, 25, "how many of the most frequent false matches to list");
ABSL_FLAG(int, examples, 0, "examples of lost gold locations to print per rule");
ABSL_FLAG(int, false_examples, 0, "accepted matches on no gold location to print, in context");
ABSL_FLAG(bool, lost, false,
          "list the gold locations \"before\" matched exactly and \"after\" does not");
ABSL_FLAG(int, news, 2000, "Reuters-21578 stories to tag as news without gold (0: none)");
ABSL_FLAG(std::string, kind, "place", "the entities' kind: person, place, organisation, other");

namespace {

using ww::tagging::Decision;
using ww::tagging::Matcher;
using ww::tagging::Mention;
using ww::tagging::testing::ConllText;
using ww::tagging::testing::Figures;
using ww::tagging::testing::Gold;
using ww::tagging::testing::GoldSpan;

double Percent(size_t a, size_t b) {
  return b == 0 ? 0 : 100.0 * static_cast<double>(a) / static_cast<double>(b);
}

void PrintRow(const char* name, const Figures& f) {
  std::printf("| %-6s | %7zu | %5.1f%% | %5.1f%% | %5.1f%% | %4zu (%5.1f%%) | %4zu (%5.1f%%) |\n",
              name, f.matches, Percent(f.on_loc, f.matches), Percent(f.exact_loc, f.matches),
              Percent(f.on_gold, f.matches), f.loc_found, Percent(f.loc_found, f.locs), f.loc_exact,
              Percent(f.loc_exact, f.locs));
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::optional<std::string> data = ww::bench::FindDataDir();
  if (!data) {
    std::printf("precision_eval: ../shared/data not found (set WW_DATA_DIR); nothing to do\n");
    return 0;
  }
  std::string conll_path = absl::GetFlag(FLAGS_conll);
  if (conll_path.empty()) conll_path = *data + "/ner/wikigold/wikigold.conll.txt";
  const ConllText conll = ww::tagging::testing::ReadConll(conll_path);
  if (conll.gold.empty()) {
    std::fprintf(stderr, "precision_eval: no gold spans in %s\n", conll_path.c_str());
    return 1;
  }
  Gold gold{conll.gold};
  std::sort(gold.spans.begin(), gold.spans.end(),
            [](const GoldSpan& a, const GoldSpan& b) { return a.start < b.start; });
  auto kind = ww::tagging::ParseEntityKind(absl::GetFlag(FLAGS_kind));
  if (!kind.ok()) {
    std::fprintf(stderr, "precision_eval: %s\n", kind.status().ToString().c_str());
    return 2;
  }
  const std::vector<std::string> cities = ww::bench::LoadCityNames(*data);
  ww::tagging::Watchlist watchlist;
  for (size_t i = 0; i < cities.size(); ++i) {
    watchlist.entities.push_back({"c" + std::to_string(i), cities[i], *kind, {}});
  }
  auto matcher = Matcher::Build(watchlist);
  auto old_matcher = Matcher::Build(watchlist, {.precision = false});
  if (!matcher.ok() || !old_matcher.ok()) {
    std::fprintf(stderr, "precision_eval: %s %s\n", matcher.status().ToString().c_str(),
                 old_matcher.status().ToString().c_str());
    return 1;
  }
  std::printf("watchlist: %zu city names (kind %s), %zu folded aliases\n", cities.size(),
              absl::GetFlag(FLAGS_kind).c_str(), (*matcher)->alias_count());
  std::printf("text: %s: %zu articles, %zu bytes, %zu gold spans\n\n", conll_path.c_str(),
              conll.documents.size(), conll.text.size(), gold.spans.size());
  const Figures was = ww::tagging::testing::Measure(**old_matcher, conll, gold);
  const Figures now = ww::tagging::testing::Measure(
      **matcher, conll, gold, static_cast<size_t>(absl::GetFlag(FLAGS_false_examples)));
  std::printf("|        | matches | on LOC | exact LOC | on gold | LOC found | LOC exact |\n");
  std::printf("| ---    | ---     | ---    | ---   | ---     | ---       | ---       |\n");
  PrintRow("before", was);
  PrintRow("after", now);

  // Each rule's rejections (after), on gold locations that "before" found and elsewhere.
  std::map<std::string, std::pair<int, int>> by_rule;  // verdict -> (lost LOC, other)
  std::map<std::string, std::vector<std::string>> examples;
  // How the accepted matches were accepted: verdict (and what held a confirmed one back)
  // -> (on a gold location, elsewhere).
  std::map<std::string, std::pair<int, int>> by_acceptance;
  ww::tagging::testing::ForEachArticle(conll, [&](std::string_view article, size_t offset) {
    std::vector<Decision> decisions;
    (*matcher)->Explain(article, &decisions);
    for (const Decision& d : decisions) {
      const size_t start = d.span.start + offset, end = d.span.end + offset;
      if (ww::tagging::IsAccepted(d.verdict)) {
        std::string how(ww::tagging::VerdictName(d.verdict));
        if (d.verdict == ww::tagging::Verdict::kConfirmed) {
          how += " (" + std::string(ww::tagging::VerdictName(d.held)) + ")";
        }
        if (d.ambiguous) how += ", ambiguous";
        auto& counts = by_acceptance[how];
        (gold.Overlapping(start, end, "I-LOC") != nullptr ? counts.first : counts.second)++;
        continue;
      }
      const std::string name(ww::tagging::VerdictName(d.verdict));
      const GoldSpan* g = gold.Overlapping(start, end, "I-LOC");
      if (g != nullptr && was.found[gold.Index(g)] && !now.found[gold.Index(g)]) {
        ++by_rule[name].first;
        if (examples[name].size() < static_cast<size_t>(absl::GetFlag(FLAGS_examples))) {
          const size_t from = start > 40 ? start - 40 : 0;
          std::string context = conll.text.substr(from, end + 40 - from);
          std::replace(context.begin(), context.end(), '\n', '|');
          examples[name].push_back(context);
        }
      } else if (g == nullptr) {
        ++by_rule[name].second;
      }
    }
  });
  std::printf("\nrejected by rule: gold locations lost / other candidates dropped\n");
  for (const auto& [name, counts] : by_rule) {
    std::printf("  %-18s %4d / %5d\n", name.c_str(), counts.first, counts.second);
    for (const std::string& e : examples[name]) std::printf("      ...%s...\n", e.c_str());
  }
  if (absl::GetFlag(FLAGS_lost)) {
    std::printf("\ngold locations matched exactly before and not after:\n");
    for (size_t i = 0; i < gold.spans.size(); ++i) {
      if (gold.spans[i].tag != "I-LOC" || !was.found_exact[i] || now.found_exact[i]) continue;
      const GoldSpan& g = gold.spans[i];
      const size_t from = g.start > 50 ? g.start - 50 : 0;
      std::string context = conll.text.substr(from, g.end + 40 - from);
      std::replace(context.begin(), context.end(), '\n', '|');
      std::printf("  [%s] ...%s...\n", conll.text.substr(g.start, g.end - g.start).c_str(),
                  context.c_str());
    }
  }
  std::printf("\naccepted, by how: on a gold location / elsewhere\n");
  for (const auto& [how, counts] : by_acceptance) {
    std::printf("  %-36s %4d / %5d\n", how.c_str(), counts.first, counts.second);
  }
  std::vector<std::pair<int, std::string>> top;
  for (const auto& [text, count] : now.false_matches) top.push_back({-count, text});
  std::sort(top.begin(), top.end());
  std::printf("\nafter: most frequent matches on no gold location:");
  for (size_t i = 0; i < top.size() && i < static_cast<size_t>(absl::GetFlag(FLAGS_top)); ++i) {
    std::printf(" \"%s\" %d", top[i].second.c_str(), -top[i].first);
  }
  std::printf("\n");
  for (const std::string& e : now.false_examples) std::printf("  %s\n", e.c_str());

  // News without gold: Reuters-21578 stories, what a desk would be alerted on.
  const std::vector<std::string> news = ww::bench::LoadReutersBodies(*data);
  const size_t stories = std::min<size_t>(news.size(), absl::GetFlag(FLAGS_news));
  for (const auto* m : {&**old_matcher, &**matcher}) {
    std::map<std::string, int> counts;
    size_t total = 0, lowercase = 0;
    for (size_t i = 0; i < stories; ++i) {
      for (const Mention& x : m->FindAll(news[i])) {
        ++total;
        ++counts[x.text];
        if (!x.text.empty() && x.text[0] >= 'a' && x.text[0] <= 'z') ++lowercase;
      }
    }
    std::vector<std::pair<int, std::string>> top;
    for (const auto& [text, count] : counts) top.push_back({-count, text});
    std::sort(top.begin(), top.end());
    std::printf(
        "\n%s, %zu Reuters stories: %zu matches (%.2f a story), %.0f%% in lowercase; most "
        "frequent:",
        m == &**old_matcher ? "before" : "after", stories, total,
        static_cast<double>(total) / static_cast<double>(std::max<size_t>(1, stories)),
        Percent(lowercase, total));
    for (size_t i = 0; i < top.size() && i < 15; ++i) {
      std::printf(" \"%s\" %d", top[i].second.c_str(), -top[i].first);
    }
    std::printf("\n");
  }
  return 0;
}
