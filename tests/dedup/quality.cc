#include "tests/dedup/quality.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/numbers.h"

namespace ww::dedup::quality {

std::string SharedDataDir() {
  const char* src = std::getenv("WW_SOURCE_DIR");
  std::string dir = absl::StrCat(src ? src : ".", "/../shared/data");
  return std::filesystem::is_directory(dir) ? dir : "";
}

absl::StatusOr<std::vector<Doc>> LoadEcbPlus(const std::string& data_dir) {
  const std::string path =
      data_dir + "/near_duplicates/ecbplus/ecbplus_docs.topics01-22.derived.jsonl";
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::vector<Doc> docs;
  std::string line;
  while (std::getline(in, line)) {
    google::protobuf::Struct s;
    if (!google::protobuf::util::JsonStringToMessage(line, &s).ok()) continue;
    const auto& f = s.fields();
    Doc d;
    d.id = f.at("doc_id").string_value();
    d.base = d.id;
    d.subtopic = f.at("subtopic").string_value();
    std::vector<std::string> sentences;
    for (const auto& v : f.at("sentences").list_value().values()) sentences.push_back(v.string_value());
    d.title = sentences.empty() ? "" : sentences[0];
    d.text = absl::StrJoin(sentences, "\n");
    docs.push_back(std::move(d));
  }
  return docs;
}

std::vector<Doc> WithSyndicatedVariants(const std::vector<Doc>& docs, int per_doc, uint64_t seed) {
  static const char* kBylines[] = {"By Jane Smith, Staff Writer", "By ASSOCIATED PRESS",
                                   "By Reuters Staff", "From our correspondent",
                                   "Posted by newsdesk"};
  static const char* kDatelines[] = {"NEW YORK (AP) — ", "LONDON (Reuters) - ",
                                     "(CNN) -- ", "WASHINGTON — "};
  static const char* kFooters[] = {
      "Newspapers in English", "© 2024 Daily Planet Media. All rights reserved.",
      "Copyright 2024 The Associated Press. All rights reserved.",
      "Click here to subscribe to our newsletter.",
      "(Reporting by John Doe; Editing by Ann Roe)",
      "This story has been corrected to fix a typo.", "Follow us on Twitter and Facebook"};
  std::mt19937_64 rng(seed);
  auto chance = [&](double p) { return std::uniform_real_distribution<>(0, 1)(rng) < p; };
  auto pick = [&](auto& arr) { return arr[rng() % std::size(arr)]; };
  std::vector<Doc> out = docs;
  for (const Doc& d : docs) {
    for (int v = 1; v <= per_doc; ++v) {
      std::vector<std::string> paras = absl::StrSplit(d.text, '\n');
      if (paras.size() >= 3 && chance(0.8)) paras.pop_back();       // trimmed end
      if (chance(0.4)) paras[0] = pick(kDatelines) + paras[0];      // dateline
      if (paras.size() >= 3 && chance(0.3)) {
        paras.insert(paras.begin() + 2, "Read more: what we know so far");
      }
      if (chance(0.7)) paras.insert(paras.begin(), pick(kBylines));
      if (chance(0.8)) paras.push_back(pick(kFooters));
      if (chance(0.3)) paras.push_back("Advertisement");
      std::string text = absl::StrJoin(paras, "\n");
      if (chance(0.5)) {  // typography: curly quotes, doubled spaces
        std::string t;
        for (char c : text) {
          if (c == '\'') t += "’";
          else if (c == ' ' && chance(0.05)) t += "  ";
          else t += c;
        }
        text = std::move(t);
      }
      Doc c = d;
      c.id = absl::StrCat(d.id, "~v", v);
      c.title = absl::StrCat("UPDATE ", v, ": ", d.title.substr(0, 40));
      c.text = std::move(text);
      out.push_back(std::move(c));
    }
  }
  return out;
}

namespace {
void Score(const std::vector<Doc>& docs, const std::function<bool(size_t, size_t)>& same,
           PairCounts& c) {
  for (size_t i = 0; i < docs.size(); ++i) {
    for (size_t j = i + 1; j < docs.size(); ++j) {
      const bool gold = docs[i].base == docs[j].base;
      const bool got = same(i, j);
      if (gold && got) ++c.tp;
      if (gold && !got) ++c.fn;
      if (!gold && got) {
        ++c.fp;
        if (docs[i].subtopic == docs[j].subtopic) ++c.fp_same_event;
      }
    }
  }
}
}  // namespace

PairCounts ClusterAndScore(const std::vector<Doc>& docs, const ClustererOptions& options,
                           uint64_t order_seed) {
  std::vector<size_t> order(docs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 rng(order_seed);
  std::shuffle(order.begin(), order.end(), rng);
  auto clusterer = StoryClusterer::Create(options);
  std::vector<std::string> cluster(docs.size());
  int64_t now = 1'700'000'000'000;
  for (size_t i : order) {
    ArticleKey k;
    k.id = docs[i].id;
    k.title = docs[i].title;
    k.text = docs[i].text;
    cluster[i] = clusterer->Assign(std::move(k), now += 1000).cluster.id;
  }
  PairCounts c;
  Score(docs, [&](size_t i, size_t j) { return cluster[i] == cluster[j]; }, c);
  return c;
}

std::vector<PairCounts> DistanceCurve(const std::vector<Doc>& docs,
                                      const FingerprintOptions& options, int max_d) {
  std::vector<NearFingerprint> fps;
  for (const Doc& d : docs) fps.push_back(SimHashFingerprint(d.text, options));
  std::vector<PairCounts> curve(max_d + 1);
  for (int d = 0; d <= max_d; ++d) {
    Score(docs, [&](size_t i, size_t j) {
      return fps[i].valid && fps[j].valid && HammingDistance(fps[i].simhash, fps[j].simhash) <= d;
    }, curve[d]);
  }
  return curve;
}

absl::StatusOr<std::vector<HeadlinePair>> LoadEmmHeadlines(const std::string& data_dir) {
  std::vector<HeadlinePair> pairs;
  for (const char* year : {"2013", "2014", "2015", "2016"}) {
    const std::string path =
        absl::StrCat(data_dir, "/near_duplicates/sts-news-headlines/sts", year, "-headlines.tsv");
    std::ifstream in(path);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
    std::string line;
    while (std::getline(in, line)) {
      std::vector<std::string> f = absl::StrSplit(line, '\t');
      double score;
      if (f.size() < 3 || !absl::SimpleAtod(f[0], &score)) continue;  // unscored line
      pairs.push_back({score, f[1], f[2]});
    }
  }
  return pairs;
}

}  // namespace ww::dedup::quality
