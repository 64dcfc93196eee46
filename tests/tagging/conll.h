#pragma once
// A CoNLL file (one "TOKEN TAG" a line, blank lines between sentences, -DOCSTART- between
// documents) as one text and its gold entity spans: tokens joined by spaces, a sentence a
// line, a document a paragraph; a gold mention is a run of tokens with one tag (IO tags,
// as wikigold's). Header-only, for the tagging tests and the precision evaluation.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace ww::tagging::testing {

struct GoldSpan {
  size_t start = 0, end = 0;  // byte offsets into ConllText::text
  std::string tag;            // I-LOC, I-PER, I-ORG, I-MISC
};

struct ConllText {
  std::string text;
  std::vector<GoldSpan> gold;
  std::vector<size_t> documents;  // where each document starts in `text`
};

// Empty when the file cannot be read.
inline ConllText ReadConll(const std::string& path) {
  ConllText out;
  std::ifstream in(path);
  std::string line, open_tag;
  size_t open_start = 0;
  auto close = [&] {
    if (!open_tag.empty()) out.gold.push_back({open_start, out.text.size(), open_tag});
    open_tag.clear();
  };
  while (std::getline(in, line)) {
    if (line.empty() || absl::StartsWith(line, "-DOCSTART-")) {
      close();
      if (!out.text.empty() && out.text.back() != '\n') out.text += '\n';
      if (absl::StartsWith(line, "-DOCSTART-")) out.documents.push_back(out.text.size());
      continue;
    }
    const size_t sp = line.rfind(' ');
    if (sp == std::string::npos) continue;
    const std::string token = line.substr(0, sp), tag = line.substr(sp + 1);
    if (tag != open_tag) close();
    if (!out.text.empty() && out.text.back() != '\n') out.text += ' ';
    if (tag != "O" && open_tag.empty()) {
      open_tag = tag;
      open_start = out.text.size();
    }
    out.text += token;
  }
  close();
  if (out.documents.empty() || out.documents.front() != 0) {
    out.documents.insert(out.documents.begin(), 0);
  }
  return out;
}

}  // namespace ww::tagging::testing
