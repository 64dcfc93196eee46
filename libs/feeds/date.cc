#include "libs/feeds/date.h"

#include <cctype>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"

namespace ww::feeds {
namespace {

// A date being assembled from its parts; -1 marks "not seen".
struct Parts {
  int year = -1;
  int month = -1;
  int day = -1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int64_t nanos = 0;
  bool have_time = false;
  std::optional<int> zone_minutes;  // east of UTC
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads 1..max_digits digits at s[*pos]; false when there is none.
bool ReadInt(absl::string_view s, size_t* pos, int max_digits, int* out, int* ndigits = nullptr) {
  int v = 0;
  int n = 0;
  while (*pos < s.size() && IsDigit(s[*pos]) && n < max_digits) {
    v = v * 10 + (s[*pos] - '0');
    ++*pos;
    ++n;
  }
  if (n == 0) return false;
  *out = v;
  if (ndigits != nullptr) *ndigits = n;
  return true;
}

int MonthFromName(absl::string_view t) {
  static constexpr absl::string_view kMonths[] = {"january",   "february", "march",    "april",
                                                  "may",       "june",     "july",     "august",
                                                  "september", "october",  "november", "december"};
  if (t.size() < 3) return -1;
  std::string lower = absl::AsciiStrToLower(t);
  if (!lower.empty() && lower.back() == '.') lower.pop_back();
  for (int i = 0; i < 12; ++i) {
    if (absl::StartsWith(kMonths[i], lower) && lower.size() >= 3) return i + 1;
  }
  if (lower == "sept") return 9;
  return -1;
}

bool IsWeekday(absl::string_view t) {
  static constexpr absl::string_view kDays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                                "friday", "saturday", "sunday"};
  if (t.size() < 2) return false;
  std::string lower = absl::AsciiStrToLower(t);
  if (!lower.empty() && lower.back() == '.') lower.pop_back();
  if (lower.size() < 3) return false;
  for (absl::string_view d : kDays) {
    if (absl::StartsWith(d, lower)) return true;
  }
  return false;
}

// "+hhmm", "-hh:mm", "+hh" -> minutes east of UTC.
std::optional<int> NumericOffset(absl::string_view t) {
  if (t.size() < 2 || (t[0] != '+' && t[0] != '-')) return std::nullopt;
  int sign = t[0] == '-' ? -1 : 1;
  size_t pos = 1;
  int hh = 0;
  int mm = 0;
  int n = 0;
  if (!ReadInt(t, &pos, 4, &hh, &n)) return std::nullopt;
  if (n == 4) {
    mm = hh % 100;
    hh /= 100;
  } else if (n == 3) {
    mm = hh % 100;
    hh /= 100;
  } else if (pos < t.size() && t[pos] == ':') {
    ++pos;
    if (!ReadInt(t, &pos, 2, &mm)) return std::nullopt;
  }
  if (pos != t.size() || hh > 18 || mm > 59) return std::nullopt;
  return sign * (hh * 60 + mm);
}

std::optional<int> ZoneMinutes(absl::string_view t) {
  if (t.empty()) return std::nullopt;
  if (t[0] == '+' || t[0] == '-') return NumericOffset(t);
  std::string u = absl::AsciiStrToUpper(t);
  for (absl::string_view base : {"GMT", "UTC", "UT"}) {
    if (absl::StartsWith(u, base) && u.size() > base.size() &&
        (u[base.size()] == '+' || u[base.size()] == '-')) {
      return NumericOffset(absl::string_view(u).substr(base.size()));
    }
  }
  struct Named {
    absl::string_view name;
    int minutes;
  };
  static constexpr Named kNames[] = {
      {"GMT", 0},        {"UT", 0},        {"UTC", 0},       {"Z", 0},          {"WET", 0},
      {"EST", -5 * 60},  {"EDT", -4 * 60}, {"CST", -6 * 60}, {"CDT", -5 * 60},  {"MST", -7 * 60},
      {"MDT", -6 * 60},  {"PST", -8 * 60}, {"PDT", -7 * 60}, {"AKST", -9 * 60}, {"AKDT", -8 * 60},
      {"HST", -10 * 60}, {"AST", -4 * 60}, {"ADT", -3 * 60}, {"CET", 60},       {"CEST", 120},
      {"MET", 60},       {"MEST", 120},    {"BST", 60},      {"WEST", 60},      {"EET", 120},
      {"EEST", 180},     {"MSK", 180},     {"JST", 540},     {"KST", 540},      {"AEST", 600},
      {"AEDT", 660},     {"NZST", 720},    {"NZDT", 780},
  };
  for (const Named& n : kNames) {
    if (u == n.name) return n.minutes;
  }
  if (u.size() == 1 && u[0] >= 'A' && u[0] <= 'Z' && u[0] != 'J') {
    char c = u[0];
    if (c <= 'I') return (c - 'A' + 1) * 60;
    if (c <= 'M') return (c - 'K' + 10) * 60;
    if (c <= 'Y') return -(c - 'N' + 1) * 60;
  }
  return std::nullopt;
}

// "hh:mm[:ss[.frac]]" at the start of t; returns how many characters were used, 0 if none.
size_t ReadClock(absl::string_view t, Parts* p) {
  size_t pos = 0;
  int hh, mm, ss = 0;
  if (!ReadInt(t, &pos, 2, &hh) || pos >= t.size() || t[pos] != ':') return 0;
  ++pos;
  if (!ReadInt(t, &pos, 2, &mm)) return 0;
  int64_t nanos = 0;
  if (pos < t.size() && t[pos] == ':') {
    ++pos;
    if (!ReadInt(t, &pos, 2, &ss)) return 0;
    if (pos < t.size() && (t[pos] == '.' || t[pos] == ',') && pos + 1 < t.size() &&
        IsDigit(t[pos + 1])) {
      ++pos;
      int64_t scale = 100000000;
      while (pos < t.size() && IsDigit(t[pos])) {
        nanos += (t[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
    }
  }
  p->hour = hh;
  p->minute = mm;
  p->second = ss;
  p->nanos = nanos;
  p->have_time = true;
  return pos;
}

absl::Status Bad(absl::string_view s, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("unparseable date '", s, "': ", why));
}

absl::StatusOr<absl::Time> Finish(absl::string_view s, const Parts& p) {
  if (p.year < 0 || p.month < 0 || p.day < 0) return Bad(s, "missing year, month or day");
  if (p.month < 1 || p.month > 12) return Bad(s, "month out of range");
  absl::CivilDay day(p.year, p.month, p.day);
  if (day.year() != p.year || day.month() != p.month || day.day() != p.day) {
    return Bad(s, "day out of range");
  }
  if (p.hour > 23 || p.minute > 59 || p.second > 60) return Bad(s, "time out of range");
  int second = p.second == 60 ? 59 : p.second;  // leap second
  absl::CivilSecond cs(p.year, p.month, p.day, p.hour, p.minute, second);
  absl::Time t = absl::FromCivil(cs, absl::UTCTimeZone()) + absl::Nanoseconds(p.nanos);
  return t - absl::Minutes(p.zone_minutes.value_or(0));
}

// RFC 3339 / ISO 8601 extended; nullopt when s does not start like one.
std::optional<absl::StatusOr<absl::Time>> ParseIso(absl::string_view s) {
  Parts p;
  size_t pos = 0;
  int n = 0;
  if (!ReadInt(s, &pos, 4, &p.year, &n) || n != 4 || pos >= s.size()) return std::nullopt;
  char sep = s[pos];
  if (sep != '-' && sep != '/') return std::nullopt;
  ++pos;
  if (!ReadInt(s, &pos, 2, &p.month)) return std::nullopt;
  if (pos >= s.size() || s[pos] != sep) return std::nullopt;
  ++pos;
  if (!ReadInt(s, &pos, 2, &p.day)) return Bad(s, "bad day");
  absl::string_view rest = s.substr(pos);
  if (!rest.empty() && (rest[0] == 'T' || rest[0] == 't' || rest[0] == ' ')) {
    rest.remove_prefix(1);
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    size_t used = ReadClock(rest, &p);
    if (used == 0) return Bad(s, "bad time");
    rest.remove_prefix(used);
  }
  while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (!rest.empty()) {
    std::optional<int> z = ZoneMinutes(rest);
    if (!z.has_value()) return Bad(s, "bad zone");
    p.zone_minutes = z;
  }
  return Finish(s, p);
}

std::optional<int> AmPm(absl::string_view t) {
  std::string l = absl::AsciiStrToLower(t);
  if (l == "am" || l == "a.m.") return 0;
  if (l == "pm" || l == "p.m.") return 12;
  return std::nullopt;
}

absl::Status ApplyAmPm(absl::string_view s, Parts* p, int add) {
  if (!p->have_time || p->hour < 1 || p->hour > 12) return Bad(s, "AM/PM without 12-hour time");
  p->hour = p->hour % 12 + add;
  return absl::OkStatus();
}

// RFC 822 and relatives: a bag of tokens classified one by one.
absl::StatusOr<absl::Time> ParseTokens(absl::string_view s) {
  std::string cleaned;
  int paren = 0;
  for (char c : s) {
    if (c == '(') {
      ++paren;
    } else if (c == ')') {
      if (paren > 0) --paren;
    } else if (paren == 0) {
      cleaned.push_back(c == ',' ? ' ' : c);
    }
  }
  std::deque<std::string> tokens;
  for (absl::string_view tok : absl::StrSplit(cleaned, ' ', absl::SkipEmpty())) {
    tokens.emplace_back(tok);
  }
  Parts p;
  while (!tokens.empty()) {
    std::string tok = std::move(tokens.front());
    tokens.pop_front();
    if (tok.empty()) continue;
    if (IsWeekday(tok)) continue;
    if (int m = MonthFromName(tok); m > 0) {
      if (p.month > 0) return Bad(s, "two months");
      p.month = m;
      continue;
    }
    if (std::optional<int> add = AmPm(tok)) {
      if (absl::Status st = ApplyAmPm(s, &p, *add); !st.ok()) return st;
      continue;
    }
    if (IsDigit(tok[0]) && absl::StrContains(tok, ':')) {
      if (p.have_time) return Bad(s, "two times");
      size_t used = ReadClock(tok, &p);
      if (used == 0) return Bad(s, "bad time");
      absl::string_view suffix = absl::string_view(tok).substr(used);
      if (!suffix.empty()) {
        if (std::optional<int> add = AmPm(suffix)) {
          if (absl::Status st = ApplyAmPm(s, &p, *add); !st.ok()) return st;
        } else if (std::optional<int> z = ZoneMinutes(suffix)) {
          p.zone_minutes = z;
        } else {
          return Bad(s, "bad time");
        }
      }
      continue;
    }
    if (std::optional<int> z = ZoneMinutes(tok)) {
      // Redundant second zones ("+0200 CEST") are ignored; a zone before the time is fine.
      if (!p.zone_minutes.has_value()) p.zone_minutes = z;
      continue;
    }
    size_t dash = tok.find_first_of("-/.", 1);
    if (dash != std::string::npos && dash + 1 < tok.size()) {
      // "02-Sep-2025", "2-9-2025" is not supported (ambiguous), only names in the middle.
      std::vector<std::string> pieces =
          absl::StrSplit(tok, absl::ByAnyChar("-/."), absl::SkipEmpty());
      if (pieces.size() >= 2 && pieces.size() <= 3 && MonthFromName(pieces[1]) > 0) {
        for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) tokens.push_front(*it);
        continue;
      }
      return Bad(s, absl::StrCat("unrecognised token '", tok, "'"));
    }
    if (IsDigit(tok[0])) {
      size_t pos = 0;
      int v = 0;
      int n = 0;
      ReadInt(tok, &pos, 9, &v, &n);
      absl::string_view suffix = absl::string_view(tok).substr(pos);
      // Ordinals ("2nd") and a trailing dot ("2.") are tolerated for days.
      bool ordinal =
          suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th" || suffix == ".";
      if (!suffix.empty() && !ordinal) {
        return Bad(s, absl::StrCat("unrecognised token '", tok, "'"));
      }
      if (n == 4 && !ordinal) {
        if (p.year >= 0) return Bad(s, "two years");
        p.year = v;
      } else if (n <= 2 && p.day < 0) {
        p.day = v;
      } else if (n <= 3 && p.year < 0 && !ordinal) {
        p.year = n == 3 ? 1900 + v : (v < 50 ? 2000 + v : 1900 + v);
      } else {
        return Bad(s, absl::StrCat("unexpected number '", tok, "'"));
      }
      continue;
    }
    return Bad(s, absl::StrCat("unrecognised token '", tok, "'"));
  }
  return Finish(s, p);
}

}  // namespace

absl::StatusOr<absl::Time> ParseFeedDate(std::string_view input) {
  absl::string_view s(input.data(), input.size());
  std::string norm;
  norm.reserve(s.size());
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    norm.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  absl::string_view v = absl::StripAsciiWhitespace(norm);
  if (v.empty()) return absl::InvalidArgumentError("unparseable date '': empty");
  if (v.size() > 200) return absl::InvalidArgumentError("unparseable date: longer than 200 bytes");
  if (std::optional<absl::StatusOr<absl::Time>> iso = ParseIso(v)) return *iso;
  return ParseTokens(v);
}

std::string FormatRfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace ww::feeds
