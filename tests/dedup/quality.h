#pragma once
// Measuring "one story, one record" on real news (the shared data, never copied into the
// repo): ECB+ topics 1-22 and Reuters-21578 articles, each reprinted the ways outlets
// reprint a wire story, mixed with different stories on the same subject. Used by the
// quality test (asserts the targets through `wwctl dedup`), dedup_eval (prints the tables)
// and the benchmark (its corpus). Not thread-safe.
//
// What an outlet does to a wire story (Edit), each drawn with its own strength:
//   header     1-3 lines on top: "Outlet 3 edition", a byline, "Updated 3 hours ago", a
//              section name, share buttons, a photo credit, a reading time
//   footer     1-3 lines below: copyright, "Read more", a newsletter prompt, a tip line,
//              tags, "(Reporting by ...; Editing by ...)", "Advertisement"
//   teaser     the first third to half of the story (at least 40 words), cut mid-sentence
//              or at a sentence end, often with "Continue reading..."
//   trim       the last paragraphs dropped (up to a third, at least 60% kept)
//   insertion  a local paragraph (15-60 words, at most a quarter of the story) from another
//              real article, between two paragraphs
//   edits      1-6% of the words: synonyms, spelling, numbers as words, a typo, a dropped
//              or added word, upper case
//   headline   a new title
//   lead       the first paragraph rewritten in the outlet's words
//   reflow     paragraphs merged or split into sentences
// Every base story gets one copy per single edit (header ... headline, trim) and `mixed`
// copies that combine header, footer and headline with teaser or trim, and at random the
// lead rewrite, an insertion, word edits and reflow: "all" in the tables.
//
// Gold: copies of one base article are one story. Base articles that are themselves
// reprints of an earlier one (3-word-shingle containment >= 0.5, e.g. two outlets' copies
// of one AP story inside ECB+) are left out, so that gold says what the text says.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ww::dedup::quality {

struct Doc {
  std::string id;        // e.g. "1_1ecb" or "1_1ecb~teaser", "r123~mix0"
  std::string base;      // the article it comes from: the gold story
  std::string topic;     // ECB+ topic ("ecb1") or Reuters category ("reuters-earn")
  std::string subtopic;  // ECB+ event ("1_ecb"); the base id for Reuters
  std::string kind;      // "original", an edit name, or "all:<edits joined by +>"
  std::string title;
  std::string text;
  std::string source;  // the outlet
};

// $WW_SOURCE_DIR/../shared/data, or empty when that folder is absent.
std::string SharedDataDir();

// The ECB+ documents (sentences as paragraphs, the first one as title). NotFound when the
// file is absent.
absl::StatusOr<std::vector<Doc>> LoadEcbPlus(const std::string& data_dir);
// The same from a file of that format (doc_id, topic, subtopic, sentences a line).
absl::StatusOr<std::vector<Doc>> LoadEcbPlusFile(const std::string& path);

// Reuters-21578 stories with a body of at least 60 words, in a seeded random order.
absl::StatusOr<std::vector<Doc>> LoadReuters(const std::string& data_dir, uint64_t seed);

struct SetOptions {
  uint64_t seed = 1;
  size_t reuters_stories = 600;  // base stories from Reuters, besides the ECB+ ones
  int mixed = 2;                 // "all" copies per base story
};

// The evaluation set: base stories (ECB+ and Reuters, reprints left out), each with its
// copies, shuffled. Deterministic for the options.
absl::StatusOr<std::vector<Doc>> BuildSyndicationSet(const std::string& data_dir,
                                                     const SetOptions& options);

// One JSON object a line: id, title, text, source (what `wwctl dedup` reads).
std::string ToJsonLines(const std::vector<Doc>& docs);

struct PairCounts {
  int64_t tp = 0, fp = 0, fn = 0;
  int64_t fp_same_event = 0;  // merged different articles of one ECB+ event
  int64_t fp_hard = 0;        // merged different events of one ECB+ topic (hard negatives)
  double precision() const { return tp + fp == 0 ? 1.0 : double(tp) / double(tp + fp); }
  double recall() const { return tp + fn == 0 ? 1.0 : double(tp) / double(tp + fn); }
};

struct Scores {
  PairCounts all;
  // Per kind of copy: of the pairs (a copy of this kind, another copy or the original of
  // its story), the share that ended up in one cluster.
  std::map<std::string, double> recall_by_kind;
};

// Runs `wwctl <command> --output json` (the binary at `wwctl`; command "dedup", or e.g.
// "stories --vocabulary FILE") on `docs` written as JSON lines to `set_path`, and returns
// each doc's `field` ("cluster", "story"), in docs' order. Internal error when the command
// fails or its output misses a doc.
absl::StatusOr<std::vector<std::string>> ClusterWithWwctl(const std::string& wwctl,
                                                          const std::string& set_path,
                                                          const std::vector<Doc>& docs,
                                                          const std::string& command = "dedup",
                                                          const std::string& field = "cluster");

// Pairwise scores of a clustering: `cluster[i]` is docs[i]'s cluster.
Scores Score(const std::vector<Doc>& docs, const std::vector<std::string>& cluster);

}  // namespace ww::dedup::quality
