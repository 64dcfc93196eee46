// `wwctl tag` on the article that started the project (../shared/seed), as a user runs it:
// every mention of Kim Jong Un, Vladivostok, Vladimir Putin (alias "Putin") and North Korea
// at the right byte offsets. The expected offsets come from a plain search of the text.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "gtest/gtest.h"

namespace {

std::string Env(const char* n) {
  const char* v = std::getenv(n);
  return v ? v : "";
}

// The seed text is English: its only non-ASCII characters are curly quotes and dashes.
bool IsWordByte(unsigned char c) { return std::isalnum(c); }

using Mention = std::tuple<size_t, size_t, std::string>;  // start, end, entity

TEST(WwctlTag, FindsEveryMentionInTheSeedArticleAtTheRightOffsets) {
  const std::string seed = Env("WW_SOURCE_DIR") + "/../shared/seed/national-post-kim-train.txt";
  if (!std::filesystem::exists(seed))
    GTEST_SKIP() << seed << " is absent (no ../shared beside the clone)";
  std::ifstream in(seed, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();

  const std::string wl =
      (std::filesystem::temp_directory_path() / "ww-seed-watchlist.yaml").string();
  std::ofstream(wl)
      << "entities:\n"
         "  - {id: kim-jong-un, name: Kim Jong Un, kind: person}\n"
         "  - {id: vladivostok, name: Vladivostok, kind: place}\n"
         "  - {id: vladimir-putin, name: Vladimir Putin, kind: person, aliases: [Putin]}\n"
         "  - {id: north-korea, name: North Korea, kind: place}\n";

  // Expected: longest names first; a shorter one inside a longer match does not count, and
  // a name must stand alone ("North Korean" is not "North Korea").
  std::set<Mention> expected;
  std::vector<bool> taken(text.size(), false);
  for (const auto& [name, entity] :
       std::vector<std::pair<std::string, std::string>>{{"Vladimir Putin", "vladimir-putin"},
                                                        {"Kim Jong Un", "kim-jong-un"},
                                                        {"North Korea", "north-korea"},
                                                        {"Vladivostok", "vladivostok"},
                                                        {"Putin", "vladimir-putin"}}) {
    for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
      size_t end = at + name.size();
      bool alone =
          (at == 0 || !IsWordByte(text[at - 1])) && (end == text.size() || !IsWordByte(text[end]));
      if (!alone || taken[at]) continue;
      for (size_t i = at; i < end; ++i) taken[i] = true;
      expected.insert({at, end, entity});
    }
  }
  ASSERT_GE(expected.size(), 15u) << "the seed article names them often";

  const std::string cmd =
      Env("WW_BIN_DIR") + "/wwctl tag --output json --watchlist " + wl + " " + seed;
  FILE* out = popen(cmd.c_str(), "r");
  ASSERT_NE(out, nullptr);
  std::string json;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, out)) > 0) json.append(buf, n);
  ASSERT_EQ(pclose(out), 0) << cmd;

  std::set<Mention> found;
  std::istringstream lines(json);
  std::string line;
  while (std::getline(lines, line)) {
    auto field = [&](const std::string& key) {
      size_t k = line.find("\"" + key + "\":");
      size_t v = k + key.size() + 3;
      if (line[v] == '"') return line.substr(v + 1, line.find('"', v + 1) - v - 1);
      return line.substr(v, line.find_first_of(",}", v) - v);
    };
    size_t start = std::stoul(field("start")), end = std::stoul(field("end"));
    found.insert({start, end, field("entity")});
    EXPECT_EQ(text.substr(start, end - start), field("text")) << line;
    EXPECT_EQ(field("file"), seed);
  }
  EXPECT_EQ(found, expected);
}

}  // namespace
