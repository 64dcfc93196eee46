// wwctl dedup and wwctl stories: the deduper's decisions run offline on a JSON-lines file,
// one article a line, in file order: copy clusters (libs/dedup StoryClusterer), and copies
// and stories together (libs/stories Decider).
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "libs/dedup/clusterer.h"
#include "libs/runtime/json.h"
#include "libs/stories/decider.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"
#include "ww/v1/records.pb.h"

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
  dedup::ClustererOptions options;
  if (absl::Status s = CopyOptions(a, &options); !s.ok())
    return Fail("dedup", std::string(s.message()), 2);
  auto clusterer = dedup::StoryClusterer::Create(options);
  if (!clusterer.ok()) return Fail("dedup", std::string(clusterer.status().message()), 2);
  const Format format = FormatFromFlag(a.value("output"));
  if (a.positional().size() > 1) return Fail("dedup", "one FILE at most", 2);
  const std::string path = a.positional().empty() ? "-" : a.positional()[0];
  const int status = ForEachArticle("dedup", path, [&](const dedup::ArticleKey& k, int64_t now) {
    const std::string id = k.id;
    dedup::Decision d = clusterer->Assign(k, now);
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
  stories::DeciderOptions options;
  if (absl::Status s = CopyOptions(a, &options.copies); !s.ok()) {
    return Fail("stories", std::string(s.message()), 2);
  }
  options.stories.window_ms = options.copies.window_ms;
  auto quiet = ParseDuration(a.value("quiet"));
  if (!quiet.ok()) return Fail("stories", std::string(quiet.status().message()), 2);
  options.stories.quiet_ms = absl::ToInt64Milliseconds(*quiet);
  if (!absl::SimpleAtod(a.value("min-probability"), &options.stories.min_probability)) {
    return Fail("stories", "--min-probability wants a probability in (0, 1), e.g. 0.27", 2);
  }
  auto decider = stories::Decider::Create(options);
  if (!decider.ok()) return Fail("stories", std::string(decider.status().message()), 2);
  const Format format = FormatFromFlag(a.value("output"));
  if (a.positional().size() > 1) return Fail("stories", "one FILE at most", 2);
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
      (*decider)->Assign(k, ++before - 2 * options.stories.window_ms);
      (*decider)->Commit();
    }
  }
  const int status = ForEachArticle("stories", path, [&](const dedup::ArticleKey& k, int64_t now) {
    const std::string id = k.id;
    stories::ArticleDecision d = (*decider)->Assign(k, now);
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

// wwctl stories list: the live stories, from the deduper's output topics. Every article
// record carries its story as it stood once the article joined it, so the latest record of
// a story (most articles) has its fullest picture.
int StoriesList(const ParsedArgs& a) {
  auto since = ParseTimeArg(a.value("since"));
  if (!since.ok())
    return Fail("stories list", absl::StrCat("--since: ", since.status().message()), 2);
  int64_t limit = 0;
  if (!absl::SimpleAtoi(a.value("limit"), &limit) || limit < 0) {
    return Fail("stories list", "--limit must be a whole number (0: all)", 2);
  }
  const std::string prefix = a.value("topic-prefix");
  std::map<std::string, ww::v1::Article> latest;  // by story id
  for (const std::string& topic : {prefix + "articles.unique", prefix + "articles.duplicates"}) {
    absl::Status s = ReadRange(
        KafkaClient(a), topic, *since, 0,
        [&](const kafka::Record& r) {
          ww::v1::Article art;
          if (r.tombstone || !art.ParseFromString(r.value) || art.story_id().empty()) return;
          auto [it, added] = latest.try_emplace(art.story_id(), art);
          if (!added && art.story_articles() > it->second.story_articles()) it->second = art;
        },
        false);
    if (!s.ok()) return FailStatus("stories list", s, a.value("bootstrap-servers"));
  }
  std::vector<const ww::v1::Article*> stories;
  for (const auto& [id, art] : latest) stories.push_back(&art);
  std::sort(stories.begin(), stories.end(), [](const auto* x, const auto* y) {
    return x->story_articles() != y->story_articles() ? x->story_articles() > y->story_articles()
                                                      : x->story_id() < y->story_id();
  });
  if (limit > 0 && stories.size() > static_cast<size_t>(limit)) stories.resize(limit);
  const Format format = FormatFromFlag(a.value("output"));
  auto when = [](int64_t ms) {
    return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixMillis(ms), absl::LocalTimeZone());
  };
  if (format == Format::kText) {
    std::printf("%-8s %-7s %-7s %-16s %-16s %s\n", "ARTICLES", "REPORTS", "OUTLETS", "FIRST SEEN",
                "LAST SEEN", "HEADLINE");
  }
  for (const ww::v1::Article* s : stories) {
    std::vector<std::string> outlets(s->story_sources().begin(), s->story_sources().end());
    const uint32_t count = std::max<uint32_t>(s->story_source_count(), outlets.size());
    if (format == Format::kJson) {
      std::puts(runtime::ToJsonLine({{"story", s->story_id()},
                                     {"headline", s->story_headline()},
                                     {"articles", s->story_articles()},
                                     {"reports", s->story_reports()},
                                     {"outlet_count", count},
                                     {"outlets", outlets},
                                     {"first_seen", Rfc3339(s->story_first_seen_unix_ms())},
                                     {"last_seen", Rfc3339(s->story_last_seen_unix_ms())},
                                     {"latest_url", s->url()}})
                    .c_str());
    } else {
      std::printf("%-8u %-7u %-7u %-16s %-16s %s\n", s->story_articles(), s->story_reports(), count,
                  when(s->story_first_seen_unix_ms()).c_str(),
                  when(s->story_last_seen_unix_ms()).c_str(), s->story_headline().c_str());
      if (!outlets.empty()) {
        if (outlets.size() > 8) {
          outlets.resize(8);
          outlets.push_back("...");
        }
        std::printf("%52s%s\n", "", absl::StrJoin(outlets, ", ").c_str());
      }
    }
  }
  if (format == Format::kText && stories.empty()) {
    std::fprintf(stderr, "no story seen since %s\n", a.value("since").c_str());
  }
  return 0;
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
  cli.Add({{"stories", "list"},
           "Lists the live stories of the running pipeline, most articles first: headline, "
           "independent reports, outlets, first and last seen.",
           "[--since T] [--limit N] [--output json]",
           "wwctl stories list --since 6h\n  wwctl stories list --since 1d --limit 5 --output json",
           {{"since", "T", "stories with an article since (a duration ago, or a time)", "6h"},
            {"limit", "N", "the N largest (0: all)", "20"},
            {"output", "FORMAT",
             "text or json ({\"story\",\"headline\",\"articles\",\"reports\",\"outlets\",...} a "
             "line)",
             "text"}},
           StoriesList});
}

}  // namespace ww::wwctl
