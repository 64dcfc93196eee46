#include "libs/dedup/simhash.h"

#include <array>

#include "libs/runtime/ids.h"
#include "libs/text/normalize.h"

namespace ww::dedup {
namespace {

using runtime::Mix64;
inline uint64_t Mix(uint64_t x) { return Mix64(x); }

// Word characters: ASCII letters and digits and every non-ASCII byte (letters of other
// scripts; Normalize has already folded punctuation variants to ASCII).
inline bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80 || (c >= 'A' && c <= 'Z');
}

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

int CountWords(std::string_view s) {
  int n = 0;
  ForEachWord(s, [&](std::string_view) { return ++n, true; });
  return n;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Markers of lines that outlets add; matched on the folded (lower-case) paragraph.
constexpr std::array<std::string_view, 27> kMarkers = {
    "newspapers in english", "read more",         "click here",       "all rights reserved",
    "copyright",             "\xc2\xa9",          "subscribe",        "sign up",
    "follow us",             "share this",        "reporting by",     "editing by",
    "writing by",            "originally appeared", "originally published",
    "contributed to this report", "see also",     "related:",         "related coverage",
    "advertisement",         "for more news",     "this story has been", "this article has been",
    "download our app",      "get the latest",    "sent from my",     "continue reading"};

// "NEW YORK (AP) — ", "LONDON (Reuters) - ", "(CNN) -- ": an upper-case place or agency
// before a dash at the start of the first paragraph. Returns the length to skip, or 0.
size_t DatelineLength(std::string_view p) {
  static constexpr std::string_view kDashes[] = {" \xe2\x80\x94 ", " \xe2\x80\x93 ", " -- ", " - "};
  for (std::string_view dash : kDashes) {
    size_t at = p.find(dash);
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
  const int words = CountWords(p);
  if (words < 3) return true;  // "Advertisement", "Photo", a lone dateline
  size_t b = p.find_first_not_of(' ');
  std::string_view t = b == std::string_view::npos ? std::string_view() : p.substr(b);
  if (words <= 8 && (StartsWith(t, "by ") || StartsWith(t, "from ") || StartsWith(t, "posted "))) {
    return true;  // byline
  }
  if (words > 40) return false;  // a real paragraph may mention "copyright" in passing
  for (std::string_view m : kMarkers) {
    if (t.find(m) != std::string_view::npos) return true;
  }
  return false;
}

std::vector<std::string> ContentWords(std::string_view text, int max_words) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos <= text.size() && static_cast<int>(words.size()) < max_words) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (words.empty()) line.remove_prefix(DatelineLength(line));
    std::string folded = text::NormalizeText(line);
    if (IsBoilerplateParagraph(folded)) continue;
    ForEachWord(folded, [&](std::string_view w) {
      words.emplace_back(w);
      return static_cast<int>(words.size()) < max_words;
    });
  }
  return words;
}

NearFingerprint SimHashFingerprint(std::string_view text, const FingerprintOptions& o) {
  std::vector<std::string> words = ContentWords(text, o.lead_words);
  NearFingerprint fp;
  if (static_cast<int>(words.size()) < std::max(o.min_words, 1)) return fp;
  std::vector<uint64_t> wh(words.size());
  for (size_t i = 0; i < words.size(); ++i) wh[i] = WordHash(words[i]);
  const size_t k = std::max<size_t>(1, std::min<size_t>(o.shingle_words, words.size()));
  std::array<int32_t, 64> v{};
  for (size_t i = 0; i + k <= wh.size(); ++i) {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t j = 0; j < k; ++j) h = Mix(h ^ (wh[i + j] + j));
    for (int bit = 0; bit < 64; ++bit) v[bit] += ((h >> bit) & 1) ? 1 : -1;
  }
  for (int bit = 0; bit < 64; ++bit) {
    if (v[bit] > 0) fp.simhash |= uint64_t{1} << bit;
  }
  fp.valid = true;
  return fp;
}

}  // namespace ww::dedup
