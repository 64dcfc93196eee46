#include "tests/dedup/quality.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "libs/dedup/shingles.h"

namespace ww::dedup::quality {
namespace {

// Draws from a seeded generator; the same calls give the same values on every machine.
class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  double Uniform() { return static_cast<double>(g_() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Uniform() < p; }
  int Int(int lo, int hi) {
    return lo + static_cast<int>(g_() % static_cast<uint64_t>(hi - lo + 1));
  }
  double Between(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[g_() % v.size()];
  }
  std::mt19937_64& engine() { return g_; }

 private:
  std::mt19937_64 g_;
};

// ECB+ text is tokenised ("Reid 's", "`` American Pie ''"): undo the worst of it.
std::string Detokenise(std::string s) {
  static const std::vector<std::pair<std::string, std::string>> kFixes = {
      {" ,", ","}, {" .", "."},     {" 's", "'s"}, {" ;", ";"}, {"`` ", "\""}, {" ''", "\""},
      {" :", ":"}, {" n't", "n't"}, {"( ", "("},   {" )", ")"}, {" ?", "?"},   {" !", "!"}};
  for (const auto& [from, to] : kFixes) absl::StrReplaceAll({{from, to}}, &s);
  return s;
}

int Words(absl::string_view s) {
  int n = 0;
  bool in_word = false;
  for (char c : s) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}

int Words(const std::vector<std::string>& paras) {
  int n = 0;
  for (const std::string& p : paras) n += Words(p);
  return n;
}

std::string Latin1ToUtf8(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (unsigned char c : in) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::string Unescape(std::string s) {
  absl::StrReplaceAll({{"&lt;", "<"},
                       {"&gt;", ">"},
                       {"&quot;", "\""},
                       {"&#3;", ""},
                       {"&#2;", ""},
                       {"&#5;", ""},
                       {"&#22;", ""},
                       {"&#31;", ""},
                       {"&#1;", ""},
                       {"&#127;", ""}},
                      &s);
  absl::StrReplaceAll({{"&amp;", "&"}}, &s);
  return s;
}

absl::string_view Between(absl::string_view s, absl::string_view open, absl::string_view close) {
  size_t a = s.find(open);
  if (a == absl::string_view::npos) return {};
  a += open.size();
  size_t b = s.find(close, a);
  return b == absl::string_view::npos ? absl::string_view() : s.substr(a, b - a);
}

std::vector<std::string> Paragraphs(const Doc& d) { return absl::StrSplit(d.text, '\n'); }

// Distinct 3-word shingles of a text, for leaving out base articles that reprint another.
std::vector<uint64_t> ShingleSet(const std::string& text) {
  std::vector<uint64_t> s;
  ShingleHashes(text, 3, &s);
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
  return s;
}

// ---- what outlets add -------------------------------------------------------------------

const std::vector<std::string> kOutlets = {"Daily Planet",
                                           "The Morning Herald",
                                           "Northside Gazette",
                                           "Channel 7 News",
                                           "Metro Wire",
                                           "The Valley Times",
                                           "Coastal Courier",
                                           "WXYZ-TV",
                                           "The Capital Post",
                                           "Evening Standard-Tribune",
                                           "Global Affairs Today",
                                           "The Lakeside Journal",
                                           "Star Ledger Online",
                                           "Frontier Press",
                                           "Harbour Review",
                                           "Midland Examiner",
                                           "The Riverside Observer",
                                           "KTVB 9",
                                           "Pacific Daily",
                                           "The Northern Echo"};
const std::vector<std::string> kFirst = {"Jane",  "Maria", "Tom",   "Ahmed", "Li",   "Olga",
                                         "Pedro", "Sarah", "Kwame", "Yuki",  "Ines", "Rahul"};
const std::vector<std::string> kLast = {"Smith", "Lopez",    "Okafor", "Novak", "Chen", "Schmidt",
                                        "Rossi", "Kowalski", "Haddad", "Brown", "Sato", "Dubois"};
const std::vector<std::string> kMonths = {"Jan.", "Feb.", "March", "April", "May",  "June",
                                          "July", "Aug.", "Sept.", "Oct.",  "Nov.", "Dec."};

std::string Name(Rng& r) { return r.Pick(kFirst) + " " + r.Pick(kLast); }

std::vector<std::string> HeaderLines(Rng& r, const std::string& outlet) {
  const std::vector<std::function<std::string()>> kinds = {
      [&] { return outlet + " edition"; },
      [&] {
        return absl::StrCat(
            "By ", Name(r), ", ",
            r.Pick(std::vector<std::string>{"Staff Writer", "Associated Press", "Reuters",
                                            "Special to " + outlet, "Senior Correspondent"}));
      },
      [&] { return absl::AsciiStrToUpper(absl::StrCat("By ", Name(r))); },
      [&] { return absl::StrCat("Updated ", r.Int(1, 23), " hours ago"); },
      [&] {
        return absl::StrCat("Published ", r.Pick(kMonths), " ", r.Int(1, 28), ", ",
                            r.Int(2008, 2024), " ", r.Int(1, 12), ":", r.Int(10, 59), " ",
                            r.Pick(std::vector<std::string>{"a.m.", "p.m.", "EST", "GMT"}));
      },
      [&] {
        return r.Pick(std::vector<std::string>{"WORLD", "U.S. NEWS", "Entertainment",
                                               "Breaking News", "Local", "Business", "Sports",
                                               "Politics"});
      },
      [&] { return std::string("Share this article: Facebook | Twitter | Email"); },
      [&] { return absl::StrCat(r.Int(2, 9), " min read"); },
      [&] {
        return absl::StrCat(
            "Photo: ", r.Pick(std::vector<std::string>{"AP", "Reuters", "Getty Images", "AFP"}),
            " / ", Name(r));
      },
      [&] { return absl::StrCat("(", absl::AsciiStrToUpper(outlet), ") --"); },
      [&] { return std::string("Listen to this article"); },
  };
  std::vector<std::string> out;
  for (int i = r.Int(1, 3); i > 0; --i) out.push_back(kinds[r.engine()() % kinds.size()]());
  return out;
}

std::vector<std::string> FooterLines(Rng& r, const std::string& outlet) {
  std::string site = absl::AsciiStrToLower(outlet);
  site.erase(std::remove(site.begin(), site.end(), ' '), site.end());
  const std::vector<std::function<std::string()>> kinds = {
      [&] { return "Copyright " + outlet; },
      [&] {
        return absl::StrCat("\xc2\xa9 ", r.Int(2008, 2024), " ", outlet,
                            ". All rights reserved. This material may not be published, "
                            "broadcast, rewritten or redistributed.");
      },
      [&] {
        return "Read more: " +
               r.Pick(std::vector<std::string>{"What we know so far", "Full coverage",
                                               "Timeline of events", "Opinion: why it matters"});
      },
      [&] { return absl::StrCat("(Reporting by ", Name(r), "; Editing by ", Name(r), ")"); },
      [&] {
        return absl::StrCat("Sign up for the ", outlet,
                            " newsletter to get the day's top stories delivered to your inbox "
                            "every morning. You can unsubscribe at any time.");
      },
      [&] {
        return absl::StrCat("Follow ", outlet,
                            " on Twitter, Facebook and Instagram for the latest updates.");
      },
      [&] {
        return absl::StrCat("Have a news tip? Contact our newsroom at tips@", site,
                            ".example or call 555-", r.Int(1000, 9999), ".");
      },
      [&] { return std::string("This story has been updated with additional information."); },
      [&] {
        std::vector<std::string> tags = {"news",          "world",    "crime", "politics",
                                         "entertainment", "breaking", "local"};
        std::shuffle(tags.begin(), tags.end(), r.engine());
        return "Tags: " + tags[0] + ", " + tags[1] + ", " + tags[2];
      },
      [&] {
        return std::string(
            "Comments are closed for this article. Please read our community "
            "guidelines before posting.");
      },
      [&] { return std::string("Advertisement"); },
      [&] { return std::string("The Associated Press contributed to this report."); },
  };
  std::vector<std::string> out;
  for (int i = r.Int(1, 3); i > 0; --i) out.push_back(kinds[r.engine()() % kinds.size()]());
  return out;
}

// ---- light word edits -------------------------------------------------------------------

const std::unordered_map<std::string, std::vector<std::string>>& Synonyms() {
  static const auto* kSyn = new std::unordered_map<std::string, std::vector<std::string>>{
      {"said", {"told reporters", "stated", "added", "says"}},
      {"says", {"said"}},
      {"told", {"informed"}},
      {"after", {"following"}},
      {"before", {"prior to"}},
      {"about", {"around", "roughly"}},
      {"police", {"officers", "authorities"}},
      {"people", {"persons", "individuals"}},
      {"killed", {"died", "were killed"}},
      {"big", {"large"}},
      {"large", {"big", "major"}},
      {"also", {""}},
      {"very", {""}},
      {"the", {""}},
      {"a", {"one"}},
      {"and", {"&", "as well as"}},
      {"but", {"however"}},
      {"because", {"since", "as"}},
      {"near", {"close to"}},
      {"Monday", {"on Monday"}},
      {"announced", {"revealed", "confirmed"}},
      {"reported", {"said"}},
      {"according", {"per"}},
      {"officials", {"authorities"}},
      {"arrested", {"detained", "taken into custody"}},
      {"company", {"firm"}},
      {"percent", {"pct", "%", "per cent"}},
      {"pct", {"percent", "per cent"}},
      {"mln", {"million"}},
      {"dlrs", {"dollars"}},
      {"billion", {"bln"}},
      {"organization", {"organisation"}},
      {"center", {"centre"}},
      {"color", {"colour"}}};
  return *kSyn;
}

std::vector<std::string> WordEdits(Rng& r, const std::vector<std::string>& paras, double rate) {
  static const std::map<std::string, std::string> kNumbers = {
      {"1", "one"}, {"2", "two"},   {"3", "three"}, {"4", "four"}, {"5", "five"},
      {"6", "six"}, {"7", "seven"}, {"8", "eight"}, {"9", "nine"}, {"10", "ten"}};
  static const std::vector<std::string> kAdded = {"reportedly", "also", "now", "still",
                                                  "local",      "new",  "said"};
  std::vector<std::string> out;
  for (const std::string& p : paras) {
    std::vector<std::string> words;
    for (absl::string_view t : absl::StrSplit(p, ' ')) {
      std::string tok(t);
      if (!r.Chance(rate)) {
        words.push_back(tok);
        continue;
      }
      const std::string core(absl::StripSuffix(absl::StripPrefix(tok, "\""), "\""));
      std::string bare(core);
      while (!bare.empty() && absl::StrContains(".,;:'()", bare.back())) {
        bare.pop_back();
      }
      const double kind = r.Uniform();
      auto replace = [&](const std::string& with) {
        std::string t2 = tok;
        t2.replace(t2.find(bare), bare.size(), with);
        return t2;
      };
      if (auto s = Synonyms().find(bare); !bare.empty() && s != Synonyms().end()) {
        words.push_back(replace(r.Pick(s->second)));
      } else if (auto n = kNumbers.find(bare); !bare.empty() && n != kNumbers.end()) {
        words.push_back(replace(n->second));
      } else if (kind < 0.25 && bare.size() > 3) {  // a typo: two letters swapped
        std::string typo = bare;
        const size_t i = r.engine()() % (typo.size() - 1);
        std::swap(typo[i], typo[i + 1]);
        words.push_back(replace(typo));
      } else if (kind < 0.5) {
        // the word dropped
      } else if (kind < 0.7) {
        words.push_back(tok);
        words.push_back(r.Pick(kAdded));
      } else {
        words.push_back(r.Chance(0.3) ? absl::AsciiStrToUpper(tok) : tok);
      }
    }
    words.erase(std::remove(words.begin(), words.end(), ""), words.end());
    out.push_back(absl::StrJoin(words, " "));
  }
  return out;
}

// ---- a copy -----------------------------------------------------------------------------

struct Copy {
  std::string title, text, outlet;
};

Copy MakeCopy(Rng& r, const Doc& base, const std::set<std::string>& edits,
              const std::vector<Doc>& fillers) {
  std::vector<std::string> paras = Paragraphs(base);
  std::string title = base.title;
  const std::string outlet = r.Pick(kOutlets);
  const int total = Words(paras);
  if (edits.count("teaser") && total >= 80) {
    const std::string joined = absl::StrJoin(paras, " ");
    std::vector<absl::string_view> all = absl::StrSplit(joined, ' ');
    const size_t n = std::max<size_t>(40, static_cast<size_t>(all.size() * r.Between(0.33, 0.55)));
    std::string cut = absl::StrJoin(all.begin(), all.begin() + std::min(n, all.size()), " ");
    if (r.Chance(0.5)) {  // at a sentence end, when there is one in the second half
      const size_t dot = cut.rfind(". ");
      if (dot != std::string::npos && dot > cut.size() / 2) cut = cut.substr(0, dot + 1);
    }
    std::vector<std::string> teaser;
    size_t used = 0;
    for (const std::string& p : paras) {  // the original paragraph breaks
      if (used >= cut.size()) break;
      std::string piece(absl::StripAsciiWhitespace(cut.substr(used, p.size())));
      if (!piece.empty()) teaser.push_back(piece);
      used += p.size() + 1;
    }
    paras = teaser;
    if (r.Chance(0.6)) {
      paras.push_back(r.Pick(std::vector<std::string>{"Read the full story at " + outlet + ".",
                                                      "Continue reading...", "(Story continues)",
                                                      "Click here for the full article."}));
    }
  }
  if (edits.count("trim") && paras.size() >= 3) {
    int k = r.Int(1, std::max<int>(1, static_cast<int>(paras.size()) / 3));
    while (k > 0 && Words(std::vector<std::string>(paras.begin(), paras.end() - k)) < 0.6 * total)
      --k;
    paras.resize(paras.size() - k);
  }
  if (edits.count("insertion") && paras.size() >= 2) {
    const Doc& f = fillers[r.engine()() % fillers.size()];
    const int limit = std::max(15, std::min(60, Words(paras) / 4));
    std::vector<absl::string_view> fw =
        absl::StrSplit(f.text, absl::ByAnyChar(" \n"), absl::SkipEmpty());
    const size_t take = std::min<size_t>(fw.size(), r.Int(15, limit));
    std::string ins = absl::StrJoin(fw.begin(), fw.begin() + take, " ");
    if (size_t dot = ins.rfind(". "); dot != std::string::npos) ins = ins.substr(0, dot + 1);
    paras.insert(paras.begin() + r.Int(1, static_cast<int>(paras.size()) - 1), ins);
  }
  if (edits.count("edits")) paras = WordEdits(r, paras, r.Between(0.01, 0.06));
  if (edits.count("lead") && paras.size() >= 3 && Words(paras[0]) <= 0.3 * Words(paras)) {
    paras[0] = absl::StrCat(r.Pick(std::vector<std::string>{"Breaking", "Update", "Developing"}),
                            ": ", title, ", ", outlet, " reported.");
  }
  if (edits.count("header")) {
    std::vector<std::string> h = HeaderLines(r, outlet);
    paras.insert(paras.begin(), h.begin(), h.end());
  }
  if (edits.count("footer")) {
    std::vector<std::string> f = FooterLines(r, outlet);
    paras.insert(paras.end(), f.begin(), f.end());
  }
  if (edits.count("headline")) {
    std::vector<absl::string_view> tw = absl::StrSplit(title, ' ');
    tw.resize(std::min<size_t>(tw.size(), r.Int(3, 8)));
    title = r.Pick(std::vector<std::string>{absl::StrCat("UPDATE ", r.Int(1, 5), ": "), "",
                                            "WATCH: ", "BREAKING: "}) +
            absl::StrJoin(tw, " ");
  }
  if (edits.count("reflow")) {
    std::vector<std::string> flowed;
    if (r.Chance(0.5)) {  // paragraphs merged
      for (const std::string& p : paras) {
        if (!flowed.empty() && r.Chance(0.4)) {
          flowed.back() += " " + p;
        } else {
          flowed.push_back(p);
        }
      }
    } else {  // split into sentences
      for (const std::string& p : paras) {
        for (absl::string_view s : absl::StrSplit(p, ". ")) flowed.emplace_back(s);
      }
    }
    paras = flowed;
  }
  return {title, absl::StrJoin(paras, "\n"), outlet};
}

}  // namespace

std::string SharedDataDir() {
  const char* src = std::getenv("WW_SOURCE_DIR");
  std::string dir = absl::StrCat(src ? src : ".", "/../shared/data");
  return std::filesystem::is_directory(dir) ? dir : "";
}

absl::StatusOr<std::vector<Doc>> LoadEcbPlus(const std::string& data_dir) {
  return LoadEcbPlusFile(data_dir +
                         "/near_duplicates/ecbplus/ecbplus_docs.topics01-22.derived.jsonl");
}

absl::StatusOr<std::vector<Doc>> LoadEcbPlusFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::vector<Doc> docs;
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) continue;
    Doc d;
    d.id = j.value("doc_id", "");
    d.base = d.id;
    d.topic = absl::StrCat("ecb", j.value("topic", 0));
    d.subtopic = j.value("subtopic", "");
    d.kind = "original";
    d.source = "wire";
    std::vector<std::string> sentences;
    for (const auto& s : j["sentences"]) sentences.push_back(Detokenise(s.get<std::string>()));
    if (sentences.empty()) continue;
    d.title = sentences[0];
    if (sentences.size() > 2) sentences.erase(sentences.begin());
    d.text = absl::StrJoin(sentences, "\n");
    docs.push_back(std::move(d));
  }
  return docs;
}

absl::StatusOr<std::vector<Doc>> LoadReuters(const std::string& data_dir, uint64_t seed) {
  std::vector<Doc> docs;
  for (int f = 0; f < 22; ++f) {
    const std::string path =
        absl::StrCat(data_dir, "/corpus/reuters21578/reut2-", f < 10 ? "00" : "0", f, ".sgm");
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string all = Latin1ToUtf8(ss.str());
    absl::string_view rest(all);
    for (size_t at; (at = rest.find("<REUTERS")) != absl::string_view::npos;) {
      rest.remove_prefix(at);
      const size_t end = rest.find("</REUTERS>");
      if (end == absl::string_view::npos) break;
      const absl::string_view story = rest.substr(0, end);
      rest.remove_prefix(end);
      const absl::string_view id = Between(story, "NEWID=\"", "\"");
      const absl::string_view title = Between(story, "<TITLE>", "</TITLE>");
      const absl::string_view body = Between(story, "<BODY>", "</BODY>");
      const absl::string_view topics = Between(story, "<TOPICS>", "</TOPICS>");
      if (id.empty() || title.empty() || body.empty()) continue;
      std::string text = Unescape(std::string(body));
      // Paragraphs start with an indent; lines within one are wrapped.
      std::vector<std::string> paras;
      for (absl::string_view p : absl::StrSplit(text, "\n    ")) {
        std::string flat =
            absl::StrJoin(absl::StrSplit(p, absl::ByAnyChar(" \n\t"), absl::SkipEmpty()), " ");
        if (!flat.empty()) paras.push_back(flat);
      }
      if (!paras.empty()) {  // the agency's sign-off
        std::string& last = paras.back();
        for (absl::string_view tail : {" REUTER", " Reuter", "REUTER", "Reuter"}) {
          if (absl::EndsWith(last, tail)) {
            last.resize(last.size() - tail.size());
            break;
          }
        }
        if (absl::StripAsciiWhitespace(last).empty()) paras.pop_back();
      }
      if (Words(paras) < 60) continue;
      Doc d;
      d.id = absl::StrCat("r", id);
      d.base = d.subtopic = d.id;
      const absl::string_view first_topic = Between(topics, "<D>", "</D>");
      d.topic = absl::StrCat("reuters-", first_topic.empty() ? "none" : first_topic);
      d.kind = "original";
      d.source = "wire";
      d.title = Unescape(std::string(title));
      d.text = absl::StrJoin(paras, "\n");
      docs.push_back(std::move(d));
    }
  }
  std::shuffle(docs.begin(), docs.end(), std::mt19937_64(seed));
  return docs;
}

absl::StatusOr<std::vector<Doc>> BuildSyndicationSet(const std::string& data_dir,
                                                     const SetOptions& options) {
  auto ecb = LoadEcbPlus(data_dir);
  if (!ecb.ok()) return ecb.status();
  auto reuters = LoadReuters(data_dir, 5);
  if (!reuters.ok()) return reuters.status();
  // Base stories: every ECB+ article, then Reuters ones, leaving out reprints of an earlier
  // base. Reuters stories past the ones used give the inserted local paragraphs.
  std::vector<Doc> bases, fillers;
  std::vector<std::vector<uint64_t>> kept;
  auto reprint = [&](const std::vector<uint64_t>& s) {
    for (const auto& o : kept) {
      std::vector<uint64_t> common;
      std::set_intersection(s.begin(), s.end(), o.begin(), o.end(), std::back_inserter(common));
      if (!common.empty() && common.size() >= 0.5 * std::min(s.size(), o.size())) return true;
    }
    return false;
  };
  size_t from_reuters = 0;
  const size_t candidates = ecb->size() + std::min(reuters->size(), 3 * options.reuters_stories);
  for (size_t i = 0; i < candidates; ++i) {
    const bool is_ecb = i < ecb->size();
    const Doc& d = is_ecb ? (*ecb)[i] : (*reuters)[i - ecb->size()];
    std::vector<uint64_t> s = ShingleSet(d.text);
    if (s.empty() || reprint(s)) continue;
    if (!is_ecb && from_reuters >= options.reuters_stories) {
      fillers.push_back(d);
      continue;
    }
    if (!is_ecb) ++from_reuters;
    kept.push_back(std::move(s));
    bases.push_back(d);
  }
  if (fillers.empty())
    return absl::FailedPreconditionError("no Reuters stories left for insertions");

  Rng r(options.seed);
  const std::vector<std::string> kSingle = {"header", "footer",   "teaser", "insertion",
                                            "edits",  "headline", "trim"};
  std::vector<Doc> out;
  for (const Doc& b : bases) {
    out.push_back(b);
    auto add = [&](const std::set<std::string>& edits, const std::string& kind,
                   const std::string& suffix) {
      Copy c = MakeCopy(r, b, edits, fillers);
      Doc d = b;
      d.id = b.id + "~" + suffix;
      d.kind = kind;
      d.title = c.title;
      d.text = c.text;
      d.source = c.outlet;
      out.push_back(std::move(d));
    };
    for (const std::string& k : kSingle) add({k}, k, k);
    for (int m = 0; m < options.mixed; ++m) {
      std::set<std::string> edits = {"header", "footer", "headline"};
      const double x = r.Uniform();
      if (x < 0.35) {
        edits.insert("teaser");
      } else if (x < 0.7) {
        edits.insert("trim");
      }
      if (!edits.count("teaser") && r.Chance(0.25)) edits.insert("lead");
      if (r.Chance(0.5)) edits.insert("insertion");
      if (r.Chance(0.6)) edits.insert("edits");
      if (r.Chance(0.4)) edits.insert("reflow");
      add(edits, "all:" + absl::StrJoin(edits, "+"), absl::StrCat("mix", m));
    }
  }
  std::shuffle(out.begin(), out.end(), r.engine());
  return out;
}

std::string ToJsonLines(const std::vector<Doc>& docs) {
  std::string out;
  for (const Doc& d : docs) {
    nlohmann::json j = {{"id", d.id}, {"title", d.title}, {"text", d.text}, {"source", d.source}};
    out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

Scores Score(const std::vector<Doc>& docs, const std::vector<std::string>& cluster) {
  Scores s;
  std::unordered_map<std::string, std::vector<size_t>> by_cluster, by_base;
  for (size_t i = 0; i < docs.size(); ++i) {
    by_cluster[cluster[i]].push_back(i);
    by_base[docs[i].base].push_back(i);
  }
  for (const auto& [c, members] : by_cluster) {
    for (size_t x = 0; x < members.size(); ++x) {
      for (size_t y = x + 1; y < members.size(); ++y) {
        const Doc& a = docs[members[x]];
        const Doc& b = docs[members[y]];
        if (a.base == b.base) {
          ++s.all.tp;
        } else {
          ++s.all.fp;
          if (a.subtopic == b.subtopic) {
            ++s.all.fp_same_event;
          } else if (a.topic == b.topic && absl::StartsWith(a.topic, "ecb")) {
            ++s.all.fp_hard;
          }
        }
      }
    }
  }
  int64_t positives = 0;
  std::map<std::string, std::pair<int64_t, int64_t>> kinds;  // joined, pairs
  for (const auto& [b, members] : by_base) {
    positives += static_cast<int64_t>(members.size() * (members.size() - 1) / 2);
    for (size_t i : members) {
      std::string kind = docs[i].kind;
      if (absl::StartsWith(kind, "all:")) kind = "all";
      for (size_t j : members) {
        if (j == i) continue;
        ++kinds[kind].second;
        if (cluster[i] == cluster[j]) ++kinds[kind].first;
      }
    }
  }
  s.all.fn = positives - s.all.tp;
  for (const auto& [k, v] : kinds) s.recall_by_kind[k] = double(v.first) / double(v.second);
  return s;
}

absl::StatusOr<std::vector<std::string>> ClusterWithWwctl(const std::string& wwctl,
                                                          const std::string& set_path,
                                                          const std::vector<Doc>& docs,
                                                          const std::string& command,
                                                          const std::string& field) {
  std::ofstream(set_path) << ToJsonLines(docs);
  const std::string out = set_path + ".clusters.json";
  const std::string cmd =
      absl::StrCat(wwctl, " ", command, " --output json ", set_path, " > ", out);
  if (std::system(cmd.c_str()) != 0) return absl::InternalError(absl::StrCat("failed: ", cmd));
  std::unordered_map<std::string, std::string> by_id;
  std::ifstream in(out);
  for (std::string line; std::getline(in, line);) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("id") || !j.contains(field)) {
      return absl::InternalError(absl::StrCat("wwctl ", command, " printed a bad line: ", line));
    }
    by_id[j["id"].get<std::string>()] = j[field].get<std::string>();
  }
  std::vector<std::string> cluster;
  for (const Doc& d : docs) {
    auto it = by_id.find(d.id);
    if (it == by_id.end()) return absl::InternalError(absl::StrCat("no cluster for ", d.id));
    cluster.push_back(it->second);
  }
  return cluster;
}

}  // namespace ww::dedup::quality
