// wwctl tag and wwctl feed parse: the libraries run offline on files.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/feeds/date.h"
#include "libs/feeds/feed.h"
#include "libs/runtime/json.h"
#include "libs/tagging/lint.h"
#include "libs/tagging/matcher.h"
#include "libs/tagging/watchlist.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"
#include "ww/v1/records.pb.h"

namespace ww::wwctl {

using Json = nlohmann::ordered_json;

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  ss << in.rdbuf();
  return ss.str();
}

namespace {

int Fail(const std::string& command, const absl::Status& s, int code = 1) {
  std::fprintf(stderr, "wwctl %s: %s\n", command.c_str(), std::string(s.message()).c_str());
  return code;
}

// Every candidate match of `text` and what the matcher decided, with the rule.
void Explain(const tagging::Matcher& matcher, std::string_view text, const std::string& file,
             Format format) {
  std::vector<tagging::Decision> decisions;
  matcher.Explain(text, &decisions);
  for (const tagging::Decision& d : decisions) {
    const std::string_view found = text.substr(d.span.start, d.span.end - d.span.start);
    const bool accepted = tagging::IsAccepted(d.verdict);
    if (format == Format::kJson) {
      Json line = {{"entity", matcher.entity_id(d.span.entity)},
                   {"alias", matcher.alias_text(d.span.alias)},
                   {"text", found},
                   {"start", d.span.start},
                   {"end", d.span.end},
                   {"accepted", accepted},
                   {"verdict", tagging::VerdictName(d.verdict)},
                   {"reason", tagging::VerdictReason(d.verdict)},
                   {"ambiguous", d.ambiguous}};
      if (!file.empty()) line["file"] = file;
      std::puts(runtime::ToJsonLine(line).c_str());
      continue;
    }
    std::printf("%s%s%u-%u\t%.*s\t%.*s\t(alias \"%.*s\"%s)\t%s\n", file.c_str(),
                file.empty() ? "" : ":", d.span.start, d.span.end,
                static_cast<int>(matcher.entity_id(d.span.entity).size()),
                matcher.entity_id(d.span.entity).data(), static_cast<int>(found.size()),
                found.data(), static_cast<int>(matcher.alias_text(d.span.alias).size()),
                matcher.alias_text(d.span.alias).data(), d.ambiguous ? ", ambiguous" : "",
                std::string(tagging::VerdictReason(d.verdict)).c_str());
  }
}

int Tag(const ParsedArgs& a) {
  if (a.value("watchlist").empty()) {
    return Fail("tag", absl::InvalidArgumentError("--watchlist FILE is required"), 2);
  }
  auto wl = tagging::LoadWatchlistFile(a.value("watchlist"));
  if (!wl.ok()) return Fail("tag", wl.status(), 2);
  auto matcher = tagging::Matcher::Build(*wl);
  if (!matcher.ok()) return Fail("tag", matcher.status(), 2);
  const Format format = FormatFromFlag(a.value("output"));
  std::vector<std::string> files = a.positional();
  const bool named = !files.empty();
  if (!named) files.push_back("-");
  std::map<std::string, int> counts;
  int status = 0;
  for (const std::string& f : files) {
    auto text = ReadFile(f);
    if (!text.ok()) {
      Fail("tag", text.status());
      status = 1;
      continue;
    }
    if (a.has("explain")) {
      Explain(**matcher, *text, named ? f : "", format);
      continue;
    }
    for (const tagging::Mention& m : (*matcher)->FindAll(*text)) {
      ++counts[m.entity_id];
      if (a.has("count")) continue;
      if (format == Format::kJson) {
        Json line = {{"entity", m.entity_id},
                     {"alias", m.alias},
                     {"text", m.text},
                     {"start", m.start},
                     {"end", m.end}};
        if (named) line["file"] = f;
        std::puts(runtime::ToJsonLine(line).c_str());
      } else {
        std::printf("%s%s%u-%u\t%s\t%s\t(alias \"%s\")\n", named ? f.c_str() : "", named ? ":" : "",
                    m.start, m.end, m.entity_id.c_str(), m.text.c_str(), m.alias.c_str());
      }
    }
  }
  if (a.has("count")) {
    for (const auto& [entity, n] : counts) {
      if (format == Format::kJson) {
        std::puts(runtime::ToJsonLine({{"entity", entity}, {"count", n}}).c_str());
      } else {
        std::printf("%d\t%s\n", n, entity.c_str());
      }
    }
  }
  return status;
}

// wwctl watchlist lint: what in a watchlist will match more than its entities.
int WatchlistLint(const ParsedArgs& a) {
  if (a.positional().size() != 1) {
    return Fail("watchlist lint", absl::InvalidArgumentError("give exactly one watchlist FILE"), 2);
  }
  auto wl = tagging::LoadWatchlistFile(a.positional()[0]);
  if (!wl.ok()) return Fail("watchlist lint", wl.status(), 2);
  double max_share = 0;
  if (!absl::SimpleAtod(a.value("max-share"), &max_share) || max_share <= 0 || max_share > 1) {
    return Fail("watchlist lint", absl::InvalidArgumentError("--max-share must be in (0, 1]"), 2);
  }
  std::vector<tagging::LintFinding> findings = tagging::LintWatchlist(*wl);
  // Sample articles: a JSON-lines file ({"title","text"} a line), or the pipeline's articles
  // since a time, from the broker.
  std::vector<std::string> samples;
  if (const std::string path = a.value("sample"); !path.empty()) {
    auto content = ReadFile(path);
    if (!content.ok()) return Fail("watchlist lint", content.status(), 2);
    std::istringstream lines(*content);
    std::string line;
    while (std::getline(lines, line)) {
      const Json j = Json::parse(line, nullptr, false);
      if (j.is_object()) {
        samples.push_back(j.value("title", std::string()) + "\n" + j.value("text", std::string()));
      }
    }
  }
  if (const std::string since = a.value("since"); !since.empty()) {
    auto from = ParseTimeArg(since);
    if (!from.ok()) {
      return Fail("watchlist lint",
                  absl::InvalidArgumentError(absl::StrCat("--since: ", from.status().message())),
                  2);
    }
    absl::Status s = ReadRange(KafkaClient(a), a.value("topic-prefix") + "articles.unique", *from,
                               20'000, [&](const kafka::Record& r) {
                                 ww::v1::Article art;
                                 if (r.tombstone || !art.ParseFromString(r.value)) return;
                                 samples.push_back(art.title() + "\n" + art.text());
                               });
    if (!s.ok()) return FailStatus("watchlist lint", s, a.value("bootstrap-servers"));
  }
  if (!samples.empty()) {
    auto matcher = tagging::Matcher::Build(*wl);
    if (!matcher.ok()) return Fail("watchlist lint", matcher.status(), 2);
    for (tagging::LintFinding& f : tagging::LintFrequency(**matcher, samples, max_share)) {
      findings.push_back(std::move(f));
    }
  }
  const Format format = FormatFromFlag(a.value("output"));
  for (const tagging::LintFinding& f : findings) {
    if (format == Format::kJson) {
      std::puts(runtime::ToJsonLine({{"kind", tagging::LintKindName(f.kind)},
                                     {"entity", f.entity_id},
                                     {"alias", f.alias},
                                     {"problem", f.problem},
                                     {"suggestion", f.suggestion}})
                    .c_str());
    } else {
      std::printf("%s: \"%s\" (%s): %s\n    suggestion: %s\n", f.entity_id.c_str(), f.alias.c_str(),
                  std::string(tagging::LintKindName(f.kind)).c_str(), f.problem.c_str(),
                  f.suggestion.c_str());
    }
  }
  if (format == Format::kText) {
    std::fprintf(
        stderr, "%zu entities, %zu findings%s\n", wl->entities.size(), findings.size(),
        samples.empty() ? "" : absl::StrCat(" (", samples.size(), " sample articles)").c_str());
  }
  return 0;
}

int FeedParse(const ParsedArgs& a) {
  if (a.positional().size() != 1) {
    return Fail("feed parse", absl::InvalidArgumentError("give exactly one FILE (or - for stdin)"),
                2);
  }
  auto bytes = ReadFile(a.positional()[0]);
  if (!bytes.ok()) return Fail("feed parse", bytes.status());
  auto feed = feeds::ParseFeed(*bytes, a.value("content-type"));
  if (!feed.ok()) return Fail("feed parse", feed.status());
  for (const std::string& w : feed->warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  if (FormatFromFlag(a.value("output")) == Format::kJson) {
    Json items = Json::array();
    for (const feeds::FeedItem& it : feed->items) {
      items.push_back(
          {{"id", it.id},
           {"title", it.title},
           {"url", it.url},
           {"published", it.published ? Json(feeds::FormatRfc3339(*it.published)) : Json(nullptr)},
           {"text", it.text}});
    }
    std::puts(runtime::ToJsonLine({{"format", feed->format},
                                   {"title", feed->title},
                                   {"link", feed->link},
                                   {"items", items},
                                   {"warnings", feed->warnings}})
                  .c_str());
    return 0;
  }
  std::printf("%s feed \"%s\" (%s), %zu items\n", feed->format.c_str(), feed->title.c_str(),
              feed->link.c_str(), feed->items.size());
  for (const feeds::FeedItem& it : feed->items) {
    std::printf("- %s\n  %s\n  published %s, id %s, %zu bytes of text\n", it.title.c_str(),
                it.url.c_str(),
                it.published ? feeds::FormatRfc3339(*it.published).c_str() : "unknown",
                it.id.c_str(), it.text.size());
  }
  return 0;
}

}  // namespace

void AddOfflineCommands(Cli& cli) {
  cli.Add({{"tag"},
           "Finds watched entities in text files (stdin when none), offline.",
           "--watchlist FILE [--output json] [--count | --explain] [FILE...]",
           "wwctl tag --watchlist watchlist.yaml --output json article.txt\n"
           "  wwctl tag --watchlist cities.yaml --explain article.txt   # why each match counts",
           {{"watchlist", "FILE", "watchlist YAML (entities: id, name, kind, aliases)", ""},
            {"output", "FORMAT", "text or json (one object a mention, byte offsets)", "text"},
            {"count", "", "print mentions per entity instead of each mention", ""},
            {"explain", "",
             "print every candidate match, accepted or rejected, and the rule that decided "
             "(smart case, ambiguous common words, longer names; see libs/tagging/matcher.h)",
             ""}},
           Tag});
  cli.Add(
      {{"watchlist", "lint"},
       "Lists the aliases of a watchlist that will match more than their entities.",
       "FILE [--sample ARTICLES.jsonl | --since 1d] [--max-share 0.2] [--output json]",
       "wwctl watchlist lint cities.yaml\n"
       "  wwctl watchlist lint cities.yaml --since 1d   # with the last day of articles",
       {{"sample", "FILE",
         "articles as JSON lines ({\"title\",\"text\"}): also report aliases found in more "
         "than --max-share of them",
         ""},
        {"since", "TIME",
         "read the pipeline's articles since TIME (1d, 6h, 2026-11-28) from the broker, "
         "as with --sample (at most 20,000)",
         ""},
        {"max-share", "SHARE", "share of sample articles that makes an alias suspicious", "0.2"},
        {"output", "FORMAT", "text or json (one object a finding)", "text"}},
       WatchlistLint});
  cli.Add(
      {{"feed", "parse"},
       "Parses an RSS or Atom feed file offline and prints its items.",
       "FILE [--output json] [--content-type TYPE]",
       "wwctl feed parse --output json samples/feeds/world.xml",
       {{"output", "FORMAT", "text or json", "text"},
        {"content-type", "TYPE", "HTTP Content-Type the feed came with (its charset wins)", ""}},
       FeedParse});
}

}  // namespace ww::wwctl
