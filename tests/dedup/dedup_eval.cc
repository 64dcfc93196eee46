// dedup_eval: how well copies of a story become one cluster, on real news reprinted the ways
// outlets reprint it (quality.h), for BENCHMARKS.md and libs/dedup/README.md. Prints, for
// the design in libs/dedup and the one it replaced (legacy_simhash.h), on the same set in
// the same run: pairwise precision and recall, false merges between different events of one
// ECB+ topic (hard negatives) and between different articles of one event, and recall by
// kind of copy. Built, not run by ctest (dedup_quality_test asserts the targets).
//
//   WW_SOURCE_DIR=/work/main dedup_eval [--seed=N] [--reuters=N] [--mixed=N]
//       [--write=SET.jsonl] [--wwctl=build/bin/wwctl] [--min_containment=X] [--min_lead=X]
//       [--z=X] [--boilerplate_stories=N]
// --write saves the set as `wwctl dedup` reads it; --wwctl also scores what that binary
// prints for the set (the path a user runs), which must agree with the in-process run.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/dedup/clusterer.h"
#include "tests/dedup/legacy_simhash.h"
#include "tests/dedup/quality.h"

using namespace ww::dedup;
using namespace ww::dedup::quality;

namespace {

std::map<std::string, std::string> Args(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (!absl::StartsWith(a, "--")) continue;
    const size_t eq = a.find('=');
    args[a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2)] =
        eq == std::string::npos ? "1" : a.substr(eq + 1);
  }
  return args;
}

std::vector<std::string> NewDesign(const std::vector<Doc>& docs, const ClustererOptions& o) {
  auto clusterer = StoryClusterer::Create(o);
  if (!clusterer.ok()) {
    std::fprintf(stderr, "%s\n", clusterer.status().ToString().c_str());
    std::exit(2);
  }
  std::vector<std::string> cluster;
  for (const Doc& d : docs) {
    ArticleKey k;
    k.id = d.id;
    k.title = d.title;
    k.text = d.text;
    k.source = d.source;
    cluster.push_back(clusterer->Assign(k, 0).cluster.id);
    clusterer->Commit();
  }
  return cluster;
}

std::vector<std::string> OldDesign(const std::vector<Doc>& docs) {
  std::vector<legacy::LegacyArticle> articles;
  for (const Doc& d : docs) articles.push_back({d.id, "", d.text});
  return legacy::LegacyClusters(articles);
}

// What `wwctl dedup --output json SET` prints: {"id","cluster",...} a line.
void Print(const char* name, const Scores& s, double seconds) {
  std::printf(
      "%-26s precision %.4f recall %.4f  (tp %lld fp %lld fn %lld; false merges: hard "
      "negatives %lld, same event %lld)  %.1f s\n",
      name, s.all.precision(), s.all.recall(), (long long)s.all.tp, (long long)s.all.fp,
      (long long)s.all.fn, (long long)s.all.fp_hard, (long long)s.all.fp_same_event, seconds);
}

}  // namespace

int main(int argc, char** argv) {
  auto args = Args(argc, argv);
  const std::string dir = SharedDataDir();
  if (dir.empty()) {
    std::fprintf(stderr, "dedup_eval: no ../shared/data beside $WW_SOURCE_DIR\n");
    return 2;
  }
  SetOptions so;
  if (args.count("seed")) so.seed = std::stoull(args["seed"]);
  if (args.count("reuters")) so.reuters_stories = std::stoul(args["reuters"]);
  if (args.count("mixed")) so.mixed = std::stoi(args["mixed"]);
  auto docs = BuildSyndicationSet(dir, so);
  if (!docs.ok()) return std::fprintf(stderr, "%s\n", docs.status().ToString().c_str()), 2;
  size_t originals = 0;
  for (const Doc& d : *docs) originals += d.kind == "original";
  std::printf(
      "set (seed %llu): %zu base stories (ECB+ topics 1-22 and Reuters-21578), %zu "
      "articles in all\n",
      (unsigned long long)so.seed, originals, docs->size());

  ClustererOptions o;
  if (args.count("min_containment")) o.match.min_containment = std::stod(args["min_containment"]);
  if (args.count("min_lead")) o.match.min_lead = std::stod(args["min_lead"]);
  if (args.count("z")) o.match.confidence_z = std::stod(args["z"]);
  if (args.count("boilerplate_stories"))
    o.boilerplate.min_stories = std::stoi(args["boilerplate_stories"]);

  absl::Time t0 = absl::Now();
  const Scores fresh = Score(*docs, NewDesign(*docs, o));
  const double fresh_s = absl::ToDoubleSeconds(absl::Now() - t0);
  t0 = absl::Now();
  const Scores old = Score(*docs, OldDesign(*docs));
  const double old_s = absl::ToDoubleSeconds(absl::Now() - t0);
  Print("SimHash lead (before)", old, old_s);
  Print("shared shingles (after)", fresh, fresh_s);

  if (args.count("write") || args.count("wwctl")) {
    const std::string set = args.count("write") ? args["write"] : "/tmp/dedup_eval_set.jsonl";
    if (args.count("wwctl")) {
      t0 = absl::Now();
      auto clusters = ClusterWithWwctl(args["wwctl"], set, *docs);
      if (!clusters.ok())
        return std::fprintf(stderr, "%s\n", clusters.status().ToString().c_str()), 1;
      Print("wwctl dedup (after)", Score(*docs, *clusters),
            absl::ToDoubleSeconds(absl::Now() - t0));
    } else {
      std::ofstream(set) << ToJsonLines(*docs);
    }
    std::printf("set written to %s\n", set.c_str());
  }

  std::printf("\n%-12s %8s %8s\n", "recall of", "before", "after");
  for (const auto& [kind, r] : fresh.recall_by_kind) {
    std::printf("%-12s %8.4f %8.4f\n", kind.c_str(), old.recall_by_kind.at(kind), r);
  }
  return 0;
}
