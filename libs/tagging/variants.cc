#include "libs/tagging/variants.h"

#include <algorithm>
#include <array>

#include "libs/text/utf8.h"

namespace ww::tagging {
namespace {

using Word = std::u32string;

std::vector<Word> SplitWords(std::string_view alias) {
  std::vector<Word> words;
  Word current;
  for (size_t i = 0; i < alias.size();) {
    const ww::text::DecodedCodePoint d = ww::text::DecodeUtf8(alias, i);
    i += d.length;
    if (d.cp == ' ' || d.cp == '\t' || d.cp == '\n' || d.cp == '\r' || d.cp == 0xA0) {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(d.cp);
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

std::string ToUtf8(const Word& word) {
  std::string out;
  for (char32_t c : word) ww::text::AppendUtf8(c, &out);
  return out;
}

std::string Join(const std::vector<Word>& words) {
  std::string out;
  for (const Word& w : words) {
    if (!out.empty()) out.push_back(' ');
    out += ToUtf8(w);
  }
  return out;
}

size_t LetterCount(const Word& word) {
  return static_cast<size_t>(std::count_if(word.begin(), word.end(), ww::text::IsWordChar));
}

bool StartsLowerAscii(const Word& word) {
  return !word.empty() && word[0] >= 'a' && word[0] <= 'z';
}

void AddUnique(std::string form, std::string_view alias, std::vector<std::string>* out) {
  if (form.empty() || form == alias) return;
  if (std::find(out->begin(), out->end(), form) == out->end()) out->push_back(std::move(form));
}

bool IsCyrillic(char32_t c) { return c >= 0x400 && c <= 0x4FF; }

char32_t LowerCyrillic(char32_t c) {
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

bool EndsWith(const Word& lower, std::u32string_view suffix) {
  return lower.size() > suffix.size() &&
         std::u32string_view(lower).substr(lower.size() - suffix.size()) == suffix;
}

// Forms of one word in genitive, dative, accusative, instrumental, prepositional order;
// empty strings where the word does not change or the ending is not known.
std::array<Word, 5> Decline(const Word& word) {
  std::array<Word, 5> forms;
  if (word.empty() || !IsCyrillic(word.back())) return forms;
  Word lower;
  for (char32_t c : word) lower.push_back(LowerCyrillic(c));
  auto stem = [&](size_t drop) { return Word(word.substr(0, word.size() - drop)); };
  auto set = [&](size_t drop, std::array<std::u32string_view, 5> endings) {
    for (size_t k = 0; k < 5; ++k) {
      if (!endings[k].empty()) forms[k] = stem(drop) + Word(endings[k]);
    }
  };
  const char32_t last = lower.back();
  const char32_t before = lower.size() > 1 ? lower[lower.size() - 2] : 0;
  const bool hushing = before == U'ж' || before == U'ш' || before == U'ч' || before == U'щ';
  const bool velar = before == U'к' || before == U'г' || before == U'х';
  if (EndsWith(lower, U"ский") || EndsWith(lower, U"цкий") || EndsWith(lower, U"ской")) {
    set(2, {U"ого", U"ому", U"ого", U"им", U"ом"});
  } else if (EndsWith(lower, U"ская") || EndsWith(lower, U"цкая")) {
    set(2, {U"ой", U"ой", U"ую", U"ой", U"ой"});
  } else if (EndsWith(lower, U"ова") || EndsWith(lower, U"ева") || EndsWith(lower, U"ёва") ||
             EndsWith(lower, U"ина") || EndsWith(lower, U"ына")) {
    set(1, {U"ой", U"ой", U"у", U"ой", U"ой"});
  } else if (EndsWith(lower, U"ов") || EndsWith(lower, U"ев") || EndsWith(lower, U"ёв") ||
             EndsWith(lower, U"ин") || EndsWith(lower, U"ын")) {
    set(0, {U"а", U"у", U"а", U"ым", U"е"});
  } else if (EndsWith(lower, U"ий")) {
    set(1, {U"я", U"ю", U"я", U"ем", U"и"});
  } else if (last == U'й' || last == U'ь') {
    set(1, {U"я", U"ю", U"я", U"ем", U"е"});
  } else if (EndsWith(lower, U"ия")) {
    set(1, {U"и", U"и", U"ю", U"ей", U"и"});
  } else if (last == U'я') {
    set(1, {U"и", U"е", U"ю", U"ей", U"е"});
  } else if (last == U'а') {
    set(1, {hushing || velar ? U"и" : U"ы", U"е", U"у", hushing ? U"ей" : U"ой", U"е"});
  } else if (last == U'о' || last == U'е' || last == U'ё' || last == U'и' || last == U'у' ||
             last == U'ю' || last == U'э' || last == U'ы') {
    // indeclinable
  } else {
    const bool soft =
        hushing || last == U'ж' || last == U'ш' || last == U'ч' || last == U'щ' || last == U'ц';
    set(0, {U"а", U"у", U"а", soft ? U"ем" : U"ом", U"е"});
  }
  return forms;
}

}  // namespace

std::vector<std::string> SurnameVariants(std::string_view alias) {
  std::vector<std::string> out;
  const std::vector<Word> words = SplitWords(alias);
  if (words.size() < 2) return out;
  // The surname: the last word, with the lower-case particles before it ("van", "de").
  size_t surname = words.size() - 1;
  while (surname > 1 && StartsLowerAscii(words[surname - 1])) --surname;
  const std::vector<Word> family(words.begin() + surname, words.end());
  if (LetterCount(words.back()) < 3) return out;
  if (surname + 1 < words.size()) {
    AddUnique(Join(family), alias, &out);
  }
  AddUnique(ToUtf8(words.back()), alias, &out);
  // Initials of the given names: all of them, and the first one alone.
  std::vector<Word> initials;
  for (size_t k = 0; k < surname; ++k) {
    if (words[k].empty() || !ww::text::IsWordChar(words[k][0])) return out;
    initials.push_back(Word{words[k][0], U'.'});
  }
  std::vector<Word> all = initials;
  all.insert(all.end(), family.begin(), family.end());
  AddUnique(Join(all), alias, &out);
  std::vector<Word> first = {initials[0]};
  first.insert(first.end(), family.begin(), family.end());
  AddUnique(Join(first), alias, &out);
  return out;
}

std::vector<std::string> RussianInflections(std::string_view alias) {
  std::vector<std::string> out;
  const std::vector<Word> words = SplitWords(alias);
  if (words.empty()) return out;
  std::vector<std::array<Word, 5>> forms;
  for (const Word& w : words) forms.push_back(Decline(w));
  for (size_t k = 0; k < 5; ++k) {
    // Every declinable word in this case, then only the last word.
    std::vector<Word> all = words;
    for (size_t i = 0; i < words.size(); ++i) {
      if (!forms[i][k].empty()) all[i] = forms[i][k];
    }
    AddUnique(Join(all), alias, &out);
    if (!forms.back()[k].empty()) {
      std::vector<Word> last = words;
      last.back() = forms.back()[k];
      AddUnique(Join(last), alias, &out);
    }
  }
  // Keep only forms that differ from the alias (AddUnique) and contain Cyrillic.
  return out;
}

}  // namespace ww::tagging
