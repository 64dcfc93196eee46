#pragma once
// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` value that
// follows one article from ingest through every topic to its alerts, so its path can be
// found in logs and headers (`wwctl trace`). Plain strings; no tracing SDK.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ww::runtime {

// The header (and gRPC metadata key) that carries it, as the specification names it.
inline constexpr std::string_view kTraceparentHeader = "traceparent";

struct TraceContext {
  std::string trace_id;  // 32 lowercase hex digits, not all zero
  std::string span_id;   // 16 lowercase hex digits, not all zero
  bool sampled = true;

  // "00-<trace_id>-<span_id>-01" (or -00 when not sampled).
  std::string ToString() const;

  // A value of version 00 as the specification defines it; nullopt for anything else
  // (wrong lengths, uppercase hex, all-zero ids, version ff). Later versions are read by
  // their first four fields, as the specification asks.
  static std::optional<TraceContext> Parse(std::string_view traceparent);

  // A new trace for something that enters the system (an article), its ids derived from
  // `seed` and the clock so two ingests of the same article are two traces.
  static TraceContext NewRoot(std::string_view seed);

  // The context of a step taken on behalf of this one: same trace, a new span id derived
  // from this span and `step` (deterministic, so a replayed step gets the same span).
  TraceContext Child(std::string_view step) const;
};

}  // namespace ww::runtime
