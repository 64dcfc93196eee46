#include "libs/tagging/matcher.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
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

// Token-boundary rule for a match of folded bytes [start, end) (see matcher.h).
bool HasTokenBoundaries(std::string_view folded, size_t start, size_t end) {
  if (start > 0) {
    const char32_t prev = DecodeUtf8Before(folded, start).cp;
    if (IsWordChar(prev) && !IsSpacelessScript(prev) &&
        !IsSpacelessScript(DecodeUtf8(folded, start).cp)) {
      return false;
    }
  }
  if (end < folded.size()) {
    const char32_t next = DecodeUtf8(folded, end).cp;
    if (IsWordChar(next) && !IsSpacelessScript(next)) {
      const char32_t last = DecodeUtf8Before(folded, end).cp;
      if (!IsSpacelessScript(last) && !IsHangul(last)) return false;
    }
  }
  return true;
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

absl::StatusOr<std::shared_ptr<const Matcher>> Matcher::Build(const Watchlist& watchlist) {
  std::shared_ptr<Matcher> matcher(new Matcher());
  absl::flat_hash_set<std::string> ids;
  absl::flat_hash_map<std::string, uint32_t> folded_ids;  // folded alias -> pattern id
  std::vector<std::string_view> patterns;
  matcher->entity_ids_.reserve(watchlist.entities.size());

  for (const Entity& entity : watchlist.entities) {
    if (absl::Status status = ValidateEntity(entity); !status.ok()) return status;
    if (!ids.insert(entity.id).second) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate entity id '", entity.id, "'"));
    }
    const uint32_t entity_index = static_cast<uint32_t>(matcher->entity_ids_.size());
    matcher->entity_ids_.push_back(entity.id);

    auto add = [&](const std::string& written) -> absl::Status {
      const ww::text::Normalized folded = ww::text::Normalize(written);
      const std::string key(TrimSpaces(folded.text));
      if (key.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "entity '", entity.id, "': alias '", written, "' has nothing to match"));
      }
      if (folded_ids.contains(key)) return absl::OkStatus();  // first entity listed wins
      folded_ids.emplace(key, static_cast<uint32_t>(matcher->aliases_.size()));
      matcher->aliases_.push_back(
          Alias{entity_index, static_cast<uint32_t>(matcher->written_aliases_.size()),
                static_cast<uint32_t>(written.size())});
      matcher->written_aliases_.append(written);
      return absl::OkStatus();
    };
    if (absl::Status status = add(entity.name); !status.ok()) return status;
    for (const std::string& alias : entity.aliases) {
      if (absl::Status status = add(alias); !status.ok()) return status;
    }
  }

  patterns.resize(matcher->aliases_.size());
  for (const auto& [key, id] : folded_ids) patterns[id] = key;  // keys are stable in the map
  matcher->automaton_ = AhoCorasick::Build(patterns);
  matcher->written_aliases_.shrink_to_fit();
  matcher->aliases_.shrink_to_fit();
  return std::shared_ptr<const Matcher>(std::move(matcher));
}

std::vector<Mention> Matcher::FindAll(std::string_view utf8) const {
  std::vector<Mention> mentions;
  if (utf8.empty() || aliases_.empty()) return mentions;
  const ww::text::Normalized folded = ww::text::Normalize(utf8);
  const std::string_view text = folded.text;

  struct Candidate {
    uint32_t start;
    uint32_t end;
    uint32_t alias;
  };
  std::vector<Candidate> candidates;
  automaton_.Scan(text, [&](uint32_t alias, size_t end) {
    const size_t start = end - automaton_.pattern_length(alias);
    if (HasTokenBoundaries(text, start, end)) {
      candidates.push_back(
          {static_cast<uint32_t>(start), static_cast<uint32_t>(end), alias});
    }
  });
  // Leftmost first; at the same start, longest first.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.start != b.start) return a.start < b.start;
    return a.end > b.end;
  });

  uint32_t folded_end = 0;    // end of the last accepted match in the folded text
  uint32_t original_end = 0;  // and in the original text
  for (const Candidate& c : candidates) {
    if (c.start < folded_end) continue;
    const uint32_t start = folded.origin[c.start];
    const uint32_t end =
        static_cast<uint32_t>(ww::text::SegmentEnd(utf8, folded.origin[c.end - 1]));
    if (start < original_end) continue;  // would split a combining sequence shared with the last
    folded_end = c.end;
    original_end = end;
    const Alias& alias = aliases_[c.alias];
    Mention& m = mentions.emplace_back();
    m.entity_id = entity_ids_[alias.entity];
    m.alias = written_aliases_.substr(alias.written_offset, alias.written_size);
    m.start = start;
    m.end = end;
    m.text = std::string(utf8.substr(start, end - start));
    m.snippet = MakeSnippet(utf8, start, end);
  }
  return mentions;
}

}  // namespace ww::tagging
