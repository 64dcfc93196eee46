// wwctl replay: copies a time or offset range of a topic into the same or another topic,
// exactly once and resumable (the logic is ww::kafka::Replay in libs/kafka/replay.h).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "libs/kafka/replay.h"
#include "libs/runtime/ids.h"
#include "libs/runtime/json.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"

namespace ww::wwctl {

namespace {

std::atomic<bool> g_stop{false};
const char* g_command = "replay";  // or "backfill", for messages

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "wwctl %s: %s\n", g_command, message.c_str());
  return code;
}

int FailStatus(const absl::Status& s, const std::string& bootstrap) {
  std::string hint;
  if (s.code() == absl::StatusCode::kUnavailable) {
    hint = absl::StrCat(" (is Kafka running at ", bootstrap, "?)");
  }
  return Fail(absl::StrCat(s.message(), hint),
              s.code() == absl::StatusCode::kInvalidArgument ? 2 : 1);
}

// "P:O" -> {P, O}.
absl::Status ParsePartitionOffset(const std::string& v, std::map<int32_t, int64_t>* out) {
  size_t colon = v.find(':');
  int32_t p;
  int64_t o;
  if (colon == std::string::npos || !absl::SimpleAtoi(v.substr(0, colon), &p) ||
      !absl::SimpleAtoi(v.substr(colon + 1), &o) || p < 0 || o < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", v, "' is not PARTITION:OFFSET (e.g. 0:1200)"));
  }
  (*out)[p] = o;
  return absl::OkStatus();
}

std::string Hex64(const std::string& s) {
  const uint64_t h = runtime::Fnv1a64(s);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string HumanBytes(int64_t b) {
  constexpr int64_t kKiB = 1024, kMiB = 1024 * kKiB;
  if (b < 10 * kKiB) return absl::StrCat(b, " B");
  if (b < 10 * kMiB) return absl::StrCat(b / kKiB, " KiB");
  return absl::StrCat(b / kMiB, " MiB");
}

// Progress on stderr: a line rewritten in place on a terminal, else a line a second.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool dry_run) : tty_(isatty(2) == 1), dry_run_(dry_run) {}
  ~ProgressPrinter() {
    if (tty_ && printed_) std::fputc('\n', stderr);
  }
  void operator()(const kafka::ReplayProgress& p) {
    absl::Time now = absl::Now();
    if (printed_ && now - last_ < absl::Seconds(1)) return;
    last_ = now;
    printed_ = true;
    double secs = std::max(1e-3, absl::ToDoubleSeconds(p.elapsed));
    double rate = p.scanned / secs;
    std::string eta = "-";
    if (rate > 0 && !p.complete)
      eta = absl::FormatDuration(absl::Seconds(static_cast<int64_t>(p.remaining / rate)));
    std::string line =
        absl::StrCat(dry_run_ ? "matched " : "copied ", p.copied, " of ", p.scanned, " read, ",
                     HumanBytes(p.bytes), ", ", static_cast<int64_t>(rate), " rec/s, ", p.remaining,
                     " offsets left, ETA ", eta);
    if (tty_) {
      std::fprintf(stderr, "\r\033[K%s", line.c_str());
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
  }

 private:
  bool tty_;
  bool dry_run_;
  bool printed_ = false;
  absl::Time last_ = absl::InfinitePast();
};

// A field of a decoded record as text (enums by name); repeated fields give every element.
std::vector<std::string> FieldValues(const google::protobuf::Message& m,
                                     const google::protobuf::FieldDescriptor* f) {
  using FD = google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* r = m.GetReflection();
  const int n = f->is_repeated() ? r->FieldSize(m, f) : 1;
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    const bool rep = f->is_repeated();
    switch (f->cpp_type()) {
      case FD::CPPTYPE_STRING:
        out.push_back(rep ? r->GetRepeatedString(m, f, i) : r->GetString(m, f));
        break;
      case FD::CPPTYPE_INT32:
        out.push_back(absl::StrCat(rep ? r->GetRepeatedInt32(m, f, i) : r->GetInt32(m, f)));
        break;
      case FD::CPPTYPE_INT64:
        out.push_back(absl::StrCat(rep ? r->GetRepeatedInt64(m, f, i) : r->GetInt64(m, f)));
        break;
      case FD::CPPTYPE_UINT32:
        out.push_back(absl::StrCat(rep ? r->GetRepeatedUInt32(m, f, i) : r->GetUInt32(m, f)));
        break;
      case FD::CPPTYPE_UINT64:
        out.push_back(absl::StrCat(rep ? r->GetRepeatedUInt64(m, f, i) : r->GetUInt64(m, f)));
        break;
      case FD::CPPTYPE_BOOL:
        out.push_back((rep ? r->GetRepeatedBool(m, f, i) : r->GetBool(m, f)) ? "true" : "false");
        break;
      case FD::CPPTYPE_ENUM:
        out.push_back(rep ? r->GetRepeatedEnum(m, f, i)->name() : r->GetEnum(m, f)->name());
        break;
      default:  // doubles, floats and messages are not matched
        break;
    }
  }
  return out;
}

// --where field:NAME=VALUE conditions on the decoded value of records of `topic`.
absl::StatusOr<std::function<bool(const kafka::Record&)>> FieldPredicate(
    const std::vector<std::string>& conditions, const std::string& topic,
    const std::string& prefix) {
  std::shared_ptr<google::protobuf::Message> prototype = RecordMessageFor(topic, prefix);
  if (prototype == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "field: filters need a topic of protobuf records (articles.*, alerts, watchlist, "
        "rules, feeds); ",
        topic, " holds raw bytes"));
  }
  std::vector<std::pair<const google::protobuf::FieldDescriptor*, std::string>> want;
  for (const std::string& c : conditions) {
    size_t eq = c.find('=');
    std::string name = c.substr(6, eq == std::string::npos ? std::string::npos : eq - 6);
    const auto* f = prototype->GetDescriptor()->FindFieldByName(name);
    if (eq == std::string::npos || f == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("bad filter '", c, "': no field '", name,
                                                     "' in ", prototype->GetTypeName()));
    }
    want.emplace_back(f, c.substr(eq + 1));
  }
  return [prototype, want](const kafka::Record& r) {
    std::unique_ptr<google::protobuf::Message> m(prototype->New());
    if (r.tombstone || !m->ParseFromString(r.value)) return false;
    for (const auto& [f, value] : want) {
      std::vector<std::string> have = FieldValues(*m, f);
      if (std::find(have.begin(), have.end(), value) == have.end()) return false;
    }
    return true;
  };
}

// --since, --until and --rate into `o`; InvalidArgument names the bad flag.
absl::Status TimeRangeAndRate(const ParsedArgs& a, kafka::ReplayOptions& o) {
  for (auto [flag, out] : {std::pair{"since", &o.since_ms}, std::pair{"until", &o.until_ms}}) {
    if (!a.has(flag)) continue;
    auto t = ParseTimeArg(a.value(flag));
    if (!t.ok())
      return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", t.status().message()));
    *out = *t;
  }
  if (a.has("rate")) {
    std::string r = a.value("rate");
    if (r.ends_with("/s")) r.resize(r.size() - 2);
    if (!absl::SimpleAtod(r, &o.rate_per_second) || o.rate_per_second <= 0) {
      return absl::InvalidArgumentError(
          "--rate must be a positive number of records a second, like 500/s");
    }
  }
  return absl::OkStatus();
}

int RunJob(const kafka::ReplayOptions& o, Format format);

int RunReplay(const ParsedArgs& a) {
  const Format format = FormatFromFlag(a.value("output"));
  if (!a.positional().empty()) return Fail("unexpected argument " + a.positional()[0], 2);
  kafka::ReplayOptions o;
  o.client = KafkaClient(a);
  o.from_topic = a.value("from");
  o.to_topic = a.value("to");
  if (o.from_topic.empty()) return Fail("--from TOPIC is required", 2);
  if (o.to_topic.empty()) o.to_topic = o.from_topic;
  const bool by_time = a.has("since") || a.has("until");
  const bool by_offset = a.has("from-offset") || a.has("to-offset");
  if (by_time && by_offset) return Fail("give a time range or an offset range, not both", 2);
  if (absl::Status s = TimeRangeAndRate(a, o); !s.ok()) return Fail(std::string(s.message()), 2);
  for (const std::string& v : a.values("from-offset")) {
    if (auto s = ParsePartitionOffset(v, &o.from_offsets); !s.ok()) {
      return Fail(absl::StrCat("--from-offset: ", s.message()), 2);
    }
  }
  for (const std::string& v : a.values("to-offset")) {
    if (auto s = ParsePartitionOffset(v, &o.to_offsets); !s.ok()) {
      return Fail(absl::StrCat("--to-offset: ", s.message()), 2);
    }
  }
  std::vector<std::string> field_conditions;
  for (const std::string& v : a.values("where")) {
    if (v.starts_with("field:")) {
      field_conditions.push_back(v);
      continue;
    }
    auto f = kafka::ParseReplayFilter(v);
    if (!f.ok()) return Fail(absl::StrCat("--where: ", f.status().message()), 2);
    o.where.push_back(*f);
  }
  if (a.has("limit")) {
    if (!absl::SimpleAtoi(a.value("limit"), &o.limit) || o.limit < 0) {
      return Fail("--limit must be a whole number", 2);
    }
  }
  if (!field_conditions.empty()) {
    auto p = FieldPredicate(field_conditions, o.from_topic, a.value("topic-prefix"));
    if (!p.ok()) return Fail(std::string(p.status().message()), 2);
    o.predicate = *p;
  }
  o.dry_run = a.has("dry-run");
  o.checkpoint_topic = a.value("topic-prefix") + "replay.checkpoints";
  // The job is named by the arguments as given (a relative --since means the range first
  // planned, which the checkpoint keeps), so a rerun with the same arguments resumes.
  o.job_id = Hex64(absl::StrJoin(
      {o.from_topic, o.to_topic, a.value("since"), a.value("until"),
       absl::StrJoin(a.values("from-offset"), ","), absl::StrJoin(a.values("to-offset"), ","),
       absl::StrJoin(a.values("where"), "\x1f")},
      "\x1e"));

  return RunJob(o, format);
}

// Runs a replay job with progress on stderr and prints the summary; the exit code.
int RunJob(const kafka::ReplayOptions& o, Format format) {
  g_stop = false;
  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });
  absl::StatusOr<kafka::ReplayProgress> result;
  {
    ProgressPrinter printer(o.dry_run);
    result = kafka::Replay(
        o, [&](const kafka::ReplayProgress& p) { printer(p); }, &g_stop);
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!result.ok()) return FailStatus(result.status(), o.client.bootstrap_servers);
  const kafka::ReplayProgress& p = *result;
  const std::string state = p.already_done ? "already-complete"
                            : p.complete   ? "complete"
                                           : "interrupted";
  if (format == Format::kJson) {
    using Json = nlohmann::ordered_json;
    const char* counted = o.dry_run ? "matched" : "copied";
    Json parts = Json::array();
    for (const auto& [part, s] : p.partitions) {
      parts.push_back({{"partition", part},
                       {"start", s.start},
                       {"end", s.end},
                       {"next", s.next},
                       {counted, s.matched}});
    }
    std::puts(runtime::ToJsonLine(
                  {{"job", p.job_id},
                   {"from", o.from_topic},
                   {"to", o.to_topic},
                   {"dry_run", o.dry_run},
                   {"state", state},
                   {"resumed", p.resumed},
                   {"scanned", p.scanned},
                   {counted, p.copied},
                   {"bytes", p.bytes},
                   {"seconds", std::round(absl::ToDoubleSeconds(p.elapsed) * 1000) / 1000},
                   {"partitions", parts}})
                  .c_str());
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [part, s] : p.partitions) {
      rows.push_back({absl::StrCat(part), absl::StrCat(s.start), absl::StrCat(s.end),
                      absl::StrCat(s.next), absl::StrCat(s.matched)});
    }
    std::fputs(Table({"PARTITION", "START", "END", "NEXT", o.dry_run ? "MATCHED" : "COPIED"}, rows)
                   .c_str(),
               stdout);
    if (p.already_done) {
      std::printf("job %s had already completed: nothing copied\n", p.job_id.c_str());
    } else {
      std::printf("%s %lld of %lld records read (%s) from %s %s %s in %s%s; job %s %s\n",
                  o.dry_run ? "dry run: would copy" : "copied", static_cast<long long>(p.copied),
                  static_cast<long long>(p.scanned), HumanBytes(p.bytes).c_str(),
                  o.from_topic.c_str(), o.dry_run ? "to" : "into", o.to_topic.c_str(),
                  absl::FormatDuration(absl::Trunc(p.elapsed, absl::Milliseconds(1))).c_str(),
                  p.resumed ? " (resumed from checkpoint)" : "", p.job_id.c_str(), state.c_str());
      if (!p.complete && !o.dry_run) {
        std::printf("rerun the same command to resume where this run stopped\n");
      }
    }
  }
  return 0;
}

// wwctl backfill: the watchlist applied, then the deduplicated articles of a time range
// replayed onto the tagger's input, so past articles are tagged and alerted for entities
// added later. Alerts already raised are not repeated: the alerter raises one alert per rule
// and story (deterministic ids) and ignores a rule firing again on a story.
int RunBackfill(const ParsedArgs& a) {
  const std::string cmd = "backfill";
  g_command = "backfill";
  const Format format = FormatFromFlag(a.value("output"));
  if (!a.positional().empty()) return Fail("unexpected argument " + a.positional()[0], 2);
  if (a.value("watchlist").empty() && !a.has("no-watchlist")) {
    return Fail("--watchlist FILE is required (or --no-watchlist to replay only)", 2);
  }
  if (a.value("since").empty()) return Fail("--since TIME is required (e.g. 3d)", 2);
  kafka::ReplayOptions o;
  o.client = KafkaClient(a);
  if (absl::Status s = TimeRangeAndRate(a, o); !s.ok()) return Fail(std::string(s.message()), 2);
  auto wait = ParseDuration(a.value("wait"));
  if (!wait.ok()) return Fail(absl::StrCat("--wait: ", wait.status().message()), 2);
  o.dry_run = a.has("dry-run");
  if (!a.has("no-watchlist") && !o.dry_run) {
    if (int code = ApplyWatchlistAndWait(a, cmd, a.value("watchlist"), a.has("merge"), *wait);
        code != 0) {
      return code;
    }
  }
  // The deduper's output is the tagger's input: replaying it there re-tags each article once.
  const std::string prefix = a.value("topic-prefix");
  o.from_topic = prefix + "articles.unique";
  o.to_topic = o.from_topic;
  o.checkpoint_topic = prefix + "replay.checkpoints";
  // Named by the arguments as given and the watchlist's content: rerun unchanged, an
  // interrupted backfill resumes (and a finished one is not redone); a changed watchlist is
  // a new backfill.
  std::string watchlist;
  if (!a.value("watchlist").empty()) {
    auto text = ReadFile(a.value("watchlist"));
    if (!text.ok()) return Fail(std::string(text.status().message()), 2);
    watchlist = *text;
  }
  o.job_id = Hex64(absl::StrJoin(
      {std::string("backfill"), o.from_topic, a.value("since"), a.value("until"), watchlist},
      "\x1e"));
  return RunJob(o, format);
}

}  // namespace

void AddReplayCommands(Cli& cli) {
  cli.Add({{"backfill"},
           "Re-tags and re-alerts past articles for entities added to the watchlist later: "
           "applies the watchlist (as watchlist apply), waits until the tagger has loaded it, "
           "then replays <prefix>articles.unique from --since onto itself (ww-replay-of "
           "headers) through the running pipeline. Alerts already raised are not repeated.",
           "--watchlist FILE --since T [--until T] [--merge] [--rate N/s] [--dry-run]",
           "wwctl backfill --watchlist samples/watchlist.yaml --since 3d",
           {{"watchlist", "FILE", "the watchlist with the new entities", ""},
            {"merge", "", "keep entities that the file does not list", ""},
            {"no-watchlist", "", "skip applying a watchlist: only replay", ""},
            {"since", "TIME", "articles from: ISO 8601 or age like 3d", ""},
            {"until", "TIME", "articles before (default: now)", ""},
            {"wait", "DURATION", "how long to wait for the tagger to load the watchlist", "60s"},
            {"rate", "N/s", "at most N articles a second", ""},
            {"dry-run", "", "count the articles in the range; apply and replay nothing", ""},
            {"output", "text|json", "output format of the summary", "text"}},
           RunBackfill});
  cli.Add({{"replay"},
           "Copies a time or offset range of a topic exactly once, resumable (checkpoint in "
           "<prefix>replay.checkpoints); keeps key, headers, timestamp; adds ww-replay-of.",
           "--from TOPIC [--to TOPIC] [--since T] [--until T] | [--from-offset P:O]... "
           "[--to-offset P:O]... [--where COND]... [--rate N/s] [--dry-run]",
           "wwctl replay --from ww.articles.raw --to ww.articles.raw --since 3d --until 1d "
           "--where header:ww-source-stage=ingestor --rate 200/s",
           {{"from", "TOPIC", "topic to copy from", ""},
            {"to", "TOPIC", "topic to copy into (default: the --from topic)", ""},
            {"since", "TIME", "first record time: ISO 8601 (2026-11-28T10:00:00Z) or age (3d)", ""},
            {"until", "TIME", "end of the time range (exclusive), same forms", ""},
            {"from-offset", "P:O", "start partition P at offset O (offset range mode)", "", true},
            {"to-offset", "P:O", "stop partition P before offset O (offset range mode)", "", true},
            {"where", "COND",
             "copy only records with key=VALUE, header:NAME=VALUE or field:NAME=VALUE (a field "
             "of the decoded record, e.g. field:source=reuters); all must hold",
             "", true},
            {"rate", "N/s", "at most N records a second", ""},
            {"limit", "N", "stop after copying N records (a later run resumes)", ""},
            {"dry-run", "", "count per partition what would be copied; copy nothing", ""},
            {"output", "text|json", "output format of the summary", "text"}},
           RunReplay});
}

}  // namespace ww::wwctl
