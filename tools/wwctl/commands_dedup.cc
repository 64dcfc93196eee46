// wwctl dedup and wwctl stories: the deduper's decisions run offline on a JSON-lines file,
// one article a line, in file order: copy clusters (libs/dedup StoryClusterer), and copies
// and stories together (libs/stories Decider).
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "libs/dedup/clusterer.h"
#include "libs/runtime/json.h"
#include "libs/stories/decider.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"

namespace ww::wwctl {
namespace {

using Json = nlohmann::ordered_json;

// "published": Unix seconds or milliseconds, or an RFC 3339 string; nullopt otherwise.
std::optional<int64_t> PublishedMs(const google::protobuf::Value& v) {
  if (v.kind_case() == google::protobuf::Value::kNumberValue) {
    const double n = v.number_value();
    return static_cast<int64_t>(n < 1e11 ? n * 1000 : n);
  }
  if (v.kind_case() == google::protobuf::Value::kStringValue) {
    absl::Time t;
    std::string err;
    if (absl::ParseTime(absl::RFC3339_full, v.string_value(), &t, &err))
      return absl::ToUnixMillis(t);
    int64_t n;
    if (absl::SimpleAtoi(v.string_value(), &n)) return n < 100'000'000'000 ? n * 1000 : n;
  }
  return std::nullopt;
}

// Reads a JSON-lines file of articles ({"id","title","text","source","url","published"} a
// line), calling `each` in file order with the article and its time ("published", kept
// non-decreasing; 0 when no line has one). A bad line is reported on stderr and skipped;
// the result is 1 when any was, 0 otherwise; nullopt-like -1 when the file cannot be read.
int ForEachArticle(const std::string& command, const std::string& path,
                   const std::function<void(dedup::ArticleKey, int64_t)>& each) {
  auto content = ReadFile(path);
  if (!content.ok()) {
    std::fprintf(stderr, "wwctl %s: %s\n", command.c_str(),
                 std::string(content.status().message()).c_str());
    return -1;
  }
  std::istringstream lines(*content);
  std::string line;
  int status = 0, n = 0;
  int64_t now = 0;
  while (std::getline(lines, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    google::protobuf::Struct s;
    if (!google::protobuf::util::JsonStringToMessage(line, &s).ok()) {
      std::fprintf(stderr, "wwctl %s: %s:%d: not a JSON object\n", command.c_str(), path.c_str(),
                   n);
      status = 1;
      continue;
    }
    const auto& f = s.fields();
    auto str = [&](const char* k) {
      auto it = f.find(k);
      return it == f.end() ? std::string() : it->second.string_value();
    };
    dedup::ArticleKey k;
    k.id = str("id");
    if (k.id.empty()) {
      std::fprintf(stderr, "wwctl %s: %s:%d: \"id\" is missing\n", command.c_str(), path.c_str(),
                   n);
      status = 1;
      continue;
    }
    k.title = str("title");
    k.text = str("text");
    k.source = str("source");
    k.url = str("url");
    if (auto it = f.find("published"); it != f.end()) {
      if (auto ms = PublishedMs(it->second)) now = std::max(now, *ms);
    }
    each(std::move(k), now);
  }
  return status;
}

// The options both commands share: how copies are found.
absl::Status CopyOptions(const ParsedArgs& a, dedup::ClustererOptions* options) {
  if (!absl::SimpleAtod(a.value("min-containment"), &options->match.min_containment)) {
    return absl::InvalidArgumentError("--min-containment wants a share in (0, 1], e.g. 0.4");
  }
  if (!absl::SimpleAtoi(a.value("boilerplate-stories"), &options->boilerplate.min_stories)) {
    return absl::InvalidArgumentError(
        "--boilerplate-stories wants a whole number of stories (2..255)");
  }
  auto window = ParseDuration(a.value("window"));
  if (!window.ok()) return window.status();
  options->window_ms = absl::ToInt64Milliseconds(*window);
  return absl::OkStatus();
}

int Dedup(const ParsedArgs& a) {
  auto fail = [](const std::string& m, int code) {
    std::fprintf(stderr, "wwctl dedup: %s\n", m.c_str());
    return code;
  };
  dedup::ClustererOptions options;
  if (absl::Status s = CopyOptions(a, &options); !s.ok()) return fail(std::string(s.message()), 2);
  auto clusterer = dedup::StoryClusterer::Create(options);
  if (!clusterer.ok()) return fail(std::string(clusterer.status().message()), 2);
  const Format format = FormatFromFlag(a.value("output"));
  if (a.positional().size() > 1) return fail("one FILE at most", 2);
  const std::string path = a.positional().empty() ? "-" : a.positional()[0];
  const int status = ForEachArticle("dedup", path, [&](dedup::ArticleKey k, int64_t now) {
    const std::string id = k.id;
    dedup::Decision d = clusterer->Assign(std::move(k), now);
    clusterer->Commit();
    const std::string dup = d.redelivery ? "" : d.duplicate_of;
    if (format == Format::kJson) {
      const double similarity = dup.empty() ? 0.0 : std::round(d.similarity * 1000) / 1000;
      std::puts(runtime::ToJsonLine({{"id", id},
                                     {"cluster", d.cluster.id},
                                     {"duplicate_of", dup.empty() ? Json(nullptr) : Json(dup)},
                                     {"similarity", similarity}})
                    .c_str());
    } else {
      std::printf("%s\t%s\t%s%s\n", id.c_str(), d.cluster.id.c_str(),
                  dup.empty() ? "-" : dup.c_str(),
                  dup.empty() ? ""
                              : absl::StrCat("\t(", d.exact ? "exact" : "near ",
                                             d.exact ? "" : absl::StrFormat("%.2f", d.similarity),
                                             ", ", d.cluster.sources.size(), " outlets)")
                                    .c_str());
    }
  });
  return status < 0 ? 1 : status;
}

int Stories(const ParsedArgs& a) {
  auto fail = [](const std::string& m, int code) {
    std::fprintf(stderr, "wwctl stories: %s\n", m.c_str());
    return code;
  };
  stories::DeciderOptions options;
  if (absl::Status s = CopyOptions(a, &options.copies); !s.ok()) {
    return fail(std::string(s.message()), 2);
  }
  options.stories.window_ms = options.copies.window_ms;
  auto quiet = ParseDuration(a.value("quiet"));
  if (!quiet.ok()) return fail(std::string(quiet.status().message()), 2);
  options.stories.quiet_ms = absl::ToInt64Milliseconds(*quiet);
  if (!absl::SimpleAtod(a.value("min-probability"), &options.stories.min_probability)) {
    return fail("--min-probability wants a probability in (0, 1), e.g. 0.27", 2);
  }
  auto decider = stories::Decider::Create(options);
  if (!decider.ok()) return fail(std::string(decider.status().message()), 2);
  const Format format = FormatFromFlag(a.value("output"));
  if (a.positional().size() > 1) return fail("one FILE at most", 2);
  const std::string path = a.positional().empty() ? "-" : a.positional()[0];
  // A warm vocabulary, as a running pipeline has: these articles are decided first, a
  // window earlier (so none of their stories is open), and not printed.
  if (const std::string vocabulary = a.value("vocabulary"); !vocabulary.empty()) {
    int64_t before = -1;
    std::vector<std::pair<dedup::ArticleKey, int64_t>> warm;
    const int status = ForEachArticle("stories", vocabulary, [&](dedup::ArticleKey k, int64_t t) {
      warm.push_back({std::move(k), t});
    });
    if (status < 0) return 1;
    for (auto& [k, t] : warm) {
      (*decider)->Assign(std::move(k), ++before - 2 * options.stories.window_ms);
      (*decider)->Commit();
    }
  }
  const int status = ForEachArticle("stories", path, [&](dedup::ArticleKey k, int64_t now) {
    const std::string id = k.id;
    stories::ArticleDecision d = (*decider)->Assign(std::move(k), now);
    (*decider)->Commit();
    if (d.copy.redelivery) return;
    if (format == Format::kJson) {
      std::puts(
          runtime::ToJsonLine({{"id", id},
                               {"story", d.story.story.id},
                               {"cluster", d.copy.cluster.id},
                               {"probability", std::round(d.story.probability * 1000) / 1000}})
              .c_str());
    } else {
      std::printf("%s\t%s\t%s\t%s\n", id.c_str(), d.story.story.id.c_str(),
                  d.copy.cluster.id.c_str(),
                  !d.copy.duplicate_of.empty() ? "copy"
                  : d.story.joined             ? absl::StrFormat("joined p=%.2f, %u reports",
                                                                 d.story.probability, d.story.story.reports)
                                         .c_str()
                                   : "new story");
    }
  });
  return status < 0 ? 1 : status;
}

}  // namespace

// How copies are found: the options CopyOptions reads, with the deduper's defaults.
std::vector<OptionSpec> CopySpecs(std::vector<OptionSpec> more) {
  std::vector<OptionSpec> specs = {
      {"min-containment", "SHARE",
       "near copy: this share of the smaller text is also in the larger (lower bound)",
       absl::StrFormat("%.2f", dedup::MatchOptions().min_containment)},
      {"boilerplate-stories", "N",
       "a shingle carried by this many stories is boilerplate, not evidence",
       absl::StrCat(dedup::BoilerplateOptions().min_stories)}};
  specs.insert(specs.end(), more.begin(), more.end());
  return specs;
}

void AddDedupCommands(Cli& cli) {
  cli.Add(
      {{"dedup"},
       "Clusters articles into stories offline, as the deduper does (exact and near "
       "copies).",
       "[--min-containment SHARE] [--boilerplate-stories N] [--window DURATION] "
       "[--output json] FILE.jsonl",
       "wwctl dedup --output json articles.jsonl   # one {\"id\",\"title\",\"text\","
       "\"source\",\"published\"} a line",
       CopySpecs({{"window", "DURATION", "how long a story is remembered, by \"published\"", "72h"},
                  {"output", "FORMAT",
                   "text or json ({\"id\",\"cluster\",\"duplicate_of\",\"similarity\"} a line)",
                   "text"}}),
       Dedup});
  cli.Add(
      {{"stories"},
       "Groups articles into stories offline, as the deduper does: copies into reports, "
       "independent reports of one event into one story.",
       "[--vocabulary FILE.jsonl] [--quiet DURATION] [--min-probability P] [--output json] "
       "FILE.jsonl",
       "wwctl stories --output json articles.jsonl   # one {\"id\",\"title\",\"text\","
       "\"source\",\"published\"} a line\n"
       "  wwctl stories --vocabulary last-week.jsonl today.jsonl   # learn the words first",
       CopySpecs(
           {{"vocabulary", "FILE",
             "articles to learn the vocabulary from first (as a running pipeline has); "
             "not printed",
             ""},
            {"quiet", "DURATION",
             "a story with no new report for this long takes no more (by \"published\")", "36h"},
            {"min-probability", "P",
             "a report joins a story when the model gives it at least this probability",
             absl::StrFormat("%.2f", stories::StoryOptions().min_probability)},
            {"window", "DURATION", "how long copies and stories are remembered", "72h"},
            {"output", "FORMAT",
             "text or json ({\"id\",\"story\",\"cluster\",\"probability\"} a line)", "text"}}),
       Stories});
}

}  // namespace ww::wwctl
