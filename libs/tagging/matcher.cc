#include "libs/tagging/matcher.h"

#include <algorithm>
#include <bit>
#include <iterator>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/runtime/ids.h"
#include "libs/runtime/string_view.h"
#include "libs/tagging/common_words.h"
#include "libs/tagging/variants.h"
#include "libs/text/normalize.h"
#include "libs/text/utf8.h"

namespace ww::tagging {
namespace {
// Han characters only (two or more: a single character is no word of the list).
bool AllHan(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    const ww::text::DecodedCodePoint d = ww::text::DecodeUtf8(s, i);
    if (ww::text::GetScriptClass(d.cp) != ww::text::ScriptClass::kHan) return false;
    i += d.length;
  }
  return n >= 2;
}

// Nationality adjectives ("English", "Canadian", "French"): capitalised in every use, and
// mostly not the town that bears the name.
bool LooksDemonym(std::string_view folded) {
  for (std::string_view suffix : {"ish", "ese", "ian", "can"}) {
    if (folded.size() > suffix.size() && folded.ends_with(suffix)) return true;
  }
  return folded == "french" || folded == "dutch";
}

}  // namespace

namespace {

using runtime::ToAbsl;

using ::ww::text::DecodeUtf8;
using ::ww::text::DecodeUtf8Before;
using ::ww::text::IsSpacelessScript;
using ::ww::text::IsWordChar;

bool IsHangul(char32_t cp) {
  return ww::text::GetScriptClass(cp) == ww::text::ScriptClass::kHangul;
}

// Start half of the token-boundary rule (see matcher.h): may a match start at folded byte
// `start` (a code point boundary)?
inline bool IsMatchStart(std::string_view folded, size_t start) {
  if (start == 0) return true;
  const auto prev_byte = static_cast<uint8_t>(folded[start - 1]);
  if (prev_byte < 0x80 && static_cast<uint8_t>(folded[start]) < 0x80) {
    return !absl::ascii_isalnum(prev_byte);  // ASCII is never spaceless
  }
  const char32_t prev = DecodeUtf8Before(folded, start).cp;
  return !IsWordChar(prev) || IsSpacelessScript(prev) ||
         IsSpacelessScript(DecodeUtf8(folded, start).cp);
}

// End half of the token-boundary rule: may a match end at folded byte `end`?
inline bool IsMatchEnd(std::string_view folded, size_t end) {
  if (end == folded.size()) return true;
  const auto next_byte = static_cast<uint8_t>(folded[end]);
  if (next_byte < 0x80) {
    if (!absl::ascii_isalnum(next_byte)) return true;
    if (static_cast<uint8_t>(folded[end - 1]) < 0x80) return false;
  }
  const char32_t next = DecodeUtf8(folded, end).cp;
  if (!IsWordChar(next) || IsSpacelessScript(next)) return true;
  const char32_t last = DecodeUtf8Before(folded, end).cp;
  // Korean particles attach to any name: "김정은은", "Putin은", "(…)의".
  return IsSpacelessScript(last) || IsHangul(last) || IsHangul(next);
}

// Token-boundary rule for a match of folded bytes [start, end) (see matcher.h).
bool HasTokenBoundaries(std::string_view folded, size_t start, size_t end) {
  return IsMatchStart(folded, start) && IsMatchEnd(folded, end);
}

// Strips the single leading/trailing space the fold may leave.
std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::string MakeSnippet(std::string_view text, size_t start, size_t end, size_t context) {
  size_t from = start > context ? start - context : 0;
  while (from < start && ww::text::IsUtf8Continuation(text[from])) ++from;
  size_t to = std::min(text.size(), end + context);
  while (to > end && to < text.size() && ww::text::IsUtf8Continuation(text[to])) --to;

  // ASCII first, without a branch a byte (news breaks a line every few dozen bytes and has
  // a space every few: branches on them mispredict): each byte is written, a space as ' ',
  // and the write position moves on unless it is a space after a space (or at the start).
  std::string snippet(to - from, '\0');
  char* out = snippet.data();
  size_t w = 0;
  bool after_space = true;  // at the start, or after a space: a space here is not kept
  size_t i = from;
  for (; i < to; ++i) {
    const auto b = static_cast<uint8_t>(text[i]);
    if (b >= 0x80) break;
    const bool space = b == ' ' || b - 9u <= 4u;  // \t \n \v \f \r
    out[w] = space ? ' ' : static_cast<char>(b);
    w += !(space && after_space);
    after_space = space;
  }
  // A space kept last is pending: written only if something follows.
  bool pending_space = after_space && w > 0;
  if (pending_space) --w;
  snippet.resize(w);
  while (i < to) {
    if (static_cast<uint8_t>(text[i]) < 0x80) {
      if (IsAsciiSpace(text[i])) {
        pending_space = !snippet.empty();
      } else {
        if (pending_space) snippet.push_back(' ');
        pending_space = false;
        snippet.push_back(text[i]);
      }
      ++i;
      continue;
    }
    const ww::text::DecodedCodePoint d = DecodeUtf8(text, i);
    const bool space = d.cp < 0x80 ? IsAsciiSpace(static_cast<char>(d.cp))
                                   : (d.cp == 0xA0 || d.cp == 0x3000 || d.cp == 0x2028 ||
                                      d.cp == 0x2029 || (d.cp >= 0x2000 && d.cp <= 0x200A) ||
                                      d.cp == 0x202F || d.cp == 0x205F || d.cp == 0x85);
    if (space) {
      pending_space = !snippet.empty();
    } else {
      if (pending_space) snippet.push_back(' ');
      pending_space = false;
      if (d.cp == ww::text::kReplacementChar && d.length == 1) {
        ww::text::AppendUtf8(d.cp, &snippet);  // invalid byte
      } else {
        snippet.append(text.substr(i, d.length));
      }
    }
    i += d.length;
  }
  return snippet;
}

// Collects the aliases of a watchlist into a Matcher.
class Matcher::Builder {
 public:
  Builder(Matcher* m, bool precision) : m_(m), precision_(precision) {}

  // Sizes the tables for `forms` calls of Add (aliases before variants).
  void Reserve(size_t forms) {
    pattern_ids_.reserve(forms);
    closed_.reserve(forms);
    pending_.reserve(forms);
  }

  // Adds `form` (the alias itself or a variant of it) for entity `entity`, reported as
  // `written`. A form that folds to nothing is an error for a written alias and skipped for
  // a variant.
  absl::Status Add(uint32_t entity, const Entity& e, const std::string& written,
                   std::string_view form, const AliasOptions& options, bool is_variant) {
    const std::string_view entity_id = e.id;
    ww::text::NormalizeInto(form, &folded_);
    std::string key(TrimSpaces(folded_.text));
    if (key.empty()) {
      if (is_variant) return absl::OkStatus();
      return absl::InvalidArgumentError(absl::StrCat("entity '", ToAbsl(entity_id), "': alias '",
                                                     written, "' has nothing to match"));
    }
    auto [it, inserted] = pattern_ids_.try_emplace(std::move(key), 0);
    if (inserted) {
      it->second = static_cast<uint32_t>(closed_.size());
      closed_.push_back(false);
    }
    const uint32_t pattern = it->second;
    const uint32_t owner = m_->entity_owner_.empty() ? 0 : m_->entity_owner_[entity];
    const uint64_t owner_key = (uint64_t{owner} << 32) | pattern;
    // An unconditional alias of this tenant came first.
    if (owner == 0 ? closed_[pattern] : closed_other_.contains(owner_key)) return absl::OkStatus();

    // Precision (matcher.h): smart case for an alias written with capitals; ambiguity for
    // a capitalised common word (or as the options say).
    const ww::text::CaseBits caps = ww::text::CaseBitsOf(form);
    uint8_t flags = 0;
    if (caps.upper != 0 && !options.case_sensitive && !options.ignore_case) flags |= kSmartCase;
    const std::string_view folded_form = TrimSpaces(folded_.text);
    const bool one_word = !absl::StrContains(ToAbsl(folded_form), ' ');
    // Automatically only under smart case: an alias whose case the user set is theirs.
    if (options.ambiguous == Ambiguity::kYes ||
        (options.ambiguous == Ambiguity::kAuto && (flags & kSmartCase) != 0 && one_word &&
         (IsCommonWord(folded_form) || IsCalendarWord(folded_form) ||
          ((e.kind == EntityKind::kPlace || e.kind == EntityKind::kOther) &&
           IsProperNoun(folded_form) && LooksDemonym(folded_form))))) {
      flags |= kAmbiguous;
      if (IsCalendarWord(folded_form)) flags |= kCalendar;
    }
    if (caps.upper != 0 && !options.case_sensitive && !options.ignore_case &&
        (e.kind == EntityKind::kPlace || e.kind == EntityKind::kOther)) {
      flags |= kNamePart;
    }
    // Scripts without case: a place's Chinese name that is a common word ("和平", "东方") is
    // ambiguous by frequency; it and any alias marked ambiguous then need a sign of a place.
    const bool place_kind = e.kind == EntityKind::kPlace || e.kind == EntityKind::kOther;
    if (caps.letters == 0 && place_kind && !options.case_sensitive &&
        (options.ambiguous == Ambiguity::kYes ||
         (options.ambiguous == Ambiguity::kAuto && AllHan(folded_form) &&
          IsCommonChineseWord(folded_form)))) {
      flags |= kAmbiguous | kNamePart;
    }

    if (!precision_) flags = 0;

    uint32_t check = kNoCheck;
    if (!options.IsDefault() &&
        (options.case_sensitive || !options.fold_diacritics || !options.exclude_near.empty() ||
         !options.exclude_preceded_by.empty())) {
      Check c;
      c.case_sensitive = options.case_sensitive;
      if (c.case_sensitive) c.case_signature = ww::text::CaseSignature(form);
      c.keep_diacritics = !options.fold_diacritics;
      if (c.keep_diacritics) {
        c.diacritic_key = std::string(TrimSpaces(ww::text::FoldKeepingDiacritics(form)));
      }
      for (const std::string& p : options.exclude_near) {
        if (std::string f(TrimSpaces(ww::text::NormalizeText(p))); !f.empty()) {
          c.near.push_back(std::move(f));
        }
      }
      c.window = options.window;
      for (const std::string& p : options.exclude_preceded_by) {
        if (std::string f(TrimSpaces(ww::text::NormalizeText(p))); !f.empty()) {
          c.preceded.push_back(std::move(f));
        }
      }
      check = static_cast<uint32_t>(m_->checks_.size());
      m_->checks_.push_back(std::move(c));
    } else if (flags == 0) {
      if (owner == 0) {
        closed_[pattern] = true;
      } else {
        closed_other_.insert(owner_key);
      }
    }
    if (entity != written_entity_) {  // entities arrive in order: dedupe within one only
      written_offsets_.clear();
      written_entity_ = entity;
    }
    auto [w, new_written] = written_offsets_.try_emplace(
        ToAbsl(written), static_cast<uint32_t>(m_->written_aliases_.size()));
    if (new_written) m_->written_aliases_.append(written);
    pending_.push_back(
        {pattern, Alias{entity, w->second, static_cast<uint32_t>(written.size()), check,
                        static_cast<uint32_t>(caps.upper),
                        static_cast<uint16_t>(std::min<uint32_t>(caps.letters, 65535)), flags}});
    return absl::OkStatus();
  }

  // Adds an alias and the variants the entity asks for.
  absl::Status AddWithVariants(uint32_t entity_index, const Entity& entity,
                               const std::string& written, const AliasOptions& options) {
    if (absl::Status s = Add(entity_index, entity, written, written, options, false); !s.ok()) {
      return s;
    }
    if (options.whole_phrase) return absl::OkStatus();
    std::vector<std::string> forms;
    if (entity.surname_only) forms = SurnameVariants(written);
    if (entity.inflections == Inflections::kRussian) {
      const size_t base = forms.size();
      for (size_t i = 0; i <= base; ++i) {
        for (std::string& f : RussianInflections(i < base ? forms[i] : written)) {
          forms.push_back(std::move(f));
        }
      }
    }
    for (const std::string& form : forms) {
      if (absl::Status s = Add(entity_index, entity, written, form, options, true); !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

  // Groups the aliases by pattern and compiles the trie.
  void Finish() {
    std::vector<std::string_view> patterns(closed_.size());
    for (const auto& [key, id] : pattern_ids_) patterns[id] = key;  // stable in the map
    std::stable_sort(pending_.begin(), pending_.end(),
                     [](const Pending& a, const Pending& b) { return a.pattern < b.pattern; });
    m_->aliases_.reserve(pending_.size());
    m_->pattern_first_.assign(patterns.size() + 1, 0);
    for (const Pending& p : pending_) {
      ++m_->pattern_first_[p.pattern + 1];
      m_->aliases_.push_back(p.alias);
    }
    for (size_t i = 1; i < m_->pattern_first_.size(); ++i) {
      m_->pattern_first_[i] += m_->pattern_first_[i - 1];
    }
    pending_.clear();
    pending_.shrink_to_fit();
    written_offsets_.clear();
    // A pattern whose every alias wants a capital first letter (smart case: "Of", the
    // Turkish town) cannot match where the text has a lowercase one (Judge's first test).
    std::vector<bool> lowercase_ok(patterns.size(), false);
    for (size_t id = 0; id < patterns.size(); ++id) {
      for (uint32_t a = m_->pattern_first_[id]; a < m_->pattern_first_[id + 1]; ++a) {
        const Alias& alias = m_->aliases_[a];
        if ((alias.flags & kSmartCase) == 0 || (alias.upper & 1) == 0) lowercase_ok[id] = true;
      }
    }
    m_->trie_ = PrefixTrie::Build(patterns, lowercase_ok);
    m_->written_aliases_.shrink_to_fit();
    m_->entity_bytes_.shrink_to_fit();
    m_->entity_offsets_.shrink_to_fit();
  }

 private:
  struct Pending {
    uint32_t pattern;
    Alias alias;
  };

  Matcher* m_;
  bool precision_;                                          // BuildOptions::precision
  absl::flat_hash_map<std::string, uint32_t> pattern_ids_;  // folded key -> pattern id
  std::vector<bool> closed_;  // per pattern: an alias without conditions was added
  absl::flat_hash_set<uint64_t> closed_other_;  // the same for tenants 1..: owner << 32 | pattern
  std::vector<Pending> pending_;
  ww::text::Normalized folded_;  // reused by Add
  // Written alias -> offset in written_aliases_, for the entity `written_entity_` only; the
  // keys view the caller's Entity strings, which outlive the build.
  absl::flat_hash_map<absl::string_view, uint32_t> written_offsets_;
  uint32_t written_entity_ = UINT32_MAX;
};

absl::StatusOr<std::shared_ptr<const Matcher>> Matcher::Build(const Watchlist& watchlist) {
  return Build(watchlist, BuildOptions{});
}

absl::StatusOr<std::shared_ptr<const Matcher>> Matcher::Build(const Watchlist& watchlist,
                                                              BuildOptions options) {
  std::shared_ptr<Matcher> matcher(new Matcher());
  absl::flat_hash_set<absl::string_view> ids;  // views of the watchlist's ids
  ids.reserve(watchlist.entities.size());
  matcher->entity_offsets_.reserve(watchlist.entities.size() + 1);
  Builder builder(matcher.get(), options.precision);
  size_t forms = 0, id_bytes = 0, written_bytes = 0;
  for (const Entity& entity : watchlist.entities) {
    forms += 1 + entity.aliases.size();
    id_bytes += entity.id.size();
    written_bytes += entity.name.size();
    for (const std::string& alias : entity.aliases) written_bytes += alias.size();
  }
  builder.Reserve(forms);
  // Tenants, from the ids (matcher.h): entity_owner_ only when there are several.
  {
    absl::flat_hash_map<std::string, uint32_t> owners;
    std::vector<uint32_t> entity_owner;
    entity_owner.reserve(watchlist.entities.size());
    for (const Entity& entity : watchlist.entities) {
      const std::string tenant = runtime::SplitQualifiedId(entity.id).first;
      entity_owner.push_back(
          owners.try_emplace(tenant, static_cast<uint32_t>(owners.size())).first->second);
    }
    if (owners.size() > 1) matcher->entity_owner_ = std::move(entity_owner);
  }
  matcher->entity_bytes_.reserve(id_bytes);
  matcher->written_aliases_.reserve(written_bytes);  // an upper bound; trimmed in Finish
  const AliasOptions defaults;

  for (const Entity& entity : watchlist.entities) {
    if (absl::Status status = ValidateEntity(entity, IdRule::kQualified); !status.ok()) {
      return status;
    }
    if (!ids.insert(ToAbsl(entity.id)).second) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate entity id '", entity.id, "'"));
    }
    const uint32_t entity_index = static_cast<uint32_t>(matcher->entity_offsets_.size() - 1);
    matcher->entity_bytes_.append(entity.id);
    matcher->entity_offsets_.push_back(static_cast<uint32_t>(matcher->entity_bytes_.size()));

    if (!entity.context.empty()) {
      std::vector<std::string> phrases;
      for (const std::string& p : entity.context) {
        if (std::string f(TrimSpaces(ww::text::NormalizeText(p))); !f.empty()) {
          phrases.push_back(std::move(f));
        }
      }
      if (!phrases.empty()) matcher->context_.push_back({entity_index, std::move(phrases)});
    }
    if (absl::Status s = builder.AddWithVariants(entity_index, entity, entity.name, defaults);
        !s.ok()) {
      return s;
    }
    for (size_t i = 0; i < entity.aliases.size(); ++i) {
      if (absl::Status s =
              builder.AddWithVariants(entity_index, entity, entity.aliases[i], entity.OptionsOf(i));
          !s.ok()) {
        return s;
      }
    }
  }
  builder.Finish();
  return std::shared_ptr<const Matcher>(std::move(matcher));
}

size_t Matcher::MemoryUsage() const {
  size_t checks = checks_.capacity() * sizeof(Check);
  for (const Check& c : checks_) {
    checks += c.case_signature.capacity() + c.diacritic_key.capacity();
    for (const auto& p : c.near) checks += sizeof(std::string) + p.capacity();
    for (const auto& p : c.preceded) checks += sizeof(std::string) + p.capacity();
  }
  for (const auto& [entity, phrases] : context_) {
    checks += sizeof(std::pair<uint32_t, std::vector<std::string>>);
    for (const auto& p : phrases) checks += sizeof(std::string) + p.capacity();
  }
  return sizeof(*this) + entity_bytes_.capacity() + entity_offsets_.capacity() * 4 +
         written_aliases_.capacity() + aliases_.capacity() * sizeof(Alias) +
         pattern_first_.capacity() * 4 + entity_owner_.capacity() * 4 + checks +
         trie_.MemoryUsage();
}

namespace {

// True if `phrase` occurs in `text` at token boundaries inside [from, to).
bool ContainsPhrase(std::string_view text, size_t from, size_t to, std::string_view phrase) {
  for (size_t pos = text.find(phrase, from); pos != std::string_view::npos && pos < to;
       pos = text.find(phrase, pos + 1)) {
    if (pos + phrase.size() <= to && HasTokenBoundaries(text, pos, pos + phrase.size())) {
      return true;
    }
  }
  return false;
}

// Start of the `words`-th token before folded offset `pos` (or 0).
size_t WordsBefore(std::string_view text, size_t pos, uint32_t words) {
  bool in_word = false;
  while (pos > 0) {
    const bool word = text[pos - 1] != ' ';
    if (word && !in_word) {
      if (words == 0) break;
      --words;
    }
    in_word = word;
    --pos;
  }
  return pos;
}

// End of the `words`-th token after folded offset `pos` (or the end).
size_t WordsAfter(std::string_view text, size_t pos, uint32_t words) {
  bool in_word = false;
  while (pos < text.size()) {
    const bool word = text[pos] != ' ';
    if (word && !in_word) {
      if (words == 0) break;
      --words;
    }
    in_word = word;
    ++pos;
  }
  return pos;
}

// Where an ambiguous alias stands in the original text (matcher.h, "Precision").

bool IsOpening(char32_t cp) {
  return cp == '"' || cp == '\'' || cp == '(' || cp == '[' || cp == '{' || cp == 0x201C ||
         cp == 0x2018 || cp == 0x201E || cp == 0xAB || cp == 0x300C || cp == 0x300E;
}

bool IsHorizontalSpace(char32_t cp) { return cp == ' ' || cp == '\t' || cp == 0xA0; }

// True if the match at original byte `start` opens a sentence or a line (quotes and brackets
// before it skipped).
bool AtSentenceStart(std::string_view text, size_t start) {
  size_t i = start;
  while (i > 0) {
    const ww::text::DecodedCodePoint d = DecodeUtf8Before(text, i);
    if (IsHorizontalSpace(d.cp) || IsOpening(d.cp)) {
      i -= d.length;
      continue;
    }
    return d.cp == '\n' || d.cp == '\r' || d.cp == '.' || d.cp == '!' || d.cp == '?' ||
           d.cp == ':' || d.cp == 0x2022 || d.cp == 0x3002;
  }
  return true;
}

// The end of the word (a run of word characters) that starts at `start`.
size_t WordEnd(std::string_view text, size_t start) {
  size_t i = start;
  while (i < text.size()) {
    const ww::text::DecodedCodePoint d = DecodeUtf8(text, i);
    if (!IsWordChar(d.cp)) break;
    i += d.length;
  }
  return i;
}

// The word (a run of word characters) that ends at `end`, or empty.
std::string_view WordBefore(std::string_view text, size_t end) {
  size_t i = end;
  while (i > 0) {
    const ww::text::DecodedCodePoint d = DecodeUtf8Before(text, i);
    if (!IsWordChar(d.cp)) break;
    i -= d.length;
  }
  return text.substr(i, end - i);
}

bool StartsWithCapital(std::string_view word) {
  return !word.empty() && ww::text::IsUpperCase(DecodeUtf8(word, 0).cp);
}

// True if the line around [start, end) reads as a headline: at most 200 bytes, and either
// no lowercase letter in two words or more, or every word of four letters or more (three at
// least) capitalised.
bool InHeadline(std::string_view text, size_t start, size_t end) {
  constexpr size_t kMaxLine = 200;
  size_t from = start;
  while (from > 0 && text[from - 1] != '\n' && start - from <= kMaxLine) --from;
  size_t to = end;
  while (to < text.size() && text[to] != '\n' && to - end <= kMaxLine) ++to;
  if (to - from > kMaxLine) return false;
  // A line that ends with a full stop is a sentence ("Played in the Senior Bowl in Mobile,
  // Alabama."), not a headline.
  size_t last = to;
  while (last > from &&
         (text[last - 1] == ' ' || text[last - 1] == '\t' || text[last - 1] == '\r')) {
    --last;
  }
  if (last > from && text[last - 1] == '.') return false;
  size_t words = 0, long_words = 0;
  bool lowercase = false, title_case = true;
  for (size_t i = from; i < to;) {
    const auto b = static_cast<unsigned char>(text[i]);
    const bool ascii = b < 0x80;
    if (ascii ? !absl::ascii_isalnum(b) : !IsWordChar(DecodeUtf8(text, i).cp)) {
      i += ascii ? 1 : DecodeUtf8(text, i).length;
      continue;
    }
    const size_t word_start = i;
    while (i < to) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x80) {
        if (!absl::ascii_isalnum(c)) break;
        ++i;
        continue;
      }
      const ww::text::DecodedCodePoint d = DecodeUtf8(text, i);
      if (!IsWordChar(d.cp)) break;
      i += d.length;
    }
    // Caseless scripts have no cased letters: they never make a line look like a headline.
    const ww::text::CaseBits bits = ww::text::CaseBitsOf(text.substr(word_start, i - word_start));
    if (bits.letters == 0) continue;
    ++words;
    if (static_cast<uint32_t>(std::popcount(bits.upper)) < std::min<uint32_t>(bits.letters, 64)) {
      lowercase = true;
    }
    if (bits.letters >= 4) {
      ++long_words;
      if ((bits.upper & 1) == 0) title_case = false;
    }
    if (lowercase && !title_case) return false;  // a sentence, most lines: known early
  }
  if (words >= 2 && !lowercase) return true;
  return long_words >= 3 && title_case;
}

// Articles and possessives: after one, a capitalised common word is a common noun used as a
// name ("the Council", "its University"), not a place.
bool IsArticle(std::string_view word) {
  static const auto* words = new absl::flat_hash_set<std::string_view>{
      "the",  "The",  "a",    "A",    "an",    "An",    "its",   "Its",
      "his",  "His",  "her",  "Her",  "their", "Their", "our",   "Our",
      "this", "This", "that", "That", "these", "These", "those", "Those"};
  return words->contains(word);
}

// The word right before `start` (one run of spaces between), or empty.
std::string_view AdjacentWordBefore(std::string_view text, size_t start) {
  size_t i = start;
  while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) --i;
  if (i == start || i == 0) return {};
  return WordBefore(text, i);
}

bool IsPlaceWord(std::string_view word);

// A short word in ASCII lowercase, without allocating (the word lists are ASCII); a word too
// long for the buffer becomes "", which no list holds.
struct AsciiLower {
  explicit AsciiLower(std::string_view word) {
    if (word.size() > sizeof(buf)) return;
    for (size_t i = 0; i < word.size(); ++i) buf[i] = absl::ascii_tolower(word[i]);
    size = word.size();
  }
  std::string_view view() const { return {buf, size}; }
  char buf[32];
  size_t size = 0;
};

// Words that put a person's name after them ("Colonel Meredith", "Mr Thomas").
bool IsTitle(std::string_view word) {
  static const auto* words = new absl::flat_hash_set<std::string_view>{
      "mr",         "mrs",     "ms",         "dr",       "sir",       "lord",      "lady",
      "king",       "queen",   "prince",     "princess", "president", "general",   "colonel",
      "captain",    "major",   "lieutenant", "sergeant", "admiral",   "senator",   "governor",
      "judge",      "pope",    "bishop",     "father",   "professor", "prof",      "minister",
      "chancellor", "premier", "mayor",      "rev",      "reverend",  "coach",     "emperor",
      "commander",  "marshal", "brigadier",  "corporal", "chairman",  "duke",      "count",
      "baron",      "earl",    "sheikh",     "rabbi",    "cardinal",  "archbishop"};
  return words->contains(AsciiLower(word).view());
}

// Words that put a place after them ("in Reading", "near Nice").
bool IsLocative(std::string_view word) {
  static const auto* words = new absl::flat_hash_set<std::string_view>{
      "in",     "at",      "near",   "from", "to",      "into",    "outside", "across",
      "around", "towards", "toward", "via",  "through", "between", "inside",  "throughout"};
  return words->contains(AsciiLower(word).view());
}

// The word before `start`, skipping spaces and a '.' ("Dr. Nice", "Mr . Thomas").
std::string_view WordBeforeSkippingDot(std::string_view text, size_t start) {
  size_t i = start;
  while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) --i;
  if (i > 0 && text[i - 1] == '.') --i;
  while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) --i;
  if (i == start || i == 0) return {};
  return WordBefore(text, i);
}

// True if the match [start, end) names a person: a capitalised title before it ("Colonel",
// "Mr."), or one capital letter and a '.' after it, an initial ("George F. Hauser").
bool IsNameWord(std::string_view word);

bool IsParticle(std::string_view word) {
  static const auto* words = new absl::flat_hash_set<std::string_view>{
      "de", "du", "der", "von", "van", "da", "di", "del", "della", "le", "bin", "ibn"};
  return words->contains(word);
}

bool NamesPerson(std::string_view text, size_t start, size_t end) {
  // A title before a name is capitalised ("Pope Francis"); "the major Vladivostok port" is
  // not one.
  const std::string_view title = WordBeforeSkippingDot(text, start);
  if (StartsWithCapital(title) && IsTitle(title)) {
    return true;
  }
  // An initial before it, after a name: "James D. Watson", "Forrest J Ackerman".
  if (title.size() == 1 && title[0] >= 'A' && title[0] <= 'Z') {
    const std::string_view first =
        WordBeforeSkippingDot(text, static_cast<size_t>(title.data() - text.data()));
    if (StartsWithCapital(first) && !IsPlaceWord(first) && !IsArticle(first)) return true;
  }
  // A biography's opening: "Cowley ( born June 12 , 1912", "Cabral (b. 1988)".
  size_t k = end;
  while (k < text.size() && text[k] == ' ') ++k;
  if (k < text.size() && text[k] == '(') {
    std::string_view rest = text.substr(k + 1, 8);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.starts_with("born") || rest.starts_with("b.")) return true;
  }
  // A particle between names: "Pierre de Marca", "Alexander von Humboldt".
  const std::string_view before = AdjacentWordBefore(text, start);
  if (IsParticle(before) &&
      IsNameWord(AdjacentWordBefore(text, static_cast<size_t>(before.data() - text.data())))) {
    return true;
  }
  if (k > end && k < text.size()) {
    const std::string_view after = WordBefore(text, WordEnd(text, k));
    if (IsParticle(after)) {
      size_t m = k + after.size();
      while (m < text.size() && text[m] == ' ') ++m;
      if (m > k + after.size() && m < text.size() &&
          IsNameWord(WordBefore(text, WordEnd(text, m)))) {
        return true;
      }
    }
  }
  size_t i = end;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  if (i == end || i >= text.size() || text[i] < 'A' || text[i] > 'Z') return false;
  size_t j = i + 1;
  while (j < text.size() && text[j] == ' ') ++j;
  return j < text.size() && text[j] == '.';
}

// True if something around the match [start, end) says place: a locative word before it
// ("in Perth"), a comma and a capitalised word after it ("Mobile, Alabama"), or a place
// word after it ("Hay Street", "Ford County").
bool PlaceWordAfter(std::string_view text, size_t end) {
  size_t i = end;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i > end && i < text.size()) {
    const std::string_view next = WordBefore(text, WordEnd(text, i));
    if (StartsWithCapital(next) && IsPlaceWord(next)) return true;
  }
  return false;
}

bool SaysPlace(std::string_view text, size_t start, size_t end) {
  if (IsLocative(AdjacentWordBefore(text, start))) return true;
  if (PlaceWordAfter(text, end)) return true;
  size_t i = end;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i >= text.size() || text[i] != ',') return false;
  ++i;
  while (i < text.size() && text[i] == ' ') ++i;
  return i < text.size() && StartsWithCapital(text.substr(i));
}

// The character (code point) ending at `end`, or 0.
char32_t CharBefore(std::string_view text, size_t end) {
  return end == 0 ? 0 : DecodeUtf8Before(text, end).cp;
}

// A sign of a place around a match in a script without case: in Chinese, a verb or
// preposition of place right before it ("在和平", "到东方", "来自", "位于", "前往") or an
// administrative suffix right after it ("和平区", "光明镇"); in Korean, a particle of place
// after it ("광주에서", "광주로"); in Japanese, one after it ("神戸で", "神戸に", "神戸から").
bool SaysPlaceCaseless(std::string_view text, size_t start, size_t end) {
  static constexpr std::u32string_view kBefore = U"在到从于赴往至抵自达经去来回";
  static constexpr std::u32string_view kAfter = U"市省县区镇乡州村岛港";
  if (const char32_t c = CharBefore(text, start); c != 0 && kBefore.find(c) != kBefore.npos) {
    return true;
  }
  if (end < text.size()) {
    const char32_t c = DecodeUtf8(text, end).cp;
    if (kAfter.find(c) != kAfter.npos) return true;
  }
  const std::string_view after = text.substr(end, 6);
  for (std::string_view particle : {"에서", "에", "으로", "로", "で", "に", "へ", "から"}) {
    if (after.starts_with(particle)) return true;
  }
  return false;
}

// A capitalised word that is not a common word: part of a proper name. Latin letters only:
// the common words are English, and of another language's words nothing is known.
bool IsNameWord(std::string_view word) {
  if (!StartsWithCapital(word)) return false;
  if (!std::all_of(word.begin(), word.end(), [](char c) { return absl::ascii_isalpha(c); })) {
    // Latin letters with diacritics ("Díaz", "Teófil"): a name; the common words are ASCII.
    for (size_t i = 0; i < word.size();) {
      const ww::text::DecodedCodePoint d = DecodeUtf8(word, i);
      const bool latin = d.cp < 0x80
                             ? absl::ascii_isalpha(static_cast<unsigned char>(d.cp))
                             : (d.cp >= 0xC0 && d.cp < 0x250 && d.cp != 0xD7 && d.cp != 0xF7);
      if (!latin) return false;
      i += d.length;
    }
    return true;
  }
  const std::string_view folded = AsciiLower(word).view();
  // The dictionary lists it capitalised: a proper noun, often a first name ("Peter",
  // "Graham", "Bobby"), though the same letters are a common word in lowercase.
  if (IsProperNoun(folded) && !IsCalendarWord(folded) && !IsArticle(word)) return true;
  return !IsCommonWord(folded) && !IsArticle(word);
}

// Words that make a place of the capitalised name next to them: "Hay Street", "Ford
// County", "East Perth", "the city of Oranienbaum".
bool IsPlaceWord(std::string_view word) {
  static const auto* words = new absl::flat_hash_set<std::string_view>{
      "street", "st", "road", "rd", "avenue", "ave", "lane", "boulevard", "blvd", "square",
      "county", "parish", "district", "province", "region", "state", "river", "lake", "bay",
      "island", "islands", "isle", "mountain", "mountains", "mount", "mt", "hill", "hills",
      "valley", "creek", "brook", "falls", "harbor", "harbour", "beach", "coast", "peninsula",
      "forest", "bridge", "railroad", "railway", "canal", "port", "heights", "township", "borough",
      "city", "town", "village", "junction", "springs", "gulf", "sea", "ocean", "strait", "cape",
      "desert", "plain", "plains", "canyon", "north", "south", "east", "west", "northern",
      "southern", "eastern", "western", "central", "upper", "lower", "new", "old", "greater",
      "little", "great", "saint", "san", "santa", "fort", "republic", "kingdom", "union",
      "federation", "oblast", "prefecture", "governorate", "municipality", "territory",
      "department", "capital", "metropolitan", "taluk", "commune", "canton",
      // Facilities, which make a longer place name too ("Subiaco Oval", "Cal Anderson
      // Park"), and place prefixes of other languages ("Nova Scotia", "Kreis Flensburg").
      "park", "stadium", "oval", "field", "fields", "reservoir", "pond", "area", "rink", "center",
      "centre", "airport", "station", "arena", "playfield", "riding", "duchy", "diocese", "house",
      "courthouse", "dock", "docks", "gym", "estate", "highway", "metro", "nova", "nueva", "nuevo",
      "novo", "den", "camp", "kreis"};
  return words->contains(AsciiLower(word).view());
}

// Capitalised nouns whose "of" names an institution, an event or a title, not the place
// itself: "University of Pittsburgh", "Battle of Fredericksburg", "Duke of York" (but
// "Mayor of Brampton", "City of London").
bool IsNamedAfterPlace(std::string_view word) {
  static const auto* words = new absl::flat_hash_set<std::string_view>{
      "battle",    "battles",     "siege",      "sack",    "massacre",    "treaty",
      "protocols", "declaration", "university", "college", "school",      "academy",
      "institute", "institution", "army",       "bank",    "museum",      "congress",
      "council",   "association", "assembly",   "society", "legislature", "parliament",
      "league",    "party",       "church",     "order",   "scouts",      "elders",
      "farmers",   "duke",        "duchess",    "earl",    "prince",      "princess"};
  return words->contains(AsciiLower(word).view());
}

// "University of Pittsburgh", "Army of the Potomac": such a noun, capitalised and not
// opening a sentence, then "of" ("of the") right before the match.
bool OfName(std::string_view text, size_t start) {
  std::string_view w = AdjacentWordBefore(text, start);
  if (w == "the") w = AdjacentWordBefore(text, static_cast<size_t>(w.data() - text.data()));
  if (w != "of") return false;
  const std::string_view owner =
      AdjacentWordBefore(text, static_cast<size_t>(w.data() - text.data()));
  return StartsWithCapital(owner) && IsNamedAfterPlace(owner) &&
         !AtSentenceStart(text, static_cast<size_t>(owner.data() - text.data()));
}

// True if the match [start, end) is part of a longer name. After it: a capitalised word
// that is not a place word ("Montreal Canadiens", "Perth Glory", not "Hay Street"). Before
// it: a proper name (not a common word, not a place word: "Kanye West"), or "Battle of"
// ("Battle of Fredericksburg", not "Mayor of Brampton"). `strict` (ambiguous aliases): any
// capitalised word before it but a common word opening the sentence ("In Reading").
bool NextToName(std::string_view text, size_t start, size_t end, bool strict) {
  const std::string_view before = AdjacentWordBefore(text, start);
  if (StartsWithCapital(before) && !IsPlaceWord(before)) {
    const size_t at = static_cast<size_t>(before.data() - text.data());
    const bool name = IsNameWord(before);
    if (strict ? name || !AtSentenceStart(text, at) : name) return true;
  }
  if (OfName(text, start)) return true;
  size_t i = end;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  if (i == end || i == text.size()) return false;
  const std::string_view after = WordBefore(text, WordEnd(text, i));
  return StartsWithCapital(after) && !IsPlaceWord(after);
}

bool IsCompass(std::string_view word) {
  const std::string_view w = AsciiLower(word).view();
  return w == "north" || w == "south" || w == "east" || w == "west";
}

// After the match, past place words ("Bay", "River", "State", "City"), a capitalised word
// that is no place word: "Tampa Bay Devil Rays", "Fairmont State University".
bool OrgAfter(std::string_view text, size_t end) {
  size_t i = end;
  bool skipped = false;
  for (int words = 0; words < 4; ++words) {
    size_t j = i;
    while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
    if (j == i || j == text.size()) return false;
    const std::string_view after = WordBefore(text, WordEnd(text, j));
    if (!StartsWithCapital(after)) return false;
    // A compass point right after a name ("Kanye West") is a surname, not a district.
    if (!IsPlaceWord(after) || (IsCompass(after) && !skipped)) return true;
    skipped = true;
    i = j + after.size();
  }
  return false;
}

// A proper name right before the match that is no place word, locative or demonym: a first
// name ("Peter Newman", "Graham Dawson").
bool FirstNameBefore(std::string_view text, size_t start) {
  const std::string_view before = AdjacentWordBefore(text, start);
  if (!IsNameWord(before) || IsPlaceWord(before) || IsLocative(before)) return false;
  const std::string_view folded = AsciiLower(before).view();
  if (LooksDemonym(folded)) return false;
  return !IsCommonWord(folded) ||
         !AtSentenceStart(text, static_cast<size_t>(before.data() - text.data()));
}

// Verdicts of an ambiguous alias that hold its place, pending confirmation.
bool IsWeak(Verdict v) {
  return v == Verdict::kNotAsWritten || v == Verdict::kSentenceStart || v == Verdict::kHeadline ||
         v == Verdict::kNextToCapital || v == Verdict::kAfterArticle || v == Verdict::kCalendar ||
         v == Verdict::kNoPlaceSign || v == Verdict::kInName || v == Verdict::kPersonName;
}

}  // namespace

namespace {

// Each verdict's name and the sentence a user reads, in the order of the enum.
struct VerdictText {
  Verdict verdict;
  std::string_view name;
  std::string_view reason;
};
constexpr VerdictText kVerdicts[] = {
    {Verdict::kAccepted, "accepted", "accepted"},
    {Verdict::kConfirmed, "confirmed",
     "accepted: confirmed by another mention of the entity in the text, or its context"},
    {Verdict::kCase, "case", "rejected: the alias is written with capitals the text lacks"},
    {Verdict::kExactCase, "exact-case", "rejected: case_sensitive and the case differs"},
    {Verdict::kDiacritics, "diacritics",
     "rejected: fold_diacritics is false and the accents differ"},
    {Verdict::kExcludedNear, "excluded-near",
     "rejected: an exclude_near phrase is within the window"},
    {Verdict::kExcludedPreceded, "excluded-preceded",
     "rejected: an exclude_preceded_by phrase comes right before it"},
    {Verdict::kNotAsWritten, "not-as-written",
     "rejected: ambiguous (a common word) and not capitalised exactly as written"},
    {Verdict::kSentenceStart, "sentence-start",
     "rejected: ambiguous (a common word) at the start of a sentence, unconfirmed"},
    {Verdict::kHeadline, "headline",
     "rejected: ambiguous (a common word) in a Title Case or all-caps line, unconfirmed"},
    {Verdict::kNextToCapital, "next-to-capital",
     "rejected: ambiguous (a common word) next to a capitalised word, unconfirmed"},
    {Verdict::kAfterArticle, "after-article",
     "rejected: ambiguous (a common word) after an article (\"the Council\")"},
    {Verdict::kCalendar, "calendar", "rejected: a month or weekday name, unconfirmed"},
    {Verdict::kNoPlaceSign, "no-place-sign",
     "rejected: ambiguous (a common word) with no sign of a place (\"in\", \"near\" "
     "before it, \", Region\" after), unconfirmed"},
    {Verdict::kInName, "in-name",
     "rejected: part of a longer name (a proper name right before or after it)"},
    {Verdict::kPersonName, "person-name",
     "rejected: part of a person's name (a title or first name before, an initial "
     "after)"},
    {Verdict::kSameName, "same-name",
     "rejected: the same name is a person's elsewhere in the text, and nothing here "
     "says place"},
    {Verdict::kOrgName, "org-name",
     "rejected: part of a longer name that is not the place (an institution, a team, an "
     "event: \"University of Pittsburgh\", \"Tampa Bay Devil Rays\")"},
};

constexpr bool InEnumOrder() {
  for (size_t i = 0; i < std::size(kVerdicts); ++i) {
    if (static_cast<size_t>(kVerdicts[i].verdict) != i) return false;
  }
  return std::size(kVerdicts) == static_cast<size_t>(Verdict::kOrgName) + 1;
}
static_assert(InEnumOrder(), "kVerdicts lists every verdict once, in the enum's order");

const VerdictText& TextOf(Verdict verdict) { return kVerdicts[static_cast<size_t>(verdict)]; }

}  // namespace

std::string_view VerdictName(Verdict verdict) { return TextOf(verdict).name; }
std::string_view VerdictReason(Verdict verdict) { return TextOf(verdict).reason; }

bool Matcher::IsAcronym(const Alias& a) {
  return a.letters >= 2 && a.letters <= 32 && std::popcount(a.upper) == static_cast<int>(a.letters);
}

Verdict Matcher::Judge(const Alias& a, std::string_view original, std::string_view folded,
                       uint32_t fstart, uint32_t fend, uint32_t start, uint32_t end) const {
  const std::string_view span = original.substr(start, end - start);
  if (a.check != kNoCheck) {
    const Check& c = checks_[a.check];
    if (c.case_sensitive && ww::text::CaseSignature(span) != c.case_signature) {
      return Verdict::kExactCase;
    }
    if (c.keep_diacritics && TrimSpaces(ww::text::FoldKeepingDiacritics(span)) != c.diacritic_key) {
      return Verdict::kDiacritics;
    }
    if (!c.preceded.empty()) {
      // Skip the spaces and punctuation directly before the match.
      size_t pos = fstart;
      while (pos > 0) {
        const ww::text::DecodedCodePoint d = DecodeUtf8Before(folded, pos);
        if (IsWordChar(d.cp)) break;
        pos -= d.length;
      }
      for (const std::string& p : c.preceded) {
        if (pos >= p.size() && folded.substr(pos - p.size(), p.size()) == p &&
            HasTokenBoundaries(folded, pos - p.size(), pos)) {
          return Verdict::kExcludedPreceded;
        }
      }
    }
    if (!c.near.empty()) {
      const size_t from = WordsBefore(folded, fstart, c.window);
      const size_t to = WordsAfter(folded, fend, c.window);
      for (const std::string& p : c.near) {
        if (ContainsPhrase(folded, from, fstart, p) || ContainsPhrase(folded, fend, to, p)) {
          return Verdict::kExcludedNear;
        }
      }
    }
  }
  if (a.flags == 0) return Verdict::kAccepted;
  // Most candidates of a big watchlist are common words in lowercase ("of", "said"): an
  // alias whose first letter is a capital and a text that starts with a lowercase ASCII
  // letter differ at the start of a word, decided without reading further.
  if ((a.flags & kSmartCase) != 0 && (a.upper & 1) != 0 && !span.empty() && span[0] >= 'a' &&
      span[0] <= 'z') {
    return Verdict::kCase;
  }
  const ww::text::CaseBits bits = ww::text::CaseBitsOf(span);
  if ((a.flags & kSmartCase) != 0) {
    // A capital where the alias has one, at the start of each word of the text; inside a
    // word the case is free ("Kim Jong-un" for "Kim Jong Un", "Mcdonald"). Letters the
    // fold merged or split ("ß", ligatures) make the positions differ: then the first.
    const bool ok = bits.letters == a.letters ? (a.upper & bits.initial & ~bits.upper) == 0
                                              : (a.upper & 1) == 0 || (bits.upper & 1) != 0;
    if (!ok) return Verdict::kCase;
  }
  if ((a.flags & kNamePart) != 0 && NamesPerson(original, start, end)) {
    return Verdict::kPersonName;
  }
  if ((a.flags & kAmbiguous) == 0) {
    if ((a.flags & kNamePart) != 0) {
      // Whatever follows a comma: "Peter Newman, Gary Carvolth" is a list of people. In a
      // headline every word is capitalised ("Putin Vladivostok Visit Ends").
      if (FirstNameBefore(original, start) && !PlaceWordAfter(original, end) &&
          !InHeadline(original, start, end)) {
        return Verdict::kPersonName;
      }
      if (OfName(original, start)) return Verdict::kOrgName;
      // An acronym ("U.S. Navy", "UK Edition") still names its country: held back, and
      // confirmed by another mention of it (NextToName below).
      if (!IsAcronym(a) && OrgAfter(original, end) && !InHeadline(original, start, end)) {
        return Verdict::kOrgName;
      }
    }
    if ((a.flags & kNamePart) != 0 && NextToName(original, start, end, false) &&
        !SaysPlace(original, start, end) && !InHeadline(original, start, end)) {
      // A proper name right before it (a first name: "Philip Sheridan") names a person.
      return IsNameWord(AdjacentWordBefore(original, start)) ? Verdict::kPersonName
                                                             : Verdict::kInName;
    }
    return Verdict::kAccepted;
  }
  if ((a.flags & kCalendar) != 0) return Verdict::kCalendar;
  // No capitals to read (Chinese, Korean, Japanese): only a sign of a place, or a
  // confirmation, makes it the place.
  if (a.letters == 0) {
    return SaysPlaceCaseless(original, start, end) ? Verdict::kAccepted : Verdict::kNoPlaceSign;
  }
  if (bits.letters != a.letters || static_cast<uint32_t>(bits.upper) != a.upper) {
    return Verdict::kNotAsWritten;
  }
  // An acronym in capitals ("US", "IS") owes them to nothing but itself; only an all-caps
  // line makes them meaningless.
  if (IsAcronym(a))
    return InHeadline(original, start, end) ? Verdict::kHeadline : Verdict::kAccepted;
  if (AtSentenceStart(original, start)) return Verdict::kSentenceStart;
  if (InHeadline(original, start, end)) return Verdict::kHeadline;
  if (IsArticle(AdjacentWordBefore(original, start))) return Verdict::kAfterArticle;
  if (NextToName(original, start, end, true)) return Verdict::kNextToCapital;
  if ((a.flags & kNamePart) != 0 && !SaysPlace(original, start, end)) return Verdict::kNoPlaceSign;
  return Verdict::kAccepted;
}

bool Matcher::ContextIn(uint32_t entity, std::string_view folded) const {
  auto it = std::lower_bound(context_.begin(), context_.end(), entity,
                             [](const auto& c, uint32_t e) { return c.first < e; });
  if (it == context_.end() || it->first != entity) return false;
  for (const std::string& p : it->second) {
    if (ContainsPhrase(folded, 0, folded.size(), p)) return true;
  }
  return false;
}

void Matcher::FindSpans(std::string_view utf8, std::vector<Span>* out) const {
  if (utf8.empty() || aliases_.empty()) return;
  thread_local ww::text::Normalized folded;
  ww::text::NormalizeInto(utf8, &folded);
  FindSpansIn(utf8, folded, out, nullptr);
}

void Matcher::Explain(std::string_view utf8, std::vector<Decision>* out) const {
  if (utf8.empty() || aliases_.empty()) return;
  ww::text::Normalized folded;
  ww::text::NormalizeInto(utf8, &folded);
  std::vector<Span> spans;
  FindSpansIn(utf8, folded, &spans, out);
}

void Matcher::FindSpansIn(std::string_view utf8, const ww::text::Normalized& folded,
                          std::vector<Span>* out, std::vector<Decision>* decisions) const {
  const std::string_view text = folded.text;
  struct Prefix {
    uint32_t pattern;
    uint32_t end;
  };
  thread_local std::vector<Prefix> prefixes_buffer;
  std::vector<Prefix>& prefixes = prefixes_buffer;
  // Ambiguous matches in weak places, waiting for their entity or context to confirm them:
  // their index in `out` and in `decisions`.
  thread_local std::vector<Pending> pending_buffer;
  std::vector<Pending>& pending = pending_buffer;
  pending.clear();
  const size_t first_out = out->size();
  // Entities whose alias names a person somewhere in this text (Verdict::kPersonName).
  thread_local absl::flat_hash_set<uint32_t> persons_buffer;
  absl::flat_hash_set<uint32_t>& persons = persons_buffer;
  persons.clear();
  thread_local std::vector<uint32_t> owners_served;  // tenants with a span at this place
  uint32_t original_end = 0;  // end of the last accepted match in the original text
  // Leftmost-longest without overlaps: at each position where a match may start, in order,
  // the longest alias that ends at a boundary and accepts the match; then on from its end.
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  // The next run of ASCII letters and digits after the current one, [ahead, ahead_end), and
  // its hash: its filter line is asked for while the current run is tested and walked.
  size_t ahead = n, ahead_end = n;
  uint64_t ahead_hash = 0;
  while (i < n) {
    size_t next = i + 1;  // where to look next if no match starts at i
    if (absl::ascii_isalnum(bytes[i])) {
      // Inside a run of ASCII letters and digits no match can start (the previous byte is a
      // word character); at its first byte only if some alias starts with the whole run.
      uint64_t hash;
      if (i == ahead) {
        next = ahead_end;
        hash = ahead_hash;
      } else {
        next = AsciiWordEnd(bytes, next, n);
        hash = PrefixTrie::WordHash(text, i, next);
      }
      ahead = next;
      while (ahead < n && bytes[ahead] < 0x80 && !absl::ascii_isalnum(bytes[ahead])) ++ahead;
      if (ahead < n && absl::ascii_isalnum(bytes[ahead])) {
        ahead_end = AsciiWordEnd(bytes, ahead + 1, n);
        ahead_hash = PrefixTrie::WordHash(text, ahead, ahead_end);
        trie_.PrefetchWord(ahead_hash);
      }
      // Written in lowercase there (Explain shows every candidate, so it walks them all).
      const auto first = static_cast<uint8_t>(utf8[folded.origin[i]]);
      const bool lowercase = decisions == nullptr && first >= 'a' && first <= 'z';
      if (!trie_.MayStartWithWord(hash, lowercase)) {
        i = next;
        continue;
      }
    } else if (!trie_.MayStartWith(bytes[i])) {
      ++i;
      continue;
    }
    if (!IsMatchStart(text, i)) {
      i = next;
      continue;
    }
    const uint32_t start = folded.origin[i];
    if (start < original_end) {  // would split a combining sequence shared with the last
      i = next;
      continue;
    }
    prefixes.clear();
    trie_.Walk(text, i, [&prefixes](uint32_t pattern, size_t end) {
      prefixes.push_back({pattern, static_cast<uint32_t>(end)});
    });
    for (auto p = prefixes.rbegin(); p != prefixes.rend(); ++p) {  // longest first
      if (!IsMatchEnd(text, p->end)) continue;
      const uint32_t end =
          static_cast<uint32_t>(ww::text::SegmentEnd(utf8, folded.origin[p->end - 1]));
      bool any = false;
      Verdict verdict = Verdict::kAccepted;
      owners_served.clear();
      for (uint32_t a = pattern_first_[p->pattern]; a < pattern_first_[p->pattern + 1]; ++a) {
        const Alias& alias = aliases_[a];
        const uint32_t owner = entity_owner_.empty() ? 0 : entity_owner_[alias.entity];
        // Several tenants: each tenant's first accepting alias, once the first is found.
        if (any &&
            std::find(owners_served.begin(), owners_served.end(), owner) != owners_served.end()) {
          continue;
        }
        verdict = alias.check == kNoCheck && alias.flags == 0
                      ? Verdict::kAccepted
                      : Judge(alias, utf8, text, static_cast<uint32_t>(i), p->end, start, end);
        // A weak verdict of an ambiguous alias holds the place, pending confirmation.
        const bool weak = IsWeak(verdict);
        if (verdict == Verdict::kPersonName) persons.insert(alias.entity);
        if (decisions != nullptr) {
          decisions->push_back({Span{alias.entity, a, start, end}, verdict,
                                (alias.flags & kAmbiguous) != 0, Verdict::kAccepted});
        }
        if (verdict == Verdict::kAccepted || weak) {
          if (weak) {
            pending.push_back(
                {out->size(), decisions != nullptr ? decisions->size() - 1 : 0, verdict});
          }
          out->push_back(Span{alias.entity, a, start, end});
          any = true;
          if (entity_owner_.empty()) break;
          owners_served.push_back(owner);
        }
      }
      if (!any) continue;  // vetoed: a shorter alias may still match here
      original_end = end;
      next = p->end;
      break;
    }
    i = next;
  }
  if (pending.empty() && persons.empty()) return;
  Resolve(utf8, text, first_out, pending, persons, out, decisions);
}

bool Matcher::InPlaceList(std::string_view utf8, const std::vector<Span>& spans, size_t k,
                          const std::vector<Pending>& pending, size_t first_out) const {
  // "Beijing, China", "Scotland and Wales", "Mobile, Alabama": next to an accepted place,
  // one comma or "and" / "or" between.
  // `pending` is in span order (the scan appends as it goes).
  auto is_pending = [&](size_t i) {
    auto it = std::lower_bound(pending.begin(), pending.end(), i,
                               [](const Pending& p, size_t span) { return p.span < span; });
    return it != pending.end() && it->span == i;
  };
  auto joins = [&](size_t from, size_t to) {
    if (to < from || to - from > 7) return false;  // "、" and "，" are three bytes
    std::string_view gap = utf8.substr(from, to - from);
    while (!gap.empty() && gap.front() == ' ') gap.remove_prefix(1);
    while (!gap.empty() && gap.back() == ' ') gap.remove_suffix(1);
    return gap == "," || gap == "and" || gap == "or" || gap == ", and" || gap == ", or" ||
           gap == "、" || gap == "，" || gap == "和" || gap == "与" || gap == "及";
  };
  // A place's alias (name rules apply to it), or any alias in a script without case.
  auto place = [&](size_t i) {
    const Alias& a = aliases_[spans[i].alias];
    return ((a.flags & kNamePart) != 0 || a.letters == 0) && !is_pending(i);
  };
  if (k > first_out && place(k - 1) && joins(spans[k - 1].end, spans[k].start)) return true;
  if (k + 1 < spans.size() && place(k + 1) && joins(spans[k].end, spans[k + 1].start) &&
      absl::StrContains(ToAbsl(utf8.substr(spans[k].end, spans[k + 1].start - spans[k].end)),
                        ',')) {
    return true;
  }
  return false;
}

void Matcher::Resolve(std::string_view utf8, std::string_view text, size_t first_out,
                      const std::vector<Pending>& pending,
                      const absl::flat_hash_set<uint32_t>& persons, std::vector<Span>* out,
                      std::vector<Decision>* decisions) const {
  // A place's name that is a person's somewhere in this text is the person's wherever
  // nothing says place (one sense per text).
  auto same_name = [&](const Span& span) {
    return persons.contains(span.entity) && (aliases_[span.alias].flags & kNamePart) != 0 &&
           !SaysPlace(utf8, span.start, span.end);
  };
  auto set_verdict = [&](const Span& span, Verdict v) {
    if (decisions == nullptr) return;
    for (size_t d = decisions->size(); d-- > 0;) {
      if ((*decisions)[d].span == span) {
        (*decisions)[d].verdict = v;
        return;
      }
    }
  };
  // Then a pending match is confirmed by a mention of its entity accepted in this text, or
  // by one of the entity's context phrases; the others are dropped.
  absl::flat_hash_set<uint32_t> confirmed;
  size_t p = 0;
  for (size_t k = first_out; k < out->size(); ++k) {
    if (p < pending.size() && pending[p].span == k) {
      ++p;
    } else if (!same_name((*out)[k])) {
      confirmed.insert((*out)[k].entity);
    }
  }
  size_t write = first_out;
  p = 0;
  for (size_t k = first_out; k < out->size(); ++k) {
    const Span span = (*out)[k];
    const bool is_pending = p < pending.size() && pending[p].span == k;
    bool keep = true;
    if (same_name(span)) {
      keep = false;
      if (!is_pending || pending[p].verdict != Verdict::kPersonName) {
        set_verdict(span, Verdict::kSameName);
      }
    } else if (is_pending) {
      keep = confirmed.contains(span.entity) || ContextIn(span.entity, text) ||
             InPlaceList(utf8, *out, k, pending, first_out);
      if (keep && decisions != nullptr) {
        Decision& d = (*decisions)[pending[p].decision];
        d.held = d.verdict;
        d.verdict = Verdict::kConfirmed;
      }
    }
    if (is_pending) ++p;
    if (keep) (*out)[write++] = span;
  }
  out->resize(write);
}

std::vector<Mention> Matcher::FindAll(std::string_view utf8) const {
  std::vector<Mention> mentions;
  thread_local std::vector<Span> spans;
  spans.clear();
  FindSpans(utf8, &spans);
  mentions.reserve(spans.size());
  for (const Span& s : spans) {
    Mention& m = mentions.emplace_back();
    m.entity_id = std::string(entity_id(s.entity));
    m.alias = std::string(alias_text(s.alias));
    m.start = s.start;
    m.end = s.end;
    m.text = std::string(utf8.substr(s.start, s.end - s.start));
    m.snippet = MakeSnippet(utf8, s.start, s.end);
  }
  return mentions;
}

}  // namespace ww::tagging
