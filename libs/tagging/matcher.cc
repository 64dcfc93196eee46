#include "libs/tagging/matcher.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/tagging/variants.h"
#include "libs/text/normalize.h"
#include "libs/text/utf8.h"

namespace ww::tagging {
namespace {

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

// Debian's Abseil has its own absl::string_view (not an alias of std::string_view).
absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::string MakeSnippet(std::string_view text, size_t start, size_t end, size_t context) {
  size_t from = start > context ? start - context : 0;
  while (from < start && ww::text::IsUtf8Continuation(text[from])) ++from;
  size_t to = std::min(text.size(), end + context);
  while (to > end && to < text.size() && ww::text::IsUtf8Continuation(text[to])) --to;

  std::string snippet;
  snippet.reserve(to - from);
  bool pending_space = false;
  for (size_t i = from; i < to;) {
    const char byte = text[i];
    if (static_cast<uint8_t>(byte) < 0x80) {  // ASCII fast path
      if (IsAsciiSpace(byte)) {
        pending_space = !snippet.empty();
      } else {
        if (pending_space) snippet.push_back(' ');
        pending_space = false;
        snippet.push_back(byte);
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
  explicit Builder(Matcher* m) : m_(m) {}

  // Sizes the tables for `forms` calls of Add (aliases before variants).
  void Reserve(size_t forms) {
    pattern_ids_.reserve(forms);
    closed_.reserve(forms);
    pending_.reserve(forms);
  }

  // Adds `form` (the alias itself or a variant of it) for entity `entity`, reported as
  // `written`. A form that folds to nothing is an error for a written alias and skipped for
  // a variant.
  absl::Status Add(uint32_t entity, std::string_view entity_id, const std::string& written,
                   std::string_view form, const AliasOptions& options, bool is_variant) {
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
    if (closed_[pattern]) return absl::OkStatus();  // an unconditional alias came first

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
    } else {
      closed_[pattern] = true;
    }
    if (entity != written_entity_) {  // entities arrive in order: dedupe within one only
      written_offsets_.clear();
      written_entity_ = entity;
    }
    auto [w, new_written] = written_offsets_.try_emplace(
        ToAbsl(written), static_cast<uint32_t>(m_->written_aliases_.size()));
    if (new_written) m_->written_aliases_.append(written);
    pending_.push_back(
        {pattern, Alias{entity, w->second, static_cast<uint32_t>(written.size()), check}});
    return absl::OkStatus();
  }

  // Adds an alias and the variants the entity asks for.
  absl::Status AddWithVariants(uint32_t entity_index, const Entity& entity,
                               const std::string& written, const AliasOptions& options) {
    if (absl::Status s = Add(entity_index, entity.id, written, written, options, false); !s.ok()) {
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
      if (absl::Status s = Add(entity_index, entity.id, written, form, options, true); !s.ok()) {
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
    m_->trie_ = PrefixTrie::Build(patterns);
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
  absl::flat_hash_map<std::string, uint32_t> pattern_ids_;  // folded key -> pattern id
  std::vector<bool> closed_;  // per pattern: an alias without conditions was added
  std::vector<Pending> pending_;
  ww::text::Normalized folded_;  // reused by Add
  // Written alias -> offset in written_aliases_, for the entity `written_entity_` only; the
  // keys view the caller's Entity strings, which outlive the build.
  absl::flat_hash_map<absl::string_view, uint32_t> written_offsets_;
  uint32_t written_entity_ = UINT32_MAX;
};

absl::StatusOr<std::shared_ptr<const Matcher>> Matcher::Build(const Watchlist& watchlist) {
  std::shared_ptr<Matcher> matcher(new Matcher());
  absl::flat_hash_set<absl::string_view> ids;  // views of the watchlist's ids
  ids.reserve(watchlist.entities.size());
  matcher->entity_offsets_.reserve(watchlist.entities.size() + 1);
  Builder builder(matcher.get());
  size_t forms = 0, id_bytes = 0, written_bytes = 0;
  for (const Entity& entity : watchlist.entities) {
    forms += 1 + entity.aliases.size();
    id_bytes += entity.id.size();
    written_bytes += entity.name.size();
    for (const std::string& alias : entity.aliases) written_bytes += alias.size();
  }
  builder.Reserve(forms);
  matcher->entity_bytes_.reserve(id_bytes);
  matcher->written_aliases_.reserve(written_bytes);  // an upper bound; trimmed in Finish
  const AliasOptions defaults;

  for (const Entity& entity : watchlist.entities) {
    if (absl::Status status = ValidateEntity(entity); !status.ok()) return status;
    if (!ids.insert(ToAbsl(entity.id)).second) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate entity id '", entity.id, "'"));
    }
    const uint32_t entity_index = static_cast<uint32_t>(matcher->entity_offsets_.size() - 1);
    matcher->entity_bytes_.append(entity.id);
    matcher->entity_offsets_.push_back(static_cast<uint32_t>(matcher->entity_bytes_.size()));

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
  return sizeof(*this) + entity_bytes_.capacity() + entity_offsets_.capacity() * 4 +
         written_aliases_.capacity() + aliases_.capacity() * sizeof(Alias) +
         pattern_first_.capacity() * 4 + checks + trie_.MemoryUsage();
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

}  // namespace

bool Matcher::Accepts(const Alias& a, std::string_view original, std::string_view folded,
                      uint32_t fstart, uint32_t fend, uint32_t start, uint32_t end) const {
  if (a.check == kNoCheck) return true;
  const Check& c = checks_[a.check];
  const std::string_view span = original.substr(start, end - start);
  if (c.case_sensitive && ww::text::CaseSignature(span) != c.case_signature) return false;
  if (c.keep_diacritics && TrimSpaces(ww::text::FoldKeepingDiacritics(span)) != c.diacritic_key) {
    return false;
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
        return false;
      }
    }
  }
  if (!c.near.empty()) {
    const size_t from = WordsBefore(folded, fstart, c.window);
    const size_t to = WordsAfter(folded, fend, c.window);
    for (const std::string& p : c.near) {
      if (ContainsPhrase(folded, from, fstart, p) || ContainsPhrase(folded, fend, to, p)) {
        return false;
      }
    }
  }
  return true;
}

void Matcher::FindSpans(std::string_view utf8, std::vector<Span>* out) const {
  if (utf8.empty() || aliases_.empty()) return;
  thread_local ww::text::Normalized folded;
  ww::text::NormalizeInto(utf8, &folded);
  FindSpansIn(utf8, folded, out);
}

void Matcher::FindSpansIn(std::string_view utf8, const ww::text::Normalized& folded,
                          std::vector<Span>* out) const {
  const std::string_view text = folded.text;
  struct Prefix {
    uint32_t pattern;
    uint32_t end;
  };
  thread_local std::vector<Prefix> prefixes_buffer;
  std::vector<Prefix>& prefixes = prefixes_buffer;
  uint32_t original_end = 0;  // end of the last accepted match in the original text
  // Leftmost-longest without overlaps: at each position where a match may start, in order,
  // the longest alias that ends at a boundary and accepts the match; then on from its end.
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    size_t next = i + 1;  // where to look next if no match starts at i
    if (absl::ascii_isalnum(bytes[i])) {
      // Inside a run of ASCII letters and digits no match can start (the previous byte is a
      // word character); at its first byte only if some alias starts with the whole run.
      next = AsciiWordEnd(bytes, next, n);
      if (!trie_.MayStartWithWord(text, i, next)) {
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
      uint32_t accepted = UINT32_MAX;
      for (uint32_t a = pattern_first_[p->pattern]; a < pattern_first_[p->pattern + 1]; ++a) {
        if (aliases_[a].check == kNoCheck ||
            Accepts(aliases_[a], utf8, text, static_cast<uint32_t>(i), p->end, start, end)) {
          accepted = a;
          break;
        }
      }
      if (accepted == UINT32_MAX) continue;  // vetoed: a shorter alias may still match here
      original_end = end;
      next = p->end;
      out->push_back(Span{aliases_[accepted].entity, accepted, start, end});
      break;
    }
    i = next;
  }
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
