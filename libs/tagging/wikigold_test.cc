// Quality on real text: every gold entity mention of wikigold (145 Wikipedia articles,
// CoNLL tags) becomes an alias; the matcher must find each gold mention at its offsets.
// Reads ../shared/data/ner/wikigold and skips, saying so, where it is absent.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libs/tagging/matcher.h"

namespace ww::tagging {
namespace {

struct Gold {
  size_t start, end;
  std::string tag;
};

TEST(Wikigold, EveryGoldMentionIsFoundAtItsOffsets) {
  const char* src = std::getenv("WW_SOURCE_DIR");
  const std::string path =
      std::string(src ? src : ".") + "/../shared/data/ner/wikigold/wikigold.conll.txt";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent (no ../shared)";
  std::ifstream in(path);
  // Sentences become lines of space-joined tokens; a gold mention is a run of one tag.
  std::string text;
  std::vector<Gold> gold;
  std::string line, open_tag;
  size_t open_start = 0;
  auto close = [&] {
    if (!open_tag.empty()) gold.push_back({open_start, text.size(), open_tag});
    open_tag.clear();
  };
  while (std::getline(in, line)) {
    if (line.empty() || absl::StartsWith(line, "-DOCSTART-")) {
      close();
      if (!text.empty() && text.back() != '\n') text += '\n';
      continue;
    }
    size_t sp = line.rfind(' ');
    std::string token = line.substr(0, sp), tag = line.substr(sp + 1);
    if (tag != open_tag) close();
    if (!text.empty() && text.back() != '\n') text += ' ';
    if (tag != "O" && open_tag.empty()) {
      open_tag = tag;
      open_start = text.size();
    }
    text += token;
  }
  close();
  ASSERT_GT(gold.size(), 3000u);

  std::map<std::string, std::string> alias_to_id;
  Watchlist wl;
  for (const Gold& g : gold) {
    std::string surface = text.substr(g.start, g.end - g.start);
    if (alias_to_id.count(surface)) continue;
    std::string id = "g" + std::to_string(alias_to_id.size());
    alias_to_id[surface] = id;
    wl.entities.push_back({id, surface, EntityKind::kOther, {}});
  }
  auto matcher = Matcher::Build(wl);
  ASSERT_TRUE(matcher.ok()) << matcher.status();

  std::set<std::pair<size_t, size_t>> found;
  for (const Mention& m : (*matcher)->FindAll(text)) found.insert({m.start, m.end});
  size_t hit = 0;
  std::vector<std::string> missed;
  for (const Gold& g : gold) {
    if (found.count({g.start, g.end})) {
      ++hit;
    } else if (missed.size() < 10) {
      missed.push_back(text.substr(g.start, g.end - g.start));
    }
  }
  const double recall = static_cast<double>(hit) / gold.size();
  std::printf(
      "wikigold: %zu gold mentions, %zu distinct aliases, found at their offsets: %zu "
      "(recall %.4f)\n",
      gold.size(), alias_to_id.size(), hit, recall);
  // A gold mention can only be missed where a longer alias (another gold mention) covers
  // it: longest match wins, by design. Everything else must be found.
  std::string examples;
  for (const auto& m : missed) examples += "'" + m + "' ";
  EXPECT_GE(recall, 0.99) << "missed, e.g.: " << examples;
  std::printf("missed, e.g.: %s\n", examples.c_str());
}

}  // namespace
}  // namespace ww::tagging
