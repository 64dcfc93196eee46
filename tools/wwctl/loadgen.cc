#include "tools/wwctl/loadgen.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace ww::wwctl {
namespace {

// Sentence shapes of wire copy. {P} a place, {S} a subject, {V} a verb in the past, {O} an
// object, {N} a number, {D} a day, {W} a watched name (only in sentences that name one).
constexpr std::array<const char*, 24> kShapes = {
    "Officials in {P} said on {D} that {S} {V} {O} after {N} days of talks.",
    "{S} {V} {O} in {P}, according to a statement released late on {D}.",
    "The decision, announced in {P}, affects about {N} people and {O}.",
    "Analysts said {S} had {V} {O} earlier than expected.",
    "Police in {P} said {N} people were detained after {S} {V} {O}.",
    "Prices of {O} rose {N} percent in {P} on {D}, traders said.",
    "{S} is expected to meet representatives from {P} on {D}.",
    "A spokesman for {S} declined to comment on {O}.",
    "Residents of {P} reported {O} for the {N}th time this year.",
    "The report said {S} {V} {O} despite warnings from {P}.",
    "More than {N} delegates gathered in {P} to discuss {O}.",
    "Shares of {S} fell {N} percent after the company {V} {O}.",
    "{W} {V} {O} during a visit to {P} on {D}, state media said.",
    "{W} arrived in {P} on {D} for talks about {O}.",
    "Talks between {W} and officials from {P} {V} {O}.",
    "Reporters in {P} said {W} had {V} {O} by {D}.",
    "Rescue teams in {P} searched for {N} people missing since {D}.",
    "The court in {P} {V} {O} in a ruling on {D}.",
    "Farmers near {P} said {O} had cost them {N} tonnes of grain.",
    "The ministry said {S} would review {O} within {N} weeks.",
    "Weather services warned of {O} across {P} until {D}.",
    "{S} {V} {O}, a move welcomed by leaders in {P}.",
    "Unions in {P} threatened {N} days of strikes over {O}.",
    "Observers said {S} {V} {O} without consulting {P}.",
};
constexpr size_t kNamedShapes = 4;  // the shapes with {W}: 12..15
constexpr size_t kFirstNamed = 12;

constexpr std::array<const char*, 24> kPlaces = {
    "Lisbon", "Nairobi", "Quito", "Tbilisi", "Hanoi",   "Accra",  "Oslo",   "Lima",
    "Manila", "Dakar",   "Riga",  "Amman",   "Bogota",  "Tunis",  "Harare", "Porto",
    "Busan",  "Cork",    "Perth", "Quebec",  "Mombasa", "Gdansk", "Recife", "Izmir"};
constexpr std::array<const char*, 20> kSubjects = {
    "the central bank",        "the energy regulator",
    "the transport union",     "the coalition",
    "the health ministry",     "a shipping group",
    "the opposition",          "the port authority",
    "the city council",        "the airline",
    "the football federation", "a mining company",
    "the parliament",          "the water utility",
    "the customs service",     "a textile maker",
    "the election board",      "the navy",
    "the railway operator",    "a chip maker"};
constexpr std::array<const char*, 16> kVerbs = {"approved",  "rejected", "postponed",  "announced",
                                                "suspended", "expanded", "criticised", "backed",
                                                "cancelled", "proposed", "revised",    "signed",
                                                "blocked",   "extended", "questioned", "finalised"};
constexpr std::array<const char*, 24> kObjects = {
    "a new budget",      "fuel subsidies",  "a rail link",        "flood defences",
    "fishing quotas",    "a tariff cut",    "the pension reform", "a border crossing",
    "vaccine imports",   "a bond sale",     "wage talks",         "a power line",
    "grain exports",     "the tax code",    "a ceasefire plan",   "water rationing",
    "a stadium project", "mobile licences", "a merger",           "heatwave alerts",
    "the housing plan",  "a trade accord",  "school closures",    "a dam inspection"};
constexpr std::array<const char*, 7> kDays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                              "Friday", "Saturday", "Sunday"};
constexpr std::array<const char*, 8> kOutlets = {"wire-a", "wire-b",   "daily-c", "times-d",
                                                 "post-e", "herald-f", "news-g",  "radio-h"};

template <size_t N>
const char* Pick(std::mt19937_64& rng, const std::array<const char*, N>& from) {
  return from[rng() % N];
}

}  // namespace

ArticleGenerator::ArticleGenerator(LoadMix mix, uint64_t seed) : mix_(std::move(mix)), rng_(seed) {}

std::string ArticleGenerator::Sentence(bool name_it) {
  size_t shape_index = kFirstNamed + rng_() % kNamedShapes;
  if (!name_it || mix_.names.empty()) {
    do {
      shape_index = rng_() % kShapes.size();
    } while (shape_index >= kFirstNamed && shape_index < kFirstNamed + kNamedShapes);
  }
  const char* shape = kShapes[shape_index];
  std::string out;
  for (const char* c = shape; *c != '\0'; ++c) {
    if (*c != '{' || c[1] == '\0' || c[2] != '}') {
      out += *c;
      continue;
    }
    switch (c[1]) {
      case 'P':
        out += Pick(rng_, kPlaces);
        break;
      case 'S':
        out += Pick(rng_, kSubjects);
        break;
      case 'V':
        out += Pick(rng_, kVerbs);
        break;
      case 'O':
        out += Pick(rng_, kObjects);
        break;
      case 'D':
        out += Pick(rng_, kDays);
        break;
      case 'N':
        absl::StrAppend(&out, 2 + rng_() % 980);
        break;
      case 'W':
        out += mix_.names[rng_() % mix_.names.size()];
        break;
      default:
        out.append(c, 3);
    }
    c += 2;
  }
  // A sentence opening with a lowercase subject is capitalised, as wire copy is.
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

LoadArticle ArticleGenerator::Next(const std::string& run) {
  const uint64_t n = n_++;
  std::uniform_real_distribution<double> u(0, 1);
  LoadArticle a;
  a.source = kOutlets[rng_() % kOutlets.size()];
  a.url = absl::StrCat("https://", a.source, ".example/", run, "/", n);
  if (!recent_.empty() && u(rng_) < mix_.copies) {
    const LoadArticle& original = recent_[rng_() % recent_.size()];
    a.title = original.title;
    a.text = original.text;
    a.mentions = original.mentions;
    a.copy = true;
    return a;
  }
  a.mentions = u(rng_) < mix_.mentions;
  // A person of its own (a made-up name, twice): one event's report, not another's, as far
  // as the story layer can tell.
  static constexpr std::array<const char*, 16> kSyllables = {
      "ka",  "lo", "mir", "den",  "sa",  "tru", "vel", "no",
      "rin", "bo", "ta",  "shen", "gor", "li",  "pa",  "zu"};
  auto made_up = [&] {
    std::string name;
    for (int k = 0, n = 2 + static_cast<int>(rng_() % 2); k < n; ++k)
      name += Pick(rng_, kSyllables);
    name[0] = static_cast<char>(name[0] - 32);
    return name;
  };
  const std::string person = made_up() + " " + made_up();
  // Eight to twelve sentences, in three or four paragraphs; a named article names a watched
  // name in its first paragraph and maybe once more.
  const int sentences = 8 + static_cast<int>(rng_() % 5);
  const int named_at = a.mentions ? static_cast<int>(rng_() % 3) : -1;
  const int named_again = a.mentions && rng_() % 2 == 0 ? 5 + static_cast<int>(rng_() % 3) : -1;
  for (int s = 0; s < sentences; ++s) {
    if (s > 0) a.text += s % 3 == 0 ? "\n\n" : " ";
    a.text += Sentence(s == named_at || s == named_again);
    if (s == 1)
      absl::StrAppend(&a.text, " ", person, ", who leads ", Pick(rng_, kSubjects),
                      ", said more details would follow.");
    if (s == sentences - 2) absl::StrAppend(&a.text, " ", person, " did not comment further.");
  }
  a.title = Sentence(false);
  a.title = a.title.substr(0, std::min<size_t>(a.title.size(), 70));
  if (recent_.size() == 64) recent_.erase(recent_.begin());
  recent_.push_back(a);
  return a;
}

void LatencyStats::Add(double ms) {
  absl::MutexLock lock(&mu_);
  ms_.push_back(ms);
  sorted_ = false;
}

size_t LatencyStats::count() const {
  absl::MutexLock lock(&mu_);
  return ms_.size();
}

double LatencyStats::Quantile(double q) const {
  absl::MutexLock lock(&mu_);
  if (ms_.empty()) return 0;
  if (!sorted_) {
    std::sort(ms_.begin(), ms_.end());
    sorted_ = true;
  }
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(ms_.size())));
  return ms_[std::min(ms_.size(), std::max<size_t>(rank, 1)) - 1];
}

double LatencyStats::Max() const { return Quantile(1.0); }

void LatencyStats::Clear() {
  absl::MutexLock lock(&mu_);
  ms_.clear();
  sorted_ = true;
}

void AddHops(const ArticleTimeline& t, std::array<LatencyStats, kHops>& stats) {
  const std::array<double, kHops + 1> at = {t.submitted_ms,
                                            static_cast<double>(t.raw_ms),
                                            static_cast<double>(t.unique_ms),
                                            static_cast<double>(t.tagged_ms),
                                            static_cast<double>(t.alert_ms),
                                            t.received_ms};
  for (int h = 0; h < kHops; ++h) {
    // Clocks of one machine, ms-rounded stamps: a hop a little under 0 is 0.
    if (at[h] > 0 && at[h + 1] > 0) stats[h].Add(std::max(0.0, at[h + 1] - at[h]));
  }
}

}  // namespace ww::wwctl
