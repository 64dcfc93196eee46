#include "libs/runtime/trace.h"

#include <atomic>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "libs/runtime/ids.h"

namespace ww::runtime {

namespace {

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool AllZero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

// 16 hex digits of a stable hash of `data`, never all zero.
std::string SpanHex(std::string_view data) {
  std::string h = StableHashHex(data).substr(0, 16);
  if (AllZero(h)) h.back() = '1';
  return h;
}

}  // namespace

std::string TraceContext::ToString() const {
  return absl::StrCat("00-", trace_id, "-", span_id, sampled ? "-01" : "-00");
}

std::optional<TraceContext> TraceContext::Parse(std::string_view v) {
  // version "-" trace-id "-" parent-id "-" flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55.
  if (v.size() < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return std::nullopt;
  std::string_view version = v.substr(0, 2), trace = v.substr(3, 32), span = v.substr(36, 16),
                   flags = v.substr(53, 2);
  if (!IsLowerHex(version) || version == "ff" || !IsLowerHex(trace) || !IsLowerHex(span) ||
      !IsLowerHex(flags) || AllZero(trace) || AllZero(span)) {
    return std::nullopt;
  }
  if (version == "00" && v.size() != 55) return std::nullopt;
  if (version != "00" && v.size() > 55 && v[55] != '-') return std::nullopt;
  TraceContext t;
  t.trace_id = std::string(trace);
  t.span_id = std::string(span);
  t.sampled = (std::stoi(std::string(flags), nullptr, 16) & 1) != 0;
  return t;
}

TraceContext TraceContext::NewRoot(std::string_view seed) {
  static std::atomic<uint64_t> counter{0};
  const uint64_t now = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch() /
                                             std::chrono::nanoseconds(1));
  TraceContext t;
  t.trace_id = StableHashHex(absl::StrCat(AV(seed), "\x1f", now, "\x1f", counter.fetch_add(1)));
  if (AllZero(t.trace_id)) t.trace_id.back() = '1';
  t.span_id = SpanHex(t.trace_id);
  return t;
}

TraceContext TraceContext::Child(std::string_view step) const {
  TraceContext t = *this;
  t.span_id = SpanHex(absl::StrCat(span_id, "\x1f", AV(step)));
  return t;
}

}  // namespace ww::runtime
