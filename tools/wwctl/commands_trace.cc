// wwctl trace ARTICLE_ID: one article's path through the pipeline's topics, with times,
// followed by the W3C traceparent every stage copies from a record to what it makes of it.
#include <algorithm>
#include <cstdio>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/runtime/json.h"
#include "libs/runtime/trace.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"

namespace ww::wwctl {
namespace {

// One record on the article's path.
struct Hop {
  kafka::Record record;
  std::string trace_id, span_id;
};

std::string Header(const kafka::Record& r, std::string_view key) {
  auto v = r.header(key);
  return v ? std::string(*v) : "";
}

int Trace(const ParsedArgs& a) {
  const std::string cmd = "trace";
  if (a.positional().size() != 1)
    return Fail(cmd, "give one article id (as `wwctl submit` prints)", 2);
  const std::string& article = a.positional()[0];
  const Format format = FormatFromFlag(a.value("output"));
  auto since = ParseTimeArg(a.value("since"));
  if (!since.ok()) return Fail(cmd, std::string(since.status().message()), 2);
  const kafka::ClientConfig client = KafkaClient(a);
  const std::string prefix = a.value("topic-prefix");

  // The article's traces: one per time it was ingested (a resubmission is a new trace).
  std::set<std::string> traces;
  const std::string raw = prefix + "articles.raw";
  absl::Status s = ReadRange(client, raw, *since, 0, [&](const kafka::Record& r) {
    if (r.key != article) return;
    if (auto t = runtime::TraceContext::Parse(Header(r, runtime::kTraceparentHeader))) {
      traces.insert(t->trace_id);
    }
  });
  if (!s.ok()) return FailStatus(cmd, s, client.bootstrap_servers);
  if (traces.empty()) {
    return Fail(cmd, absl::StrCat("no record of article ", article, " with a traceparent on ", raw,
                                  " since ", absl::FormatTime(absl::FromUnixMillis(*since)),
                                  " (try an earlier --since)"));
  }

  std::vector<Hop> hops;
  for (const char* name : {"articles.raw", "dedup.claims", "articles.unique", "articles.duplicates",
                           "articles.tagged", "alerts", "deadletter"}) {
    s = ReadRange(client, prefix + name, *since, 0, [&](const kafka::Record& r) {
      auto t = runtime::TraceContext::Parse(Header(r, runtime::kTraceparentHeader));
      if (t && traces.contains(t->trace_id)) hops.push_back({r, t->trace_id, t->span_id});
    });
    if (!s.ok()) return FailStatus(cmd, s, client.bootstrap_servers);
  }
  std::stable_sort(hops.begin(), hops.end(), [](const Hop& x, const Hop& y) {
    return x.record.timestamp_ms < y.record.timestamp_ms;
  });

  if (format == Format::kJson) {
    for (const Hop& h : hops) {
      const kafka::Record& r = h.record;
      std::puts(runtime::ToJsonLine({{"trace_id", h.trace_id},
                                     {"span_id", h.span_id},
                                     {"topic", r.topic},
                                     {"partition", r.partition},
                                     {"offset", r.offset},
                                     {"timestamp_ms", r.timestamp_ms},
                                     {"stage", Header(r, kafka::kHeaderSourceStage)},
                                     {"key", r.key},
                                     {"deadletter_reason", Header(r, kafka::kHeaderDlqReason)}})
                    .c_str());
    }
    return 0;
  }
  for (const std::string& t : traces)
    std::printf("article %s  trace %s\n", article.c_str(), t.c_str());
  std::vector<std::vector<std::string>> rows;
  const int64_t first = hops.empty() ? 0 : hops.front().record.timestamp_ms;
  for (const Hop& h : hops) {
    const kafka::Record& r = h.record;
    std::string stage = Header(r, kafka::kHeaderSourceStage);
    if (stage.empty()) stage = r.topic == raw ? "ingestor" : "-";
    std::string note = Header(r, kafka::kHeaderDlqReason);
    rows.push_back({absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(r.timestamp_ms),
                                     absl::UTCTimeZone()),
                    absl::StrCat("+", r.timestamp_ms - first, "ms"), r.topic,
                    absl::StrCat(r.partition, ":", r.offset), stage, r.key, h.span_id,
                    note.empty() ? "" : "dead letter: " + note});
  }
  std::fputs(
      Table({"TIME", "SINCE-INGEST", "TOPIC", "PARTITION:OFFSET", "BY", "KEY", "SPAN", ""}, rows)
          .c_str(),
      stdout);
  return 0;
}

}  // namespace

void AddTraceCommand(Cli& cli) {
  cli.Add({{"trace"},
           "Follows one article through the topics (by the traceparent each stage passes on): "
           "where it went, when, and which stage wrote it.",
           "ARTICLE_ID",
           "wwctl trace ar-1f3a9c0d2b4e5f60 --since 1d",
           {{"since", "TIME", "look at records from this time (RFC 3339 or an age like 3d)", "7d"},
            {"output", "text|json", "output format", "text"}},
           Trace});
}

}  // namespace ww::wwctl
