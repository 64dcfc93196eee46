// Quality in Korean, Russian and Chinese: country names (i18n-iso-countries, ko/ru/zh) and
// person names (Wikidata transliterations: English/Korean full names, Russian and Chinese
// single names) become one watchlist of a few thousand entities; each form is put in a
// sentence of its own script and must be found at its byte offsets. Korean names are
// followed by particles (은/는/의/이/가), Russian ones stand between words, Chinese ones have
// Han characters on both sides. A near-miss (the name inside a longer Latin or Cyrillic
// word) must not be found. Reads ../shared/data/gazetteers and skips, saying so, where it
// is absent.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/tagging/matcher.h"

namespace ww::tagging {
namespace {

enum class Script { kKorean, kRussian, kChinese, kLatin };

const char* ScriptName(Script s) {
  switch (s) {
    case Script::kKorean:
      return "Korean";
    case Script::kRussian:
      return "Russian";
    case Script::kChinese:
      return "Chinese";
    case Script::kLatin:
      return "Latin";
  }
  return "?";
}

struct Form {
  std::string text;
  Script script;
  std::string entity_id;
};

std::string DataDir() {
  const char* src = std::getenv("WW_SOURCE_DIR");
  return std::string(src ? src : ".") + "/../shared/data/gazetteers";
}

std::vector<std::string> Split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string field;
  while (std::getline(ss, field, sep)) out.push_back(field);
  return out;
}

// Decodes the UTF-8 code points of `s` (valid UTF-8 assumed: the data files are).
std::vector<char32_t> CodePoints(const std::string& s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (int k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

bool AllIn(const std::string& s, char32_t lo, char32_t hi) {
  for (char32_t cp : CodePoints(s)) {
    if (cp < lo || cp > hi) return false;
  }
  return !s.empty();
}

// "в л а д и м и р" -> "Владимир" (Russian lower-case letters а..я only; ё is left out).
std::string CapitalisedCyrillic(const std::string& spaced) {
  std::string word;
  for (char c : spaced) {
    if (c != ' ') word += c;
  }
  if (!AllIn(word, U'а', U'я')) return "";
  // а..п are D0 B0..D0 BF and р..я D1 80..D1 8F; their capitals А..Я are D0 90..D0 AF.
  const unsigned char b0 = word[0], b1 = word[1];
  const unsigned char upper = b0 == 0xD0 ? b1 - 0x20 : b1 + 0x20;
  word[0] = static_cast<char>(0xD0);
  word[1] = static_cast<char>(upper);
  return word;
}

// Reads up to `limit` word-level pairs (English TAB spaced target TAB count) whose target
// `make` accepts, skipping targets already taken.
void ReadWordPairs(const std::string& path, Script script, size_t limit,
                   std::string (*make)(const std::string&), std::set<std::string>& taken,
                   Watchlist& wl, std::vector<Form>& forms) {
  std::ifstream in(path);
  std::string line;
  size_t added = 0;
  while (added < limit && std::getline(in, line)) {
    std::vector<std::string> f = Split(line, '\t');
    if (f.size() < 2) continue;
    std::string target = make(f[1]);
    if (target.empty() || !taken.insert(target).second) continue;
    std::string id =
        std::string(script == Script::kRussian ? "ru-" : "zh-") + std::to_string(added++);
    wl.entities.push_back({id, target, EntityKind::kPerson, {}});
    forms.push_back({target, script, id});
  }
}

// "庫 蘇 馬" -> "庫蘇馬", two characters at least (one Han character is not a name).
std::string JoinedHan(const std::string& spaced) {
  std::string word;
  for (char c : spaced) {
    if (c != ' ') word += c;
  }
  return AllIn(word, 0x4E00, 0x9FFF) && CodePoints(word).size() >= 2 ? word : "";
}

struct Placed {
  size_t form;  // index into forms
  size_t start, end;
};

class MultilingualTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = DataDir();
    if (!std::filesystem::exists(dir + "/countries-i18n-iso/langs/ko.json") ||
        !std::filesystem::exists(dir + "/person-names-wikidata-transliteration")) {
      GTEST_SKIP() << dir << " is absent (no ../shared/data/gazetteers)";
    }
    std::set<std::string> taken;
    // Countries: one entity per ISO code, its Korean, Russian, Chinese and English names.
    std::map<std::string, Entity> countries;
    for (auto [lang, script] : {std::pair{"ko", Script::kKorean},
                                {"ru", Script::kRussian},
                                {"zh", Script::kChinese},
                                {"en", Script::kLatin}}) {
      std::ifstream in(dir + "/countries-i18n-iso/langs/" + lang + ".json");
      const nlohmann::json j = nlohmann::json::parse(in);
      for (const auto& [code, value] : j.at("countries").items()) {
        Entity& e = countries[code];
        e.id = "country-" + absl::AsciiStrToLower(code);
        e.kind = EntityKind::kPlace;
        std::vector<std::string> names;
        if (value.is_array()) {
          for (const auto& v : value) names.push_back(v.get<std::string>());
        } else {
          names.push_back(value.get<std::string>());
        }
        for (const auto& n : names) {
          // A name two countries share ("Congo") stays with the first that lists it.
          if (!taken.insert(n).second) continue;
          if (e.name.empty())
            e.name = n;
          else
            e.aliases.push_back(n);
          forms.push_back({n, script, e.id});
        }
      }
    }
    for (auto& [code, e] : countries) {
      if (!e.name.empty()) wl_.entities.push_back(e);
    }

    // Korean full names ("George Washington TAB 조지 워싱턴"): the first 2,000 plain ones.
    const std::string names = dir + "/person-names-wikidata-transliteration";
    std::ifstream ko(names + "/wd_korean.fullnames.tsv");
    std::string line;
    size_t persons = 0;
    while (persons < 2000 && std::getline(ko, line)) {
      std::vector<std::string> f = Split(line, '\t');
      if (f.size() != 2 || f[1].find_first_of("(),.") != std::string::npos) continue;
      bool hangul = true;  // Hangul syllables and single spaces only
      for (const std::string& w : Split(f[1], ' ')) hangul = hangul && AllIn(w, 0xAC00, 0xD7A3);
      if (!hangul || !taken.insert(f[1]).second) continue;
      std::string id = "ko-" + std::to_string(persons++);
      wl_.entities.push_back({id, f[1], EntityKind::kPerson, {}});
      forms.push_back({f[1], Script::kKorean, id});
    }
    ReadWordPairs(names + "/wd_russian_80", Script::kRussian, 1500, CapitalisedCyrillic, taken, wl_,
                  forms);
    ReadWordPairs(names + "/wd_chinese.normalized.aligned.tokens", Script::kChinese, 1500,
                  JoinedHan, taken, wl_, forms);
  }

  Watchlist wl_;
  std::vector<Form> forms;
};

// The sentence for a form of `script`, the form at the returned offset.
std::string Sentence(const Form& f, size_t i, size_t* offset) {
  static const char* kParticles[] = {"은", "는", "의", "이", "가"};
  std::string before, after;
  switch (f.script) {
    case Script::kKorean:
      before = "어제 ";
      after = std::string(kParticles[i % 5]) + " 서울에서 기자들을 만났다.";
      break;
    case Script::kRussian:
      before = "Вчера ";
      after = " встретился с журналистами.";
      break;
    case Script::kChinese:
      before = "我们昨天与";
      after = "见面了。";
      break;
    case Script::kLatin:
      before = "Yesterday ";
      after = " met reporters.";
      break;
  }
  *offset = before.size();
  return before + f.text + after;
}

TEST_F(MultilingualTest, EveryFormIsFoundAtItsOffsetsInItsScript) {
  ASSERT_GT(wl_.entities.size(), 3000u);
  auto matcher = Matcher::Build(wl_);
  ASSERT_TRUE(matcher.ok()) << matcher.status();

  // One document, a sentence a line, as an article would have them.
  std::string text;
  std::vector<Placed> placed;
  for (size_t i = 0; i < forms.size(); ++i) {
    size_t offset = 0;
    std::string s = Sentence(forms[i], i, &offset);
    placed.push_back({i, text.size() + offset, text.size() + offset + forms[i].text.size()});
    text += s + "\n";
  }
  std::map<std::pair<size_t, size_t>, std::string> found;  // offsets -> entity
  for (const Mention& m : (*matcher)->FindAll(text)) found[{m.start, m.end}] = m.entity_id;

  std::map<Script, std::pair<size_t, size_t>> per_script;  // found, total
  std::map<Script, std::vector<std::string>> missed;
  size_t other_entity = 0;
  for (const Placed& p : placed) {
    const Form& f = forms[p.form];
    auto& [hit, total] = per_script[f.script];
    ++total;
    auto it = found.find({p.start, p.end});
    if (it == found.end()) {
      missed[f.script].push_back(f.text);
      continue;
    }
    ++hit;
    other_entity += it->second != f.entity_id;
  }
  for (const auto& [script, counts] : per_script) {
    std::string examples;
    for (const auto& m : missed[script]) examples += "'" + m + "' ";
    std::printf("%s: %zu forms, found at their offsets: %zu (recall %.4f)%s%s\n",
                ScriptName(script), counts.second, counts.first,
                static_cast<double>(counts.first) / counts.second,
                examples.empty() ? "" : "; missed: ", examples.c_str());
    EXPECT_EQ(counts.first, counts.second) << ScriptName(script) << " missed: " << examples;
  }
  // Every form was taken once (the first entity listing it), so it reports that entity.
  EXPECT_EQ(other_entity, 0u);
}

// The name glued into a longer word of its script: "Владимирский", "Canadaism".
TEST_F(MultilingualTest, ANameInsideALongerWordIsNotFound) {
  auto matcher = Matcher::Build(wl_);
  ASSERT_TRUE(matcher.ok()) << matcher.status();
  size_t checked = 0, wrong = 0;
  std::vector<std::string> examples;
  for (const Form& f : forms) {
    if (f.script != Script::kRussian && f.script != Script::kLatin) continue;
    const bool ru = f.script == Script::kRussian;
    // One word only: glued to "Южный Судан", "Пра" leaves "Судан" a word of its own.
    if (!AllIn(f.text, ru ? U'А' : U'A', ru ? U'я' : U'z') ||
        (!ru && !std::all_of(f.text.begin(), f.text.end(), absl::ascii_isalpha))) {
      continue;
    }
    for (const auto& [prefix, suffix] :
         {std::pair<std::string, std::string>{"", ru ? "ский" : "ism"}, {ru ? "Пра" : "Pre", ""}}) {
      const std::string word = absl::StrCat(prefix, f.text, suffix);
      const std::string text = absl::StrCat(ru ? "Вчера " : "Yesterday ", word, ".");
      const size_t start = text.find(word), end = start + word.size();
      ++checked;
      // Any mention must cover the whole longer word (it may itself be an alias), never a
      // piece of it.
      for (const Mention& m : (*matcher)->FindAll(text)) {
        if (m.end > start && m.start < end && (m.start > start || m.end < end)) {
          ++wrong;
          if (examples.size() < 10) examples.push_back(m.text + " in " + word);
          break;
        }
      }
    }
  }
  std::printf("near-misses checked: %zu, wrongly found: %zu\n", checked, wrong);
  EXPECT_GT(checked, 1000u);
  std::string list;
  for (const auto& e : examples) list += "'" + e + "' ";
  EXPECT_EQ(wrong, 0u) << list;
}

}  // namespace
}  // namespace ww::tagging
