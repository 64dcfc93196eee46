// `wwctl tag --explain` and `wwctl watchlist lint`, run as the binary on a watchlist of
// places that are also common words (issue 20): what a user reads to see why.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/process.h"

namespace {

std::string Env(const char* n) {
  const char* v = std::getenv(n);
  return v ? v : "";
}

// Runs wwctl with `args`; the JSON lines it prints.
std::vector<nlohmann::json> Wwctl(std::vector<std::string> args) {
  args.insert(args.begin(), Env("WW_BIN_DIR") + "/wwctl");
  const ww::testing::RunResult r = ww::testing::Run(args);
  EXPECT_EQ(r.exit_code, 0) << args[1];
  std::vector<nlohmann::json> lines;
  size_t start = 0;
  while (start < r.out.size()) {
    size_t end = r.out.find('\n', start);
    if (end == std::string::npos) end = r.out.size();
    if (end > start) lines.push_back(nlohmann::json::parse(r.out.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

class WwctlPrecision : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ww-explain-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "places.yaml") << "entities:\n"
                                           "  - {id: of, name: Of, kind: place}\n"
                                           "  - {id: nice, name: Nice, kind: place, context: "
                                           "[France]}\n"
                                           "  - {id: vladivostok, name: Vladivostok, kind: "
                                           "place}\n"
                                           "  - {id: band, name: Zzyzx, kind: place, aliases: "
                                           "[band]}\n";
    std::ofstream(dir_ / "article.txt")
        << "Of all the ports of the east, one matters.\n"
           "Kim's train reached Vladivostok; a band played. vladivostok.ru reported it.\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(WwctlPrecision, ExplainSaysWhyEachCandidateCounts) {
  const auto lines = Wwctl({"tag", "--explain", "--output", "json", "--watchlist",
                            (dir_ / "places.yaml").string(), (dir_ / "article.txt").string()});
  std::vector<std::string> got;
  for (const auto& l : lines) {
    got.push_back(l["text"].get<std::string>() + " " + l["verdict"].get<std::string>());
    EXPECT_FALSE(l["reason"].get<std::string>().empty());
    EXPECT_EQ(l["accepted"].get<bool>(), l["verdict"] == "accepted" || l["verdict"] == "confirmed");
  }
  EXPECT_EQ(got, (std::vector<std::string>{"Of sentence-start", "of case", "Vladivostok accepted",
                                           "band accepted", "vladivostok case"}));
  // Without --explain, only the accepted ones.
  const auto mentions = Wwctl({"tag", "--output", "json", "--watchlist",
                               (dir_ / "places.yaml").string(), (dir_ / "article.txt").string()});
  ASSERT_EQ(mentions.size(), 2u);
  EXPECT_EQ(mentions[0]["text"], "Vladivostok");
  EXPECT_EQ(mentions[1]["text"], "band");
}

// A file larger than the pieces wwctl reads (4 MB): every mention found once, at its offset
// in the whole file.
TEST_F(WwctlPrecision, TagStreamsLargeFiles) {
  const std::string paragraph = "The train reached Vladivostok at dawn.\n\n";
  const size_t copies = 250'000;  // about 10 MB
  {
    std::ofstream big(dir_ / "big.txt", std::ios::binary);
    for (size_t i = 0; i < copies; ++i) big << paragraph;
    big << "And a last line without a blank one: Vladivostok";
  }
  const auto counts = Wwctl({"tag", "--count", "--output", "json", "--watchlist",
                             (dir_ / "places.yaml").string(), (dir_ / "big.txt").string()});
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0]["entity"], "vladivostok");
  EXPECT_EQ(counts[0]["count"].get<int64_t>(), static_cast<int64_t>(copies + 1));
  const auto mentions = Wwctl({"tag", "--output", "json", "--watchlist",
                               (dir_ / "places.yaml").string(), (dir_ / "big.txt").string()});
  ASSERT_EQ(mentions.size(), copies + 1);
  const size_t at = paragraph.find("Vladivostok");
  for (size_t i : {size_t{0}, size_t{104'000}, copies - 1}) {
    EXPECT_EQ(mentions[i]["start"].get<uint64_t>(), i * paragraph.size() + at) << i;
  }
  EXPECT_EQ(mentions.back()["end"].get<uint64_t>(), std::filesystem::file_size(dir_ / "big.txt"));
}

TEST_F(WwctlPrecision, LintNamesTheRiskyAliasesWithTheirFix) {
  std::ofstream(dir_ / "sample.jsonl") << R"({"title":"A","text":"The band played."})"
                                       << "\n"
                                       << R"({"title":"B","text":"A band again."})"
                                       << "\n"
                                       << R"({"title":"C","text":"Nothing here."})"
                                       << "\n";
  const auto lines = Wwctl({"watchlist", "lint", "--output", "json", "--sample",
                            (dir_ / "sample.jsonl").string(), (dir_ / "places.yaml").string()});
  std::vector<std::string> got;
  for (const auto& l : lines) {
    got.push_back(l["kind"].get<std::string>() + " " + l["entity"].get<std::string>());
    EXPECT_FALSE(l["suggestion"].get<std::string>().empty());
  }
  EXPECT_EQ(got, (std::vector<std::string>{"common-word of", "short of", "common-word nice",
                                           "any-case band", "frequent band"}));
}

}  // namespace
