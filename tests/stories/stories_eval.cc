// Story quality on ECB+: every document has its topic and subtopic (the event); the two
// subtopics of a topic are two similar but different events (two rehab check-ins, two
// earthquakes). Documents arrive one by one, in a seeded random order, through the
// deduper's decider (copies, then stories); the stories are scored against the subtopics
// with B-cubed precision, recall and F1 (Bagga and Baldwin 1998).
//
// By default the vocabulary is warm, as a running pipeline's is: Reuters-21578 stories
// (a week older, so never joinable) go first. --cold starts from nothing.
//
//   WW_SOURCE_DIR=$PWD build/bin/stories_eval [--seeds=1,2,3] [--cold]
//       [--ecbplus=PATH.jsonl] [--min_probability=0.27]
//
// --fit fits the model's weights (libs/stories/story_index.h StoryModel): every report of
// a training order is filed under its gold story, and the evidence against each story the
// index weighed is a sample (same story or not) for a logistic regression (Newton's method,
// a little L2). It fits on odd topics and scores even ones, then the reverse (how well the
// weights carry to events they never saw), then fits on all and prints the weights.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/stories/decider.h"
#include "tests/dedup/quality.h"
#include "tests/stories/bcubed.h"

ABSL_FLAG(std::string, seeds, "1,2,3,4,5", "orders of arrival to average over");
ABSL_FLAG(bool, cold, false, "no warm-up: the vocabulary starts empty");
ABSL_FLAG(std::string, ecbplus, "",
          "ECB+ documents as JSON lines (doc_id, subtopic, sentences); default: topics 1-22 "
          "of ../shared/data");
ABSL_FLAG(int, warmup, 5000, "Reuters stories read before the ECB+ documents");
ABSL_FLAG(std::string, topics, "all", "score only these topics: all, odd or even");
ABSL_FLAG(int, evidence, ww::stories::kEvidence,
          "--fit: use the first N pieces of evidence only (the rest weigh 0)");
ABSL_FLAG(bool, fit, false, "fit the model's weights (see above) instead of scoring it");
ABSL_FLAG(double, min_probability, ww::stories::StoryOptions().min_probability,
          "join a story at this probability or more");

namespace {

using ww::dedup::quality::Doc;
using ww::stories::kEvidence;
using ww::stories::StoryModel;

constexpr int64_t kT0 = int64_t{1'700'000'000'000};
constexpr int64_t kWeek = int64_t{7} * 24 * 3600 * 1000;

int TopicOf(const Doc& d) { return std::atoi(d.topic.c_str() + 3); }  // "ecb12" -> 12

struct Mean {
  double precision = 0, recall = 0, f1 = 0;
  double copies_f1 = 0;  // the stories copies alone make (each report its own story)
};

// Decides the docs in seeded orders (after the warm-up) and scores the stories, printing a
// line per seed when `verbose`.
Mean Evaluate(const std::vector<Doc>& ecb, const std::vector<Doc>& warm,
              const std::vector<uint64_t>& seeds, ww::stories::StoryOptions stories, bool verbose) {
  Mean m;
  for (uint64_t seed : seeds) {
    ww::stories::DeciderOptions options;
    options.stories = stories;
    auto decider = *ww::stories::Decider::Create(options);
    int64_t t = kT0 - kWeek;
    for (const auto& d : warm) {
      decider->Assign({d.id, d.source, "", d.title, d.text, ""}, t += 1000);
      decider->Commit();
    }
    std::vector<Doc> docs = ecb;
    std::mt19937_64 rng(seed);
    std::shuffle(docs.begin(), docs.end(), rng);
    std::vector<std::string> gold, got, clusters;
    std::set<std::string> reports;
    t = kT0;
    for (const auto& d : docs) {
      ww::stories::ArticleDecision a =
          decider->Assign({d.id, d.source, "", d.title, d.text, ""}, t += 1000);
      decider->Commit();
      gold.push_back(d.subtopic);
      got.push_back(a.story.story.id);
      clusters.push_back(a.copy.cluster.id);
      reports.insert(a.copy.cluster.id);
    }
    const ww::stories::eval::BCubed b = ww::stories::eval::Score(gold, got);
    const ww::stories::eval::BCubed c = ww::stories::eval::Score(gold, clusters);
    if (verbose) {
      std::printf("%-6lu %9.4f %9.4f %9.4f %8zu %8zu %12.4f\n", static_cast<unsigned long>(seed),
                  b.precision, b.recall, b.f1(),
                  std::set<std::string>(got.begin(), got.end()).size(), reports.size(), c.f1());
    }
    m.copies_f1 += c.f1() / static_cast<double>(seeds.size());
    m.precision += b.precision / static_cast<double>(seeds.size());
    m.recall += b.recall / static_cast<double>(seeds.size());
    m.f1 += b.f1() / static_cast<double>(seeds.size());
  }
  return m;
}

struct Sample {
  std::array<double, kEvidence> x;
  bool same;
};

// Every report filed under its gold story; each story the index weighed gives a sample.
std::vector<Sample> Samples(const std::vector<Doc>& ecb, const std::vector<Doc>& warm,
                            uint64_t seed) {
  auto index = *ww::stories::StoryIndex::Create({});
  int64_t t = kT0 - kWeek;
  for (const auto& d : warm) index.AddReport(d.id, d.source, d.title, d.text, t += 1000);
  index.Commit();
  std::vector<Doc> docs = ecb;
  std::mt19937_64 rng(seed);
  std::shuffle(docs.begin(), docs.end(), rng);
  std::map<std::string, std::string> story_of_event;
  std::vector<Sample> out;
  t = kT0;
  for (const auto& d : docs) {
    auto [it, first] = story_of_event.try_emplace(d.subtopic, d.id);
    for (const auto& [story, e] :
         index.AddReportTo(it->second, d.id, d.source, d.title, d.text, t += 1000)) {
      out.push_back({e.x, story == it->second});
    }
    index.Commit();
  }
  return out;
}

// Logistic regression by Newton's method with an L2 penalty on the weights (not the bias).
StoryModel Fit(const std::vector<Sample>& samples) {
  constexpr size_t n = kEvidence + 1;  // weights, then the bias
  std::array<double, n> w{};
  for (int iter = 0; iter < 30; ++iter) {
    std::array<double, n> grad{};
    std::array<std::array<double, n>, n> hess{};
    for (const Sample& s : samples) {
      std::array<double, n> x;
      std::copy(s.x.begin(), s.x.end(), x.begin());
      x[n - 1] = 1;
      double z = 0;
      for (size_t i = 0; i < n; ++i) z += w[i] * x[i];
      const double p = 1 / (1 + std::exp(-z));
      for (size_t i = 0; i < n; ++i) {
        grad[i] += (p - (s.same ? 1 : 0)) * x[i];
        for (size_t j = 0; j < n; ++j) hess[i][j] += p * (1 - p) * x[i] * x[j];
      }
    }
    for (size_t i = 0; i + 1 < n; ++i) {
      grad[i] += 0.1 * w[i];
      hess[i][i] += 0.1;
    }
    hess[n - 1][n - 1] += 1e-9;
    // Solve hess * step = grad (Gaussian elimination with partial pivoting).
    std::array<double, n> step = grad;
    for (size_t c = 0; c < n; ++c) {
      size_t piv = c;
      for (size_t r = c + 1; r < n; ++r) {
        if (std::abs(hess[r][c]) > std::abs(hess[piv][c])) piv = r;
      }
      std::swap(hess[c], hess[piv]);
      std::swap(step[c], step[piv]);
      for (size_t r = 0; r < n; ++r) {
        if (r == c || hess[c][c] == 0) continue;
        const double f = hess[r][c] / hess[c][c];
        for (size_t k = c; k < n; ++k) hess[r][k] -= f * hess[c][k];
        step[r] -= f * step[c];
      }
    }
    for (size_t i = 0; i < n; ++i) w[i] -= hess[i][i] == 0 ? 0 : step[i] / hess[i][i];
  }
  StoryModel m;
  std::copy(w.begin(), w.begin() + kEvidence, m.weights.begin());
  m.bias = w[n - 1];
  return m;
}

std::string ModelText(const StoryModel& m) {
  std::string s = "weights = {";
  for (size_t i = 0; i < kEvidence; ++i)
    absl::StrAppendFormat(&s, "%s%.2f", i ? ", " : "", m.weights[i]);
  absl::StrAppendFormat(&s, "}, bias = %.2f", m.bias);
  return s;
}

std::vector<Doc> Topics(const std::vector<Doc>& docs, int parity) {
  std::vector<Doc> out;
  for (const auto& d : docs) {
    if (parity < 0 || TopicOf(d) % 2 == parity) out.push_back(d);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using namespace ww;
  const std::string data = dedup::quality::SharedDataDir();
  if (data.empty()) {
    std::fprintf(stderr, "stories_eval: ../shared/data is absent (set WW_SOURCE_DIR)\n");
    return 2;
  }
  auto ecb = absl::GetFlag(FLAGS_ecbplus).empty()
                 ? dedup::quality::LoadEcbPlus(data)
                 : dedup::quality::LoadEcbPlusFile(absl::GetFlag(FLAGS_ecbplus));
  if (!ecb.ok()) {
    std::fprintf(stderr, "stories_eval: %s\n", std::string(ecb.status().message()).c_str());
    return 1;
  }
  std::vector<Doc> warm;
  if (!absl::GetFlag(FLAGS_cold)) {
    auto reuters = dedup::quality::LoadReuters(data, 5);
    if (!reuters.ok()) {
      std::fprintf(stderr, "stories_eval: %s\n", std::string(reuters.status().message()).c_str());
      return 1;
    }
    warm.assign(reuters->begin(),
                reuters->begin() + std::min<size_t>(reuters->size(), absl::GetFlag(FLAGS_warmup)));
  }
  std::vector<uint64_t> seeds;
  for (absl::string_view s : absl::StrSplit(absl::GetFlag(FLAGS_seeds), ',')) {
    uint64_t seed;
    if (absl::SimpleAtoi(s, &seed)) seeds.push_back(seed);
  }
  std::set<std::string> events;
  for (const auto& d : *ecb) events.insert(d.subtopic);
  std::printf("%zu ECB+ documents, %zu events; warm-up: %zu Reuters stories\n", ecb->size(),
              events.size(), warm.size());
  stories::StoryOptions options;
  options.min_probability = absl::GetFlag(FLAGS_min_probability);

  if (absl::GetFlag(FLAGS_fit)) {
    auto fit = [&](const std::vector<Doc>& docs) {
      std::vector<Sample> samples;
      for (uint64_t seed : {101, 102, 103, 104}) {
        auto s = Samples(docs, warm, seed);
        for (Sample& x : s) {
          for (size_t i = absl::GetFlag(FLAGS_evidence); i < kEvidence; ++i) x.x[i] = 0;
        }
        samples.insert(samples.end(), s.begin(), s.end());
      }
      return Fit(samples);
    };
    for (int train : {1, 0}) {
      stories::StoryOptions o = options;
      o.model = fit(Topics(*ecb, train));
      const Mean m = Evaluate(Topics(*ecb, 1 - train), warm, seeds, o, false);
      std::printf(
          "fit on %s topics, scored on the others: precision %.4f recall %.4f F1 %.4f\n"
          "  %s\n",
          train ? "odd" : "even", m.precision, m.recall, m.f1, ModelText(o.model).c_str());
    }
    const StoryModel all = fit(*ecb);
    std::printf("fit on all topics: %s\n", ModelText(all).c_str());
    return 0;
  }

  std::printf("%-6s %9s %9s %9s %8s %8s %12s\n", "order", "precision", "recall", "F1", "stories",
              "reports", "copies-F1");
  const std::string topics = absl::GetFlag(FLAGS_topics);
  const Mean m = Evaluate(Topics(*ecb, topics == "odd"    ? 1
                                       : topics == "even" ? 0
                                                          : -1),
                          warm, seeds, options, true);
  std::printf("%-6s %9.4f %9.4f %9.4f %17s %12.4f\n", "mean", m.precision, m.recall, m.f1, "",
              m.copies_f1);
  return 0;
}
