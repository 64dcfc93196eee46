#pragma once
// The benchmark inputs, read from the shared data folder (never copied into the repository):
// the Reuters-21578 article bodies and alias lists made from the gazetteers. Not thread-safe
// to call concurrently with itself (plain file reading); results are plain values.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ww::bench {

// The data folder: $WW_DATA_DIR, else $WW_SOURCE_DIR/../shared/data, else
// /work/shared/data; nullopt when none of them exists.
std::optional<std::string> FindDataDir();

// The <BODY> of every story in corpus/reuters21578/reut2-*.sgm, with the SGML entities
// (&lt; &gt; &amp; &#N;) decoded and the Latin-1 bytes (reut2-017) converted to UTF-8.
std::vector<std::string> LoadReutersBodies(const std::string& data_dir);

// City names (column 2 of the GeoNames-derived TSV), exact duplicates removed, file order.
std::vector<std::string> LoadCityNames(const std::string& data_dir);

// `count` distinct aliases: the city names first, then person names from the transliteration
// gazetteers (Korean and Hebrew full names on both sides, Russian, Chinese, Katakana and
// Arabic word pairs on both sides, target characters joined), then generated place-name
// variants ("North X", "X City", "Port X", ...) until `count`. Fewer if the data runs out.
std::vector<std::string> MakeAliases(const std::string& data_dir, size_t count);

}  // namespace ww::bench
