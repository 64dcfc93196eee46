#include "tests/dedup/legacy_simhash.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "libs/dedup/fingerprint.h"
#include "libs/runtime/ids.h"
#include "libs/text/normalize.h"

namespace ww::dedup::legacy {
namespace {

using runtime::Mix64;
inline uint64_t Mix(uint64_t x) { return Mix64(x); }

// Word characters: ASCII letters and digits and every non-ASCII byte (letters of other
// scripts; Normalize has already folded punctuation variants to ASCII).
constexpr std::array<bool, 256> MakeWordBytes() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80 || (c >= 'A' && c <= 'Z');
  }
  return t;
}
constexpr std::array<bool, 256> kWordBytes = MakeWordBytes();
inline bool IsWordByte(unsigned char c) { return kWordBytes[c]; }

template <typename Fn>
void ForEachWord(std::string_view s, Fn&& fn) {
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && !IsWordByte(s[i])) ++i;
    size_t b = i;
    while (i < s.size() && IsWordByte(s[i])) ++i;
    if (i > b && !fn(s.substr(b, i - b))) return;
  }
}

// min(words in s, limit).
int CountWords(std::string_view s, int limit) {
  int n = 0;
  ForEachWord(s, [&](std::string_view) { return ++n < limit; });
  return n;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Markers of lines that outlets add; matched on the folded (lower-case) paragraph.
constexpr std::array<std::string_view, 27> kMarkers = {"newspapers in english",
                                                       "read more",
                                                       "click here",
                                                       "all rights reserved",
                                                       "copyright",
                                                       "\xc2\xa9",
                                                       "subscribe",
                                                       "sign up",
                                                       "follow us",
                                                       "share this",
                                                       "reporting by",
                                                       "editing by",
                                                       "writing by",
                                                       "originally appeared",
                                                       "originally published",
                                                       "contributed to this report",
                                                       "see also",
                                                       "related:",
                                                       "related coverage",
                                                       "advertisement",
                                                       "for more news",
                                                       "this story has been",
                                                       "this article has been",
                                                       "download our app",
                                                       "get the latest",
                                                       "sent from my",
                                                       "continue reading"};

// Bit m of kMarkerStarts[c]: kMarkers[m] starts with the byte c. One pass over a paragraph
// then finds every marker, instead of one search per marker; a candidate is checked on its
// first four bytes (one load and compare) before the full comparison.
static_assert(kMarkers.size() <= 32);
constexpr std::array<uint32_t, 256> MakeMarkerStarts() {
  std::array<uint32_t, 256> t{};
  for (size_t m = 0; m < kMarkers.size(); ++m) {
    t[static_cast<unsigned char>(kMarkers[m][0])] |= uint32_t{1} << m;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kMarkerStarts = MakeMarkerStarts();

// The first four bytes of each marker (fewer for a shorter one, masked), little-endian.
struct Prefix {
  uint32_t bytes = 0, mask = 0;
};
constexpr std::array<Prefix, kMarkers.size()> MakePrefixes() {
  std::array<Prefix, kMarkers.size()> t{};
  for (size_t m = 0; m < kMarkers.size(); ++m) {
    for (size_t k = 0; k < 4 && k < kMarkers[m].size(); ++k) {
      t[m].bytes |= uint32_t{static_cast<unsigned char>(kMarkers[m][k])} << (8 * k);
      t[m].mask |= uint32_t{0xff} << (8 * k);
    }
  }
  return t;
}
constexpr std::array<Prefix, kMarkers.size()> kPrefixes = MakePrefixes();

// Bit (b0 | b1 << 8) is set when a marker starts with the bytes b0 b1 (8 KiB): most
// positions of a paragraph are rejected with one bit test.
static_assert(std::all_of(kMarkers.begin(), kMarkers.end(),
                          [](std::string_view m) { return m.size() >= 2; }));
constexpr std::array<uint64_t, 1024> MakeMarkerBigrams() {
  std::array<uint64_t, 1024> t{};
  for (std::string_view m : kMarkers) {
    const uint32_t bigram = static_cast<unsigned char>(m[0]) | static_cast<unsigned char>(m[1])
                                                                   << 8;
    t[bigram >> 6] |= uint64_t{1} << (bigram & 63);
  }
  return t;
}
constexpr std::array<uint64_t, 1024> kMarkerBigrams = MakeMarkerBigrams();

bool ContainsMarker(std::string_view t) {
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  for (size_t i = 0; i + 1 < t.size(); ++i) {  // every marker has two bytes or more
    const uint32_t bigram = p[i] | p[i + 1] << 8;
    if (!((kMarkerBigrams[bigram >> 6] >> (bigram & 63)) & 1)) continue;
    uint32_t head = 0;  // t[i..i+3], zero-padded at the end
    if (i + 4 <= t.size()) {
      std::memcpy(&head, p + i, 4);  // one load
    } else {
      for (size_t k = i; k < t.size(); ++k) head |= uint32_t{p[k]} << (8 * (k - i));
    }
    for (uint32_t m = kMarkerStarts[p[i]]; m != 0; m &= m - 1) {
      const int k = __builtin_ctz(m);
      if ((head & kPrefixes[k].mask) != kPrefixes[k].bytes) continue;
      if (t.compare(i, kMarkers[k].size(), kMarkers[k]) == 0) return true;
    }
  }
  return false;
}

// "NEW YORK (AP) — ", "LONDON (Reuters) - ", "(CNN) -- ": an upper-case place or agency
// before a dash at the start of the first paragraph. Returns the length to skip, or 0.
size_t DatelineLength(std::string_view p) {
  static constexpr std::string_view kDashes[] = {" \xe2\x80\x94 ", " \xe2\x80\x93 ", " -- ", " - "};
  // Most paragraphs have no dash near the start: one pass rules them out (every dash above
  // begins with a space and then '-' or the lead byte 0xE2).
  const std::string_view head = p.substr(0, 50);
  bool maybe = false;
  for (size_t i = 1; i + 1 < head.size() && !maybe; ++i) {
    maybe = head[i] == ' ' && (head[i + 1] == '-' || head[i + 1] == '\xe2');
  }
  if (!maybe) return 0;
  for (std::string_view dash : kDashes) {
    size_t at = p.substr(0, 48 + dash.size()).find(dash);  // only the first 48 bytes count
    if (at == std::string_view::npos || at == 0 || at > 48) continue;
    bool lower_outside_parens = false;
    int depth = 0;
    for (char c : p.substr(0, at)) {
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (depth == 0 && c >= 'a' && c <= 'z') lower_outside_parens = true;
    }
    if (!lower_outside_parens) return at + dash.size();
  }
  return 0;
}

}  // namespace

uint64_t WordHash(std::string_view word) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : word) h = (h ^ c) * 0x100000001b3ULL;
  return Mix(h);
}

bool IsBoilerplateParagraph(std::string_view p) {
  const int words = CountWords(p, 41);  // the rules below only tell 0..40 and "more" apart
  if (words < 3) return true;           // "Advertisement", "Photo", a lone dateline
  size_t b = p.find_first_not_of(' ');
  std::string_view t = b == std::string_view::npos ? std::string_view() : p.substr(b);
  if (words <= 8 && (StartsWith(t, "by ") || StartsWith(t, "from ") || StartsWith(t, "posted "))) {
    return true;  // byline
  }
  if (words > 40) return false;  // a real paragraph may mention "copyright" in passing
  return ContainsMarker(t);
}

namespace {

// Calls fn(word) for each of the first `max_words` content words of `text` (see
// ContentWords); `word` is valid during the call only. The fold buffer is reused across
// paragraphs and calls (per thread), so a fingerprint allocates nothing once warm.
template <typename Fn>
void ForEachContentWord(std::string_view text, int max_words, Fn&& fn) {
  thread_local text::Normalized folded;
  int n = 0;
  size_t pos = 0;
  while (pos <= text.size() && n < max_words) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (n == 0) line.remove_prefix(DatelineLength(line));
    text::NormalizeInto(line, &folded);
    if (IsBoilerplateParagraph(folded.text)) continue;
    ForEachWord(folded.text, [&](std::string_view w) {
      fn(w);
      return ++n < max_words;
    });
  }
}

// kSpread[b]: byte l is bit l of b.
constexpr std::array<uint64_t, 256> MakeSpread() {
  std::array<uint64_t, 256> t{};
  for (int b = 0; b < 256; ++b) {
    for (int l = 0; l < 8; ++l) t[b] |= uint64_t((b >> l) & 1) << (8 * l);
  }
  return t;
}
constexpr std::array<uint64_t, 256> kSpread = MakeSpread();

// Per-bit counts of the ones in a stream of 64-bit values, eight bits at a time: byte lane
// l of lanes_[j] counts bit 8j + l, flushed before a lane can overflow.
class BitCounter {
 public:
  void Add(uint64_t h) {
    for (int j = 0; j < 8; ++j) lanes_[j] += kSpread[(h >> (8 * j)) & 0xff];
    if (++pending_ == 255) Flush();
  }
  // Bits set in more than half of the `n` values added: the SimHash majority vote.
  uint64_t Majority(uint32_t n) {
    Flush();
    uint64_t out = 0;
    for (int bit = 0; bit < 64; ++bit) {
      if (2 * ones_[bit] > n) out |= uint64_t{1} << bit;
    }
    return out;
  }

 private:
  void Flush() {
    for (int j = 0; j < 8; ++j) {
      for (int l = 0; l < 8; ++l) ones_[8 * j + l] += (lanes_[j] >> (8 * l)) & 0xff;
      lanes_[j] = 0;
    }
    pending_ = 0;
  }
  std::array<uint64_t, 8> lanes_{};
  std::array<uint32_t, 64> ones_{};
  int pending_ = 0;
};

}  // namespace

std::vector<std::string> ContentWords(std::string_view text, int max_words) {
  std::vector<std::string> words;
  ForEachContentWord(text, max_words, [&](std::string_view w) { words.emplace_back(w); });
  return words;
}

NearFingerprint SimHashFingerprint(std::string_view text, const FingerprintOptions& o) {
  thread_local std::vector<uint64_t> wh;  // word hashes, reused
  wh.clear();
  ForEachContentWord(text, o.lead_words, [&](std::string_view w) { wh.push_back(WordHash(w)); });
  NearFingerprint fp;
  if (static_cast<int>(wh.size()) < std::max(o.min_words, 1)) return fp;
  const size_t k = std::max<size_t>(1, std::min<size_t>(o.shingle_words, wh.size()));
  BitCounter votes;
  uint32_t shingles = 0;
  for (size_t i = 0; i + k <= wh.size(); ++i, ++shingles) {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t j = 0; j < k; ++j) h = Mix(h ^ (wh[i + j] + j));
    votes.Add(h);
  }
  // The vote of a bit is (ones - zeros) > 0, i.e. 2 * ones > shingles.
  fp.simhash = votes.Majority(shingles);
  fp.valid = true;
  return fp;
}

std::vector<std::string> LegacyClusters(const std::vector<LegacyArticle>& articles) {
  std::vector<std::string> cluster(articles.size());
  std::vector<NearFingerprint> fps(articles.size());
  absl::flat_hash_map<std::string, size_t> first_by_key;  // "u:" url, "h:" content hash
  for (size_t i = 0; i < articles.size(); ++i) {
    const LegacyArticle& a = articles[i];
    fps[i] = SimHashFingerprint(a.text);
    std::optional<size_t> copies;
    int best = 4;
    if (fps[i].valid) {
      for (size_t j = 0; j < i; ++j) {
        if (!fps[j].valid) continue;
        const int d = HammingDistance(fps[i].simhash, fps[j].simhash);
        if (d < best) best = d, copies = j;  // strict: ties keep the oldest
      }
    }
    const std::string hash = ContentHash(a.text);
    for (const std::string& key :
         {a.url.empty() ? "" : "u:" + a.url, hash.empty() ? "" : "h:" + hash}) {
      if (key.empty()) continue;
      if (auto it = first_by_key.find(key); it != first_by_key.end()) {
        copies = it->second;
        break;
      }
    }
    cluster[i] = copies ? cluster[*copies] : a.id;
    for (const std::string& key :
         {a.url.empty() ? "" : "u:" + a.url, hash.empty() ? "" : "h:" + hash}) {
      if (!key.empty()) first_by_key.emplace(key, i);
    }
  }
  return cluster;
}

}  // namespace ww::dedup::legacy
