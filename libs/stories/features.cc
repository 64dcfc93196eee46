#include "libs/stories/features.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>

#include "libs/runtime/ids.h"
#include "libs/text/utf8.h"

namespace ww::stories {
namespace {

constexpr size_t kStemLetters = 7;
constexpr uint64_t kFnvBasis = 1469598103934665603ULL;  // runtime::Fnv1a64's

// runtime::Fnv1a64 continued over more bytes: Fnv(a + b) == FnvMore(Fnv(a), b), so a
// phrase's hash is built from its words' as they are read.
uint64_t FnvMore(uint64_t h, std::string_view data) {
  for (unsigned char c : data) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// A fixed set of lowercase ASCII words, looked up by the FNV hash of a word's first
// kStemLetters letters (its stem's hash, which ExtractTerms computes for every word anyway):
// one probe in a small table and a compare, instead of hashing the word once more.
class WordSet {
 public:
  WordSet(std::initializer_list<std::string_view> words) {
    for (std::string_view w : words) {
      const uint64_t h = FnvMore(kFnvBasis, w.substr(0, kStemLetters));
      size_t i = h & kMask;
      while (!slots_[i].word.empty()) i = (i + 1) & kMask;
      slots_[i] = {h, w};
    }
  }
  bool Contains(uint64_t stem_hash, std::string_view word) const {
    for (size_t i = stem_hash & kMask; !slots_[i].word.empty(); i = (i + 1) & kMask) {
      if (slots_[i].hash == stem_hash && slots_[i].word == word) return true;
    }
    return false;
  }

 private:
  static constexpr size_t kMask = 511;  // room for 512 words; fewer than half used
  struct Slot {
    uint64_t hash = 0;
    std::string_view word;
  };
  std::array<Slot, kMask + 1> slots_{};
};

// English function words and reporting verbs: evidence of nothing. Other languages rely on
// the vocabulary (a frequent word weighs little).
const WordSet& StopWords() {
  static const auto* words = new WordSet{
      "a",       "about",  "above",  "after", "again",  "against",  "all",        "also",
      "am",      "an",     "and",    "any",   "are",    "as",       "at",         "be",
      "because", "been",   "before", "being", "below",  "between",  "both",       "but",
      "by",      "can",    "could",  "did",   "do",     "does",     "doing",      "down",
      "during",  "each",   "few",    "for",   "from",   "further",  "had",        "has",
      "have",    "having", "he",     "her",   "here",   "hers",     "herself",    "him",
      "himself", "his",    "how",    "i",     "if",     "in",       "into",       "is",
      "it",      "its",    "itself", "just",  "me",     "more",     "most",       "my",
      "myself",  "no",     "nor",    "not",   "now",    "of",       "off",        "on",
      "once",    "only",   "or",     "other", "our",    "ours",     "ourselves",  "out",
      "over",    "own",    "same",   "she",   "should", "so",       "some",       "such",
      "than",    "that",   "the",    "their", "theirs", "them",     "themselves", "then",
      "there",   "these",  "they",   "this",  "those",  "through",  "to",         "too",
      "under",   "until",  "up",     "very",  "was",    "we",       "were",       "what",
      "when",    "where",  "which",  "while", "who",    "whom",     "why",        "will",
      "with",    "would",  "you",    "your",  "yours",  "yourself", "yourselves", "said",
      "says",    "say",    "told",   "one",   "two",    "new",      "may",        "might",
      "must",    "shall",  "us",     "it's",  "mr",     "mrs",      "ms"};
  return *words;
}

// Capitalised, but times, not names: they stay words (and a date's numbers count).
const WordSet& NotNames() {
  static const auto* words = new WordSet{
      "monday",   "tuesday",  "wednesday", "thursday", "friday", "saturday", "sunday", "january",
      "february", "march",    "april",     "may",      "june",   "july",     "august", "september",
      "october",  "november", "december",  "jan",      "feb",    "mar",      "apr",    "jun",
      "jul",      "aug",      "sep",       "sept",     "oct",    "nov",      "dec"};
  return *words;
}

// A term's key from the FNV hash of its text.
uint64_t Key(Group g, uint64_t fnv) {
  return runtime::Mix64(fnv + 0x9e3779b97f4a7c15ULL * (g + 1));
}

bool IsDigit(char32_t cp) { return cp >= '0' && cp <= '9'; }
bool IsApostrophe(char32_t cp) { return cp == '\'' || cp == 0x2019; }
bool IsAsciiLetter(unsigned char b) { return static_cast<unsigned char>((b | 0x20) - 'a') < 26; }
bool IsAsciiDigit(unsigned char b) { return static_cast<unsigned char>(b - '0') < 10; }

// One token of a paragraph: a word (a letter, then letters, apostrophes and hyphens) or a
// number (a digit, then digits, ',', '.' and ':'). `lower` is lowercased UTF-8 and lives
// until the next token is read.
struct TokenView {
  std::string_view lower;
  size_t stem_bytes = 0;  // bytes of its first kStemLetters characters
  size_t letters = 0;     // characters
  bool number = false;
  bool capitalised = false;
  bool sentence_start = false;
};

// Calls f(const TokenView&) for each token of one paragraph, reading it once; `scratch`
// holds the current token (no allocation per token).
template <typename F>
void ForEachToken(std::string_view p, std::string& scratch, F&& f) {
  size_t i = 0;
  bool sentence_start = true;
  while (i < p.size()) {
    // ASCII that is not a letter or digit: a separator, decided without decoding.
    if (const auto b = static_cast<unsigned char>(p[i]);
        b < 0x80 && !IsAsciiLetter(b) && !IsAsciiDigit(b)) {
      if (b == '.' || b == '!' || b == '?') sentence_start = true;
      ++i;
      continue;
    }
    const text::DecodedCodePoint d = text::DecodeUtf8(p, i);
    if (!text::IsWordChar(d.cp)) {
      if (d.cp == '.' || d.cp == '!' || d.cp == '?') sentence_start = true;
      i += d.length;
      continue;
    }
    TokenView t;
    t.number = IsDigit(d.cp);
    t.capitalised = !t.number && text::IsUpperCase(d.cp);
    t.sentence_start = sentence_start;
    sentence_start = false;
    scratch.clear();
    while (i < p.size()) {
      if (const auto b = static_cast<unsigned char>(p[i]); b < 0x80) {
        // ASCII: letters (lowercased), digits, and the punctuation a token may hold.
        const bool take = t.number ? (IsAsciiDigit(b) || b == ',' || b == '.' || b == ':')
                                   : (IsAsciiLetter(b) || b == '\'' || b == '-');
        if (!take) break;
        scratch.push_back(static_cast<char>(IsAsciiLetter(b) ? (b | 0x20) : b));
        ++i;
      } else {
        const text::DecodedCodePoint c = text::DecodeUtf8(p, i);
        const bool take = t.number ? (IsDigit(c.cp) || c.cp == ',' || c.cp == '.' || c.cp == ':')
                                   : ((text::IsWordChar(c.cp) && !IsDigit(c.cp)) ||
                                      IsApostrophe(c.cp) || c.cp == '-');
        if (!take) break;
        if (IsApostrophe(c.cp)) {
          scratch.push_back('\'');
        } else {
          text::AppendUtf8(text::ToLowerCase(c.cp), &scratch);
        }
        i += c.length;
      }
      if (++t.letters == kStemLetters) t.stem_bytes = scratch.size();
    }
    if (t.letters < kStemLetters) t.stem_bytes = scratch.size();
    if (t.number) {
      while (!scratch.empty() &&
             (scratch.back() == '.' || scratch.back() == ',' || scratch.back() == ':')) {
        scratch.pop_back();
        // A number that ends a sentence ("in 2009.") opens the next one.
        sentence_start = true;
      }
    }
    t.lower = scratch;
    f(t);
  }
}

// Dot product when `small` has far fewer terms than `large` (a report against a big story's
// centroid): each term of `small` is searched for in what is left of `large`, by galloping.
double DotSparse(const TermVector& small, const TermVector& large) {
  double s = 0;
  auto from = large.begin();
  for (const Term& t : small) {
    // Gallop: widen the step until past t.key, then binary search within the last step.
    size_t step = 1;
    auto hi = from;
    while (hi != large.end() && hi->key < t.key) {
      from = hi;
      hi = static_cast<size_t>(large.end() - hi) > step ? hi + static_cast<std::ptrdiff_t>(step)
                                                        : large.end();
      step *= 2;
    }
    from = std::lower_bound(from, hi, t.key, [](const Term& x, uint64_t k) { return x.key < k; });
    if (from == large.end()) break;
    if (from->key == t.key) s += static_cast<double>(t.weight) * from->weight;
  }
  return s;
}

// Sorts keys (mixed hashes: uniform). Few: std::sort. Many: a counting sort by the top
// byte, which leaves only each bucket's few keys (and a word's repeats) out of order, then
// an insertion sort, which orders them in a step or two each: cheaper than std::sort's
// mispredicted comparisons at a few hundred keys.
void SortKeys(std::vector<uint64_t>& keys) {
  const size_t n = keys.size();
  if (n < 64) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  thread_local std::vector<uint64_t> sorted;
  std::array<uint32_t, 257> start{};
  for (uint64_t k : keys) ++start[(k >> 56) + 1];
  // A crowded bucket (a hostile text of words chosen to share a top byte, or very many
  // terms) would make the insertion sort quadratic.
  if (*std::max_element(start.begin(), start.end()) > 64) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
  sorted.resize(n);
  for (uint64_t k : keys) sorted[start[k >> 56]++] = k;
  for (size_t i = 1; i < n; ++i) {
    const uint64_t k = sorted[i];
    size_t j = i;
    for (; j > 0 && sorted[j - 1] > k; --j) sorted[j] = sorted[j - 1];
    sorted[j] = k;
  }
  keys.swap(sorted);
}

// Sorted keys to (key, count) pairs.
TermCounts Count(std::vector<uint64_t>& keys) {
  SortKeys(keys);
  TermCounts out;
  for (size_t i = 0; i < keys.size();) {
    size_t j = i + 1;
    while (j < keys.size() && keys[j] == keys[i]) ++j;
    out.push_back({keys[i], static_cast<uint32_t>(j - i)});
    i = j;
  }
  return out;
}

// A year (1950-2049) written as four digits, else 0.
uint16_t Year(std::string_view number) {
  if (number.size() != 4) return 0;
  int y = 0;
  for (char c : number) {
    if (c < '0' || c > '9') return 0;
    y = y * 10 + (c - '0');
  }
  return y >= 1950 && y <= 2049 ? static_cast<uint16_t>(y) : 0;
}

}  // namespace

ArticleTerms ExtractTerms(std::string_view title, std::string_view text) {
  // Every term's key as it is met (counted by sorting at the end: cheaper than a map).
  std::array<std::vector<uint64_t>, kGroups> keys;
  keys[kWords].reserve(text.size() / 6);
  keys[kBigrams].reserve(text.size() / 6);
  std::vector<uint16_t> years;
  const auto& stop = StopWords();
  const auto& not_names = NotNames();
  std::string scratch;
  auto paragraph = [&](std::string_view p, bool is_title) {
    uint64_t run = kFnvBasis;  // the name run's hash ("tony thompson"), built word by word
    size_t run_words = 0;
    uint64_t prev = 0;  // the previous content word's stem hash (0: none)
    auto flush = [&] {
      if (run_words > 1) keys[kNames].push_back(Key(kNames, run));
      run = kFnvBasis;
      run_words = 0;
    };
    ForEachToken(p, scratch, [&](const TokenView& t) {
      const uint64_t stem = t.number ? 0 : FnvMore(kFnvBasis, t.lower.substr(0, t.stem_bytes));
      const bool stopword = !t.number && stop.Contains(stem, t.lower);
      const bool name =
          t.capitalised && !t.sentence_start && !stopword && !not_names.Contains(stem, t.lower);
      if (name) {
        if (run_words > 0) run = FnvMore(run, " ");
        run = FnvMore(run, t.lower);
        ++run_words;
      } else {
        flush();
      }
      if (t.number) {
        keys[kNumbers].push_back(Key(kNumbers, FnvMore(kFnvBasis, t.lower)));
        if (const uint16_t y = Year(t.lower); y != 0) years.push_back(y);
        prev = 0;
        return;
      }
      if (stopword || t.letters < 3) {
        prev = 0;
        return;
      }
      keys[kWords].push_back(Key(kWords, stem));
      if (is_title) keys[kTitle].push_back(Key(kTitle, stem));
      if (prev != 0) {
        keys[kBigrams].push_back(
            Key(kBigrams, FnvMore(FnvMore(prev, "_"), t.lower.substr(0, t.stem_bytes))));
      }
      prev = stem;
      if (name) {
        keys[kNames].push_back(Key(kNames, t.stem_bytes == t.lower.size()
                                               ? stem
                                               : FnvMore(stem, t.lower.substr(t.stem_bytes))));
      }
    });
    flush();
  };
  paragraph(title, true);
  ArticleTerms out;
  out.groups[kTitle] = Count(keys[kTitle]);
  // The headline's stems (and how often each), as one key.
  for (const auto& [key, n] : out.groups[kTitle]) out.headline += runtime::Mix64(key + n);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) paragraph(text.substr(start, end - start), false);
    start = end + 1;
  }
  for (int g = 0; g < kGroups; ++g) {
    if (g != kTitle) out.groups[g] = Count(keys[g]);
  }
  std::sort(years.begin(), years.end());
  years.erase(std::unique(years.begin(), years.end()), years.end());
  out.years = std::move(years);
  return out;
}

double Dot(const TermVector& a, const TermVector& b) {
  if (a.size() * 8 < b.size()) return DotSparse(a, b);
  if (b.size() * 8 < a.size()) return DotSparse(b, a);
  double s = 0;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].key < b[j].key) {
      ++i;
    } else if (b[j].key < a[i].key) {
      ++j;
    } else {
      s += static_cast<double>(a[i++].weight) * b[j++].weight;
    }
  }
  return s;
}

double Norm(const TermVector& v) {
  double s = 0;
  for (const Term& t : v) s += static_cast<double>(t.weight) * t.weight;
  return std::sqrt(s);
}

TermVector Sum(const TermVector& a, const TermVector& b) {
  TermVector out;
  out.reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].key < b[j].key)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].key < a[i].key) {
      out.push_back(b[j++]);
    } else {
      out.push_back({a[i].key, a[i].weight + b[j].weight});
      ++i;
      ++j;
    }
  }
  return out;
}

uint32_t Vocabulary::frequency(uint64_t key) const {
  if (key == 0) return zero_count_;
  for (size_t i = Home(key);; i = (i + 1) & (slots_.size() - 1)) {
    if (slots_[i].key == key) return slots_[i].count;
    if (slots_[i].key == 0) return 0;
  }
}

void Vocabulary::Grow() {
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(2 * slots_.size()));
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.key == 0) continue;
    size_t i = Home(s.key);
    while (slots_[i].key != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

uint32_t& Vocabulary::Counter(uint64_t key) {
  if (key == 0) return zero_count_;
  if (2 * (size_ + 1) > slots_.size()) {
    Grow();
  }
  const size_t mask = slots_.size() - 1;
  size_t i = Home(key);
  for (; slots_[i].key != 0; i = (i + 1) & mask) {
    if (slots_[i].key == key) return slots_[i].count;
  }
  slots_[i] = {key, 0};
  ++size_;
  return slots_[i].count;
}

void Vocabulary::Decrement(uint64_t key) {
  if (key == 0) {
    if (zero_count_ > 0) --zero_count_;
    return;
  }
  const size_t mask = slots_.size() - 1;
  size_t i = Home(key);
  for (; slots_[i].key != key; i = (i + 1) & mask) {
    if (slots_[i].key == 0) return;
  }
  if (--slots_[i].count > 0) return;
  EraseAt(i);
}

void Vocabulary::EraseAt(size_t i) {
  // Backward-shift deletion: entries after the hole that may live in it move back, so every
  // probe still meets its key before an empty slot.
  const size_t mask = slots_.size() - 1;
  --size_;
  for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
    if (slots_[j].key == 0) break;
    const size_t home = Home(slots_[j].key);
    // slots_[j] may move to i unless its home lies cyclically in (i, j].
    const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (stays) continue;
    slots_[i] = slots_[j];
    i = j;
  }
  slots_[i] = Slot{};
}

void Vocabulary::Remove(const ArticleTerms& terms) {
  --documents_;
  if (terms.headline != 0) Decrement(terms.headline);
  for (const TermCounts& g : terms.groups) {
    for (const auto& [key, n] : g) Decrement(key);
  }
}

namespace {

double TfIdf(uint32_t tf, double df, double documents) {
  return (1 + std::log(static_cast<double>(tf))) * std::log((documents + 1) / (df + 0.5));
}

// Keeps the k heaviest (ties by key), sorted by key, L2-normalised.
void KeepLeading(TermVector& v, size_t k) {
  if (v.size() > k) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end(),
                     [](const Term& a, const Term& b) {
                       return a.weight != b.weight ? a.weight > b.weight : a.key < b.key;
                     });
    v.resize(k);
  }
  std::sort(v.begin(), v.end(), [](const Term& a, const Term& b) { return a.key < b.key; });
  const double norm = Norm(v);
  if (norm > 0) {
    for (Term& t : v) t.weight = static_cast<float>(t.weight / norm);
  }
}

}  // namespace

TermVector Vocabulary::Weigh(const TermCounts& counts, size_t k) const {
  TermVector v;
  v.reserve(counts.size());
  const double n = static_cast<double>(documents_);
  for (const auto& [key, tf] : counts) {
    const double w = TfIdf(tf, frequency(key), n);
    if (w > 0) v.push_back({key, static_cast<float>(w)});
  }
  KeepLeading(v, k);
  return v;
}

std::array<TermVector, kGroups> Vocabulary::AddAndWeigh(const ArticleTerms& terms,
                                                        const std::array<size_t, kGroups>& keep) {
  ++documents_;
  if (terms.headline != 0) ++Counter(terms.headline);
  const double n = static_cast<double>(documents_);
  std::array<TermVector, kGroups> out;
  for (int g = 0; g < kGroups; ++g) {
    TermVector& v = out[g];
    const TermCounts& counts = terms.groups[g];
    v.reserve(counts.size());
    // Millions of terms do not fit a cache: ask for each term's slot some terms ahead.
    constexpr size_t kAhead = 16;
    for (size_t i = 0; i < counts.size() && i < kAhead; ++i) Prefetch(counts[i].first);
    for (size_t i = 0; i < counts.size(); ++i) {
      if (i + kAhead < counts.size()) Prefetch(counts[i + kAhead].first);
      const auto& [key, tf] = counts[i];
      const double w = TfIdf(tf, ++Counter(key), n);
      if (w > 0) v.push_back({key, static_cast<float>(w)});
    }
    KeepLeading(v, keep[g]);
  }
  return out;
}

void Vocabulary::Prune(size_t max_terms) {
  if (terms() <= max_terms) return;
  if (zero_count_ <= 1) zero_count_ = 0;
  // In place, keeping the capacity: the table would grow back to it anyway, and a rebuild
  // allocated (and faulted in) a new table and rehashed every survivor into it, then did so
  // again when it grew. Each term seen once is erased as Decrement erases (backward shift),
  // and the slot it left is looked at again: an entry shifted into it comes from further on
  // (not yet looked at) or, past the table's end, from its start (looked at: a survivor).
  for (size_t i = 0; i < slots_.size(); ++i) {
    while (slots_[i].key != 0 && slots_[i].count <= 1) EraseAt(i);
  }
}

}  // namespace ww::stories
