#pragma once
// Fingerprints of an article for exact-duplicate detection.
#include <string>
#include <string_view>

namespace ww::dedup {

// Hash of the text after matching normalisation (case, width, diacritics, quotes, dashes,
// whitespace): two copies that differ only in such details get the same hash. Empty text
// gives an empty hash (nothing to compare). Thread-safe.
std::string ContentHash(std::string_view text);

}  // namespace ww::dedup
