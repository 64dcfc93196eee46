// wwctl tag and wwctl feed parse: the libraries run offline on files.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libs/feeds/date.h"
#include "libs/feeds/feed.h"
#include "libs/runtime/json.h"
#include "libs/tagging/matcher.h"
#include "libs/tagging/watchlist.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"

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
           "--watchlist FILE [--output json] [--count] [FILE...]",
           "wwctl tag --watchlist watchlist.yaml --output json article.txt",
           {{"watchlist", "FILE", "watchlist YAML (entities: id, name, kind, aliases)", ""},
            {"output", "FORMAT", "text or json (one object a mention, byte offsets)", "text"},
            {"count", "", "print mentions per entity instead of each mention", ""}},
           Tag});
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
