// wwctl dedup: the deduper's story clustering (libs/dedup StoryClusterer) run offline on a
// JSON-lines file, one article a line, in file order.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "libs/dedup/clusterer.h"
#include "libs/runtime/json.h"
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

int Dedup(const ParsedArgs& a) {
  auto fail = [](const std::string& m, int code) {
    std::fprintf(stderr, "wwctl dedup: %s\n", m.c_str());
    return code;
  };
  dedup::ClustererOptions options;
  if (!absl::SimpleAtod(a.value("min-containment"), &options.match.min_containment)) {
    return fail("--min-containment wants a share in (0, 1], e.g. 0.4", 2);
  }
  if (!absl::SimpleAtoi(a.value("boilerplate-stories"), &options.boilerplate.min_stories)) {
    return fail("--boilerplate-stories wants a whole number of stories (2..255)", 2);
  }
  auto window = ParseDuration(a.value("window"));
  if (!window.ok()) return fail(std::string(window.status().message()), 2);
  options.window_ms = absl::ToInt64Milliseconds(*window);
  auto clusterer = dedup::StoryClusterer::Create(options);
  if (!clusterer.ok()) return fail(std::string(clusterer.status().message()), 2);
  const Format format = FormatFromFlag(a.value("output"));
  if (a.positional().size() > 1) return fail("one FILE at most", 2);
  const std::string path = a.positional().empty() ? "-" : a.positional()[0];
  auto content = ReadFile(path);
  if (!content.ok()) return fail(std::string(content.status().message()), 1);

  std::istringstream lines(*content);
  std::string line;
  int status = 0, n = 0;
  int64_t now = 0;
  while (std::getline(lines, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    google::protobuf::Struct s;
    if (!google::protobuf::util::JsonStringToMessage(line, &s).ok()) {
      fail(absl::StrCat(path, ":", n, ": not a JSON object"), 1);
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
      fail(absl::StrCat(path, ":", n, ": \"id\" is missing"), 1);
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
    dedup::Decision d = clusterer->Assign(k, now);
    clusterer->Commit();
    const std::string dup = d.redelivery ? "" : d.duplicate_of;
    if (format == Format::kJson) {
      const double similarity = dup.empty() ? 0.0 : std::round(d.similarity * 1000) / 1000;
      std::puts(runtime::ToJsonLine({{"id", k.id},
                                     {"cluster", d.cluster.id},
                                     {"duplicate_of", dup.empty() ? Json(nullptr) : Json(dup)},
                                     {"similarity", similarity}})
                    .c_str());
    } else {
      std::printf("%s\t%s\t%s%s\n", k.id.c_str(), d.cluster.id.c_str(),
                  dup.empty() ? "-" : dup.c_str(),
                  dup.empty() ? ""
                              : absl::StrCat("\t(", d.exact ? "exact" : "near ",
                                             d.exact ? "" : absl::StrFormat("%.2f", d.similarity),
                                             ", ", d.cluster.sources.size(), " outlets)")
                                    .c_str());
    }
  }
  return status;
}

}  // namespace

void AddDedupCommands(Cli& cli) {
  cli.Add({{"dedup"},
           "Clusters articles into stories offline, as the deduper does (exact and near "
           "copies).",
           "[--min-containment SHARE] [--boilerplate-stories N] [--window DURATION] "
           "[--output json] FILE.jsonl",
           "wwctl dedup --output json articles.jsonl   # one {\"id\",\"title\",\"text\","
           "\"source\",\"published\"} a line",
           {{"min-containment", "SHARE",
             "near copy: this share of the smaller text is also in the larger (lower bound)",
             absl::StrFormat("%.2f", dedup::MatchOptions().min_containment)},
            {"boilerplate-stories", "N",
             "a shingle carried by this many stories is boilerplate, not evidence",
             absl::StrCat(dedup::BoilerplateOptions().min_stories)},
            {"window", "DURATION", "how long a story is remembered, by \"published\"", "72h"},
            {"output", "FORMAT",
             "text or json ({\"id\",\"cluster\",\"duplicate_of\",\"similarity\"} a line)", "text"}},
           Dedup});
}

}  // namespace ww::wwctl
