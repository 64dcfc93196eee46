// wwctl tag and wwctl feed parse: the libraries run offline on files.
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
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

// Reads `path` ("-": stdin) in pieces of about `piece` bytes, cut after a blank line (else
// after a line end, else at a UTF-8 boundary), calling `each(text, offset of its first
// byte)`: a file of any size in bounded memory. An alias is never found across a blank line
// anyway; a held-back match is confirmed within its piece (a few articles).
absl::Status ForEachPiece(const std::string& path, size_t piece,
                          const std::function<void(std::string_view, uint64_t)>& each) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return absl::NotFoundError(absl::StrCat("cannot open ", path));
    in = &file;
  }
  std::string buffer;
  uint64_t offset = 0;
  std::vector<char> block(1 << 20);
  auto emit = [&](size_t n) {
    each(std::string_view(buffer).substr(0, n), offset);
    offset += n;
    buffer.erase(0, n);
  };
  while (*in) {
    in->read(block.data(), static_cast<std::streamsize>(block.size()));
    buffer.append(block.data(), static_cast<size_t>(in->gcount()));
    while (buffer.size() >= piece) {
      size_t cut = buffer.rfind("\n\n", piece);
      if (cut == std::string::npos || cut < piece / 2) {
        cut = buffer.rfind('\n', piece);
      } else {
        cut += 1;
      }
      if (cut == std::string::npos || cut < piece / 2) {
        cut = piece;
        while (cut > 0 && (static_cast<unsigned char>(buffer[cut]) & 0xC0) == 0x80) --cut;
      }
      emit(cut + (buffer[cut] == '\n' ? 1 : 0));
    }
  }
  if (in->bad()) return absl::UnavailableError(absl::StrCat("cannot read ", path));
  if (!buffer.empty()) emit(buffer.size());
  return absl::OkStatus();
}

// Every candidate match of `text` and what the matcher decided, with the rule; offsets
// from `offset`.
void Explain(const tagging::Matcher& matcher, std::string_view text, uint64_t offset,
             const std::string& file, Format format) {
  std::vector<tagging::Decision> decisions;
  matcher.Explain(text, &decisions);
  for (const tagging::Decision& d : decisions) {
    const std::string_view found = text.substr(d.span.start, d.span.end - d.span.start);
    const bool accepted = tagging::IsAccepted(d.verdict);
    const uint64_t start = offset + d.span.start, end = offset + d.span.end;
    if (format == Format::kJson) {
      Json line = {{"entity", matcher.entity_id(d.span.entity)},
                   {"alias", matcher.alias_text(d.span.alias)},
                   {"text", found},
                   {"start", start},
                   {"end", end},
                   {"accepted", accepted},
                   {"verdict", tagging::VerdictName(d.verdict)},
                   {"reason", tagging::VerdictReason(d.verdict)},
                   {"ambiguous", d.ambiguous}};
      if (!file.empty()) line["file"] = file;
      std::puts(runtime::ToJsonLine(line).c_str());
      continue;
    }
    std::printf("%s%s%" PRIu64 "-%" PRIu64 "\t%.*s\t%.*s\t(alias \"%.*s\"%s)\t%s\n", file.c_str(),
                file.empty() ? "" : ":", start, end,
                static_cast<int>(matcher.entity_id(d.span.entity).size()),
                matcher.entity_id(d.span.entity).data(), static_cast<int>(found.size()),
                found.data(), static_cast<int>(matcher.alias_text(d.span.alias).size()),
                matcher.alias_text(d.span.alias).data(), d.ambiguous ? ", ambiguous" : "",
                std::string(tagging::VerdictReason(d.verdict)).c_str());
  }
}

// Text files are read in pieces of this size (ForEachPiece).
constexpr size_t kTagPiece = size_t{4} << 20;

int Tag(const ParsedArgs& a) {
  if (a.value("watchlist").empty()) {
    return Fail("tag", absl::InvalidArgumentError("--watchlist FILE is required"), 2);
  }
  auto wl = tagging::LoadWatchlistFile(a.value("watchlist"));
  if (!wl.ok()) return Fail("tag", wl.status(), 2);
  auto matcher = tagging::Matcher::Build(*wl);
  if (!matcher.ok()) return Fail("tag", matcher.status(), 2);
  const tagging::Matcher& m = **matcher;
  const Format format = FormatFromFlag(a.value("output"));
  std::vector<std::string> files = a.positional();
  const bool named = !files.empty();
  if (!named) files.push_back("-");
  std::vector<int64_t> counts(m.entity_count(), 0);  // by entity index
  std::vector<tagging::Span> spans;
  int status = 0;
  for (const std::string& f : files) {
    const std::string label = named ? f : "";
    absl::Status read = ForEachPiece(f, kTagPiece, [&](std::string_view text, uint64_t offset) {
      if (a.has("explain")) {
        Explain(m, text, offset, label, format);
        return;
      }
      spans.clear();
      m.FindSpans(text, &spans);
      for (const tagging::Span& s : spans) {
        ++counts[s.entity];
        if (a.has("count")) continue;
        const std::string_view entity = m.entity_id(s.entity), alias = m.alias_text(s.alias);
        const std::string_view found = text.substr(s.start, s.end - s.start);
        const uint64_t start = offset + s.start, end = offset + s.end;
        if (format == Format::kJson) {
          Json line = {{"entity", entity},
                       {"alias", alias},
                       {"text", found},
                       {"start", start},
                       {"end", end}};
          if (named) line["file"] = f;
          std::puts(runtime::ToJsonLine(line).c_str());
        } else {
          std::printf("%s%s%" PRIu64 "-%" PRIu64 "\t%.*s\t%.*s\t(alias \"%.*s\")\n", label.c_str(),
                      named ? ":" : "", start, end, static_cast<int>(entity.size()), entity.data(),
                      static_cast<int>(found.size()), found.data(), static_cast<int>(alias.size()),
                      alias.data());
        }
      }
    });
    if (!read.ok()) {
      Fail("tag", read);
      status = 1;
    }
  }
  if (a.has("count")) {
    // By entity id, as before: the ids are what a user reads.
    std::map<std::string_view, int64_t> by_id;
    for (uint32_t e = 0; e < counts.size(); ++e) {
      if (counts[e] > 0) by_id[m.entity_id(e)] = counts[e];
    }
    for (const auto& [entity, n] : by_id) {
      if (format == Format::kJson) {
        std::puts(runtime::ToJsonLine({{"entity", entity}, {"count", n}}).c_str());
      } else {
        std::printf("%" PRId64 "\t%.*s\n", n, static_cast<int>(entity.size()), entity.data());
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
           "Finds watched entities in text files (stdin when none), offline; files of any size are "
           "read in pieces of 4 MB cut at blank lines.",
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
