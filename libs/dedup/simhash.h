#pragma once
// Near-duplicate fingerprints: a 64-bit SimHash over normalised word shingles of an
// article's lead, after the boilerplate that outlets add has been dropped.
//
// Why the lead and why boilerplate removal: a syndicated copy of a wire story keeps the
// wire's opening paragraphs and differs at the edges: a new headline (the title is not
// fingerprinted), a byline, a "Read more" line, a syndication footer ("Newspapers in
// English"), a trimmed last paragraph. Dropping boilerplate paragraphs and fingerprinting
// only the first `lead_words` content words makes such copies land within a Hamming
// distance of 0..3 of each other, which NearIndex finds in sub-linear time, while two
// different stories on the same subject share few 3-word shingles and sit ~20-32 bits
// apart. See libs/dedup/README.md for the measurements behind the defaults.
//
// Stable across machines, runs and versions of Abseil (own hash), so fingerprints can be
// stored in Kafka records. Thread-safe (pure functions).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ww::dedup {

struct FingerprintOptions {
  int shingle_words = 3;   // words per shingle (features of the SimHash)
  int lead_words = 50;     // content words fingerprinted, from the start of the text
  int min_words = 8;       // fewer content words: no near fingerprint (exact match only)
};

// True for a paragraph (one line of an article's text) that outlets add around a story:
// bylines, "Read more"/"Click here" lines, syndication and copyright footers, share and
// subscribe prompts, "Advertisement". `normalized` is text::NormalizeText of the line.
bool IsBoilerplateParagraph(std::string_view normalized);

// The normalised content words of `text` (paragraphs separated by "\n"), a dateline
// ("LONDON (Reuters) - ") at the start and boilerplate
// paragraphs skipped, at most `max_words` of them.
std::vector<std::string> ContentWords(std::string_view text, int max_words);

struct NearFingerprint {
  uint64_t simhash = 0;
  bool valid = false;  // false when the text has fewer than min_words content words
};

// The SimHash of the lead of `text`. Never fails. Reuses per-thread buffers (the fold of a
// paragraph, the word hashes), so it allocates nothing once warm; ~7 us for a 2 KB article
// (BENCHMARKS.md).
NearFingerprint SimHashFingerprint(std::string_view text, const FingerprintOptions& options = {});

// Bits that differ.
inline int HammingDistance(uint64_t a, uint64_t b) { return __builtin_popcountll(a ^ b); }

// Stable 64-bit hash of a word (FNV-1a with a splitmix finaliser). Exposed for tools.
uint64_t WordHash(std::string_view word);

}  // namespace ww::dedup
