#pragma once
// Name variants generated from a watchlist alias, for entities that ask for them
// (Entity::surname_only, Entity::inflections). Pure functions, thread-safe, never fail: an
// alias that yields no variant gives an empty vector. Variants are returned as written
// (the matcher folds them like any alias) and never include the alias itself.
#include <string>
#include <string_view>
#include <vector>

namespace ww::tagging {

// For a name written given names first, split at spaces: the surname alone and with the
// given names as initials. "Vladimir Putin" -> {"Putin", "V. Putin"}; "Vladimir Vladimirovich
// Putin" -> {"Putin", "V. V. Putin", "V. Putin"}; a lower-case particle stays with the
// surname: "Ludwig van Beethoven" -> {"van Beethoven", "Beethoven", "L. van Beethoven"}.
// Nothing for a single word, or when the surname has fewer than 3 letters ("Kim Jong Un"
// would give "Un").
std::vector<std::string> SurnameVariants(std::string_view alias);

// Russian case forms (genitive, dative, accusative, instrumental, prepositional) of a name
// written in Cyrillic, by the ending of each word: "Путин" -> "Путина", "Путину", "Путиным",
// "Путине"; "Владимир Путин" -> "Владимира Путина", ... and also with only the last word
// inflected ("Ким Чен Ына"). Nothing for an alias without Cyrillic letters or whose words
// do not decline (ending in о, е, и, у, ю, э: "Шойгу").
std::vector<std::string> RussianInflections(std::string_view alias);

}  // namespace ww::tagging
