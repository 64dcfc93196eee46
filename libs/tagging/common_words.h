#pragma once
// Words that are common in lowercase, so that an alias spelt like one ("Of", "Nice",
// "Reading", "Council", "March") is ambiguous: its letters alone are weak evidence of the
// entity (libs/tagging/matcher.h, "Precision").
//
// English is built in at compile time from Debian's wamerican dictionary (SCOWL size 50,
// /usr/share/dict/american-english): its lowercase entries. A word the dictionary lists only
// capitalised ("Paris", "Putin", "Vladivostok") is a name, not a common word.
#include <string_view>

namespace ww::tagging {

// True if `folded` (one word, lowercase, as the matcher folds it) is a common English word.
bool IsCommonWord(std::string_view folded);

// True if the dictionary lists `folded` (one word, lowercase) with a capital: a proper noun,
// often a first name ("peter", "graham", "bobby"), even when the same letters are a common
// word in lowercase.
bool IsProperNoun(std::string_view folded);

// True if `folded` (two Han characters or more) is a common Chinese word: in the dictionary
// of Debian's python3-jieba, seen at least 1,000 times and tagged neither a place, a person
// nor an organisation ("东方" the east, "光明" bright, "和平" peace; not "北京"). Chinese has
// no capitals: frequency is what tells a town from a word.
bool IsCommonChineseWord(std::string_view folded);

// True for month and weekday names ("march", "august", "may", "sunday"): capitalised in
// running text yet not names of places or people, so their capitals are no evidence.
bool IsCalendarWord(std::string_view folded);

// How many common words are built in (for tests and `wwctl watchlist lint`).
size_t CommonWordCount();

}  // namespace ww::tagging
