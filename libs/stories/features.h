#pragma once
// What an article says, as evidence that two reports are about one event: terms in five
// groups, weighed by TF-IDF against a vocabulary learnt from the stream.
//
//   words    content words (stop words and words under 3 letters left out), lowercased,
//            cut to their first 7 letters (a crude stem: "sentenced" and "sentence" meet)
//   bigrams  two such words in a row (no number or stop word between)
//   names    capitalised words not opening a sentence, and runs of them as one phrase
//            ("tony thompson"): the people, places and organisations a report names,
//            watched or not
//   numbers  numbers as written ("485", "6.1", "2009"): tolls, magnitudes, scores, dates
//   title    the words of the headline
// and the years it mentions (1950-2049), which tell two events of one kind apart.
//
// Pure and thread-safe except Vocabulary, which one owner mutates.
#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace ww::stories {

enum Group : int { kWords = 0, kBigrams, kNames, kNumbers, kTitle, kGroups };

// Terms of one group with their counts, sorted by key, keys unique. A key is a stable hash
// of the group and the term (the same on every machine and run).
using TermCounts = std::vector<std::pair<uint64_t, uint32_t>>;

struct ArticleTerms {
  std::array<TermCounts, kGroups> groups;
  std::vector<uint16_t> years;  // distinct, ascending
  // The headline's words as one key (0: no headline). Counted by the vocabulary like a term,
  // so that a headline many reports share ("Live updates", "Morning briefing", a feed's
  // constant title) is known for what it is: no evidence that they report one event.
  uint64_t headline = 0;
};

// `title` is the headline; `text` paragraphs separated by '\n'.
ArticleTerms ExtractTerms(std::string_view title, std::string_view text);

// A weighted term; vectors are sorted by key.
struct Term {
  uint64_t key;
  float weight;
};
using TermVector = std::vector<Term>;

// Dot product of two key-sorted vectors.
double Dot(const TermVector& a, const TermVector& b);
double Norm(const TermVector& v);
// a + b (both key-sorted; the result too).
TermVector Sum(const TermVector& a, const TermVector& b);

// Document frequencies learnt from the stream: how many articles carried each term.
class Vocabulary {
 public:
  // Counts one article (every term of every group once, and its headline), then weighs
  // each group as Weigh does, keeping keep[g] terms.
  std::array<TermVector, kGroups> AddAndWeigh(const ArticleTerms& terms,
                                              const std::array<size_t, kGroups>& keep);
  // Undoes Add (for a rolled-back transaction).
  void Remove(const ArticleTerms& terms);
  // The `k` terms of `counts` with the highest (1 + ln tf) * ln((N + 1) / (df + 0.5)),
  // ties by key, L2-normalised, sorted by key.
  TermVector Weigh(const TermCounts& counts, size_t k) const;
  // Forgets terms seen once when more than `max_terms` are kept (bounded memory).
  void Prune(size_t max_terms);
  // Reports counted so far that carried this key (a term's or a headline's).
  uint32_t frequency(uint64_t key) const;
  uint64_t documents() const { return documents_; }
  size_t terms() const { return size_ + (zero_count_ > 0 ? 1 : 0); }

 private:
  // The counts by key: open addressing with linear probing over slots of key and count, at
  // most half full, a key's home slot from its low bits (keys are mixed hashes). Key 0 marks
  // an empty slot, so the key 0 is counted apart. A slot's address is known before it is
  // read, so a report's few hundred terms are prefetched ahead of use and their cache misses
  // overlap (absl's flat_hash_map::prefetch compiles to nothing in Debian's build with NDEBUG,
  // and a report's terms are mostly misses in a table of millions).
  struct Slot {
    uint64_t key = 0;
    uint32_t count = 0;
  };
  size_t Home(uint64_t key) const { return static_cast<size_t>(key) & (slots_.size() - 1); }
  void Prefetch(uint64_t key) const { __builtin_prefetch(&slots_[Home(key)]); }
  // The count of `key`, inserted at 0 when absent.
  uint32_t& Counter(uint64_t key);
  // Takes one from the count of `key`; forgets it at 0. Nothing for an absent key.
  void Decrement(uint64_t key);
  // Empties slot i (occupied) and moves back the entries after it that may live there.
  void EraseAt(size_t i);
  // Doubles the table.
  void Grow();

  std::vector<Slot> slots_ = std::vector<Slot>(1024);
  size_t size_ = 0;  // keys in slots_
  uint32_t zero_count_ = 0;
  uint64_t documents_ = 0;
};

}  // namespace ww::stories
