#pragma once
// The near-duplicate design Wirewatch had before (issue 4), kept only to measure the new one
// against it on the same set in the same run (dedup_eval, BENCHMARKS.md): a 64-bit SimHash
// over 3-word shingles of the first 50 content words, after a dateline and a fixed list of
// boilerplate paragraphs, and an article copies the earlier one nearest within 3 bits.
// Not used by any service.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ww::dedup::legacy {

struct FingerprintOptions {
  int shingle_words = 3;  // words per shingle (features of the SimHash)
  int lead_words = 50;    // content words fingerprinted, from the start of the text
  int min_words = 8;      // fewer content words: no near fingerprint (exact match only)
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

struct LegacyArticle {
  std::string id, url, text;
};

// The old StoryClusterer's decisions on `articles` in order, all within one window: exact
// copies by URL or content hash first, else the earlier article with the nearest SimHash
// within 3 bits (ties: the oldest). Returns each article's cluster id.
std::vector<std::string> LegacyClusters(const std::vector<LegacyArticle>& articles);

}  // namespace ww::dedup::legacy
