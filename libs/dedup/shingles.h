#pragma once
// Word shingles: the features near-duplicate detection compares. An article's text is folded
// (text::Normalize: case, width, diacritics, quotes, dashes) line by line, cut into words,
// and every run of `words` consecutive words is hashed to 64 bits. Shingles run across line
// breaks, so re-flowed paragraphs keep their shingles.
//
// A word is a run of ASCII letters and digits or of other non-ASCII letters; scripts written
// without spaces (Han, Hiragana, Katakana) give one word per character, so a Chinese or
// Japanese article has character shingles rather than a single "word" per sentence.
//
// Hashes are stable across machines, runs and versions of Abseil (own hash), so results are
// the same on every replica. Thread-safe (per-thread buffers).
#include <cstdint>
#include <string_view>
#include <vector>

namespace ww::dedup {

inline constexpr int kDefaultShingleWords = 3;

// Replaces *out with the hashes of the word `words`-grams of `text`, in text order
// (duplicates kept). A text of fewer than `words` words gives one shingle of all its words
// (none when it has no word). Allocates nothing once *out and the thread's buffers are warm.
void ShingleHashes(std::string_view text, int words, std::vector<uint64_t>* out);

// Stable 64-bit hash of a word or any string (eight-byte chunks through a splitmix
// finaliser): the same on every machine and run.
uint64_t WordHash(std::string_view word);

}  // namespace ww::dedup
