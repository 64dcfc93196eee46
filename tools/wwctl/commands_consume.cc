// wwctl consume (records of a topic, decoded from protobuf by topic name) and
// wwctl deadletter list|show|retry (what the stages could not read, and sending it back).
#include <cstdio>
#include <memory>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/reader.h"
#include "libs/runtime/json.h"
#include "libs/runtime/shutdown.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"
#include "ww/v1/records.pb.h"

namespace ww::wwctl {
namespace {}  // namespace

std::unique_ptr<google::protobuf::Message> RecordMessageFor(const std::string& topic,
                                                            const std::string& prefix) {
  std::string name = topic;
  if (!prefix.empty() && name.starts_with(prefix)) name = name.substr(prefix.size());
  if (name == "articles.tagged") return std::make_unique<ww::v1::TaggedArticle>();
  if (name.starts_with("articles.")) return std::make_unique<ww::v1::Article>();
  if (name == "alerts") return std::make_unique<ww::v1::Alert>();
  if (name == "watchlist") return std::make_unique<ww::v1::Entity>();
  if (name == "rules") return std::make_unique<ww::v1::Rule>();
  if (name == "feeds") return std::make_unique<ww::v1::FeedState>();
  if (name == "audit") return std::make_unique<ww::v1::AuditRecord>();
  return nullptr;
}

namespace {

using Json = nlohmann::ordered_json;

// The value as JSON: the decoded message, or a string when raw or not decodable.
Json ValueJson(const kafka::Record& r, const std::string& type_topic, const std::string& prefix,
               bool raw) {
  if (r.tombstone) return nullptr;
  if (!raw) {
    if (auto m = RecordMessageFor(type_topic, prefix); m && m->ParseFromString(r.value)) {
      Json decoded = Json::parse(ToJsonLine(*m), nullptr, /*allow_exceptions=*/false);
      if (!decoded.is_discarded()) return decoded;  // protobuf refuses e.g. invalid UTF-8
    }
  }
  return r.value;
}

std::string RecordJson(const kafka::Record& r, const Json& value) {
  Json headers = Json::object();
  for (const auto& h : r.headers) headers.emplace(h.key, h.value);  // the first of a key wins
  return runtime::ToJsonLine({{"topic", r.topic},
                              {"partition", r.partition},
                              {"offset", r.offset},
                              {"timestamp", Rfc3339(r.timestamp_ms)},
                              {"key", r.key},
                              {"headers", headers},
                              {"value", value}});
}

}  // namespace

absl::Status ReadRange(const kafka::ClientConfig& c, const std::string& topic, int64_t since_ms,
                       int64_t limit, const std::function<void(const kafka::Record&)>& fn,
                       bool follow) {
  const runtime::Shutdown* stop = follow ? &runtime::Shutdown::Install() : nullptr;
  kafka::StartAt start;
  start.time_ms = since_ms;
  auto reader = kafka::TopicReader::Create(c, topic, start);
  if (!reader.ok()) return reader.status();
  int64_t n = 0;
  auto more = [&] { return follow ? !stop->requested() : !(*reader)->caught_up(); };
  while (more() && (limit == 0 || n < limit)) {
    for (const kafka::Record& r : (*reader)->Poll(absl::Milliseconds(300))) {
      if (limit != 0 && n >= limit) break;
      fn(r);
      ++n;
    }
  }
  return absl::OkStatus();
}

namespace {

struct RangeArgs {
  int64_t since_ms = -1;
  int64_t limit = 0;
};

absl::StatusOr<RangeArgs> Range(const ParsedArgs& a) {
  RangeArgs r;
  if (!a.value("since").empty()) {
    auto t = ParseTimeArg(a.value("since"));
    if (!t.ok()) return absl::InvalidArgumentError(absl::StrCat("--since: ", t.status().message()));
    r.since_ms = *t;
  }
  if (!absl::SimpleAtoi(a.value("limit"), &r.limit) || r.limit < 0) {
    return absl::InvalidArgumentError("--limit must be a whole number");
  }
  return r;
}

int Consume(const ParsedArgs& a) {
  const Format format = FormatFromFlag(a.value("output"));
  if (a.positional().size() != 1) return Fail("consume", "give one TOPIC", 2);
  auto range = Range(a);
  if (!range.ok()) return Fail("consume", std::string(range.status().message()), 2);
  const std::string topic = a.positional()[0], prefix = a.value("topic-prefix");
  const bool raw = a.has("raw");
  const bool follow = a.has("follow");
  absl::Status s = ReadRange(
      KafkaClient(a), topic, range->since_ms, range->limit,
      [&](const kafka::Record& r) {
        const Json value = ValueJson(r, topic, prefix, raw);
        if (format == Format::kJson) {
          std::printf("%s\n", RecordJson(r, value).c_str());
        } else {
          std::printf("%d/%lld  %s  %s  %s\n", r.partition, static_cast<long long>(r.offset),
                      Rfc3339(r.timestamp_ms).c_str(), r.key.c_str(),
                      runtime::ToJsonLine(value).c_str());
        }
        if (follow) std::fflush(stdout);  // a line as soon as it arrives, also into a pipe
      },
      follow);
  if (!s.ok()) return FailStatus("consume", s, a.value("bootstrap-servers"));
  return 0;
}

std::string DlqTopic(const ParsedArgs& a) {
  return a.value("topic").empty() ? a.value("topic-prefix") + "deadletter" : a.value("topic");
}

std::string Header(const kafka::Record& r, std::string_view name) {
  auto h = r.header(name);
  return h ? std::string(*h) : "";
}

std::string Source(const kafka::Record& r) {
  return absl::StrCat(Header(r, kafka::kHeaderDlqTopic), "/", Header(r, kafka::kHeaderDlqPartition),
                      "/", Header(r, kafka::kHeaderDlqOffset));
}

int DeadletterList(const ParsedArgs& a) {
  const Format format = FormatFromFlag(a.value("output"));
  auto range = Range(a);
  if (!range.ok()) return Fail("deadletter list", std::string(range.status().message()), 2);
  std::vector<std::vector<std::string>> rows;
  absl::Status s = ReadRange(
      KafkaClient(a), DlqTopic(a), range->since_ms, range->limit, [&](const kafka::Record& r) {
        if (format == Format::kJson) {
          std::printf("%s\n", RecordJson(r, Json(r.value)).c_str());
          return;
        }
        rows.push_back({absl::StrCat(r.partition, ":", r.offset), Rfc3339(r.timestamp_ms),
                        Header(r, kafka::kHeaderDlqStage), Source(r),
                        Header(r, kafka::kHeaderDlqReason).substr(0, 80)});
      });
  if (!s.ok()) return FailStatus("deadletter list", s, a.value("bootstrap-servers"));
  if (format == Format::kText) {
    std::fputs(Table({"ID", "TIME", "STAGE", "SOURCE", "REASON"}, rows).c_str(), stdout);
  }
  return 0;
}

// ww.audit as a table (or JSON lines): who changed what, when, from where.
int Audit(const ParsedArgs& a) {
  const Format format = FormatFromFlag(a.value("output"));
  auto range = Range(a);
  if (!range.ok()) return Fail("audit", std::string(range.status().message()), 2);
  const std::string tenant = a.value("tenant");
  std::vector<std::vector<std::string>> rows;
  absl::Status s = ReadRange(
      KafkaClient(a), a.value("topic-prefix") + "audit", range->since_ms, range->limit,
      [&](const kafka::Record& r) {
        ww::v1::AuditRecord rec;
        if (!rec.ParseFromString(r.value)) return;
        if (!tenant.empty() && rec.tenant() != tenant) return;
        if (format == Format::kJson) {
          std::printf("%s\n", ToJsonLine(rec).c_str());
          return;
        }
        std::string method = rec.method();
        if (size_t dot = method.rfind('.'); dot != std::string::npos)
          method = method.substr(dot + 1);
        rows.push_back({Rfc3339(rec.unix_ms()), rec.tenant(), rec.token_id(), rec.role(), method,
                        rec.code() == 0
                            ? "OK"
                            : absl::StrCat("error ", rec.code(), ": ", rec.message().substr(0, 40)),
                        rec.peer(), rec.request_json().substr(0, 60)});
      });
  if (!s.ok()) return FailStatus("audit", s, a.value("bootstrap-servers"));
  if (format == Format::kText) {
    std::fputs(
        Table({"TIME", "TENANT", "TOKEN", "ROLE", "METHOD", "RESULT", "PEER", "REQUEST"}, rows)
            .c_str(),
        stdout);
  }
  return 0;
}

// Reads the dead letters named "P:O" (all of them with --all).
absl::StatusOr<std::vector<kafka::Record>> Chosen(const ParsedArgs& a, const std::string& cmd) {
  std::set<std::pair<int32_t, int64_t>> want;
  for (const std::string& id : a.positional()) {
    size_t colon = id.find(':');
    int32_t p;
    int64_t o;
    if (colon == std::string::npos || !absl::SimpleAtoi(id.substr(0, colon), &p) ||
        !absl::SimpleAtoi(id.substr(colon + 1), &o)) {
      return absl::InvalidArgumentError(absl::StrCat("'", id,
                                                     "' is not an id PARTITION:OFFSET "
                                                     "as deadletter list shows"));
    }
    want.insert({p, o});
  }
  if (want.empty() && !a.has("all")) {
    return absl::InvalidArgumentError(
        absl::StrCat("give ids PARTITION:OFFSET", cmd == "retry" ? " or --all" : ""));
  }
  std::vector<kafka::Record> out;
  absl::Status s = ReadRange(KafkaClient(a), DlqTopic(a), -1, 0, [&](const kafka::Record& r) {
    if (want.empty() || want.erase({r.partition, r.offset}) > 0) out.push_back(r);
  });
  if (!s.ok()) return s;
  if (!want.empty() && !a.has("all")) {
    return absl::NotFoundError(absl::StrCat("no dead letter ", want.begin()->first, ":",
                                            want.begin()->second, " in ", DlqTopic(a)));
  }
  return out;
}

int DeadletterShow(const ParsedArgs& a) {
  const Format format = FormatFromFlag(a.value("output"));
  auto records = Chosen(a, "show");
  if (!records.ok()) {
    return FailStatus("deadletter show", records.status(), a.value("bootstrap-servers"));
  }
  for (const kafka::Record& r : *records) {
    const Json value =
        ValueJson(r, Header(r, kafka::kHeaderDlqTopic), a.value("topic-prefix"), a.has("raw"));
    if (format == Format::kJson) {
      std::printf("%s\n", RecordJson(r, value).c_str());
      continue;
    }
    std::printf(
        "id        %d:%lld\ntime      %s\nstage     %s\nsource    %s\nreason    %s\n"
        "key       %s\n",
        r.partition, static_cast<long long>(r.offset), Rfc3339(r.timestamp_ms).c_str(),
        Header(r, kafka::kHeaderDlqStage).c_str(), Source(r).c_str(),
        Header(r, kafka::kHeaderDlqReason).c_str(), r.key.c_str());
    for (const auto& h : r.headers) {
      if (h.key.starts_with("ww-dlq-")) continue;
      std::printf("header    %s=%s\n", h.key.c_str(), h.value.c_str());
    }
    std::printf("value     %s\n\n", runtime::ToJsonLine(value).c_str());
  }
  return 0;
}

int DeadletterRetry(const ParsedArgs& a) {
  const Format format = FormatFromFlag(a.value("output"));
  auto records = Chosen(a, "retry");
  const std::string bootstrap = a.value("bootstrap-servers");
  if (!records.ok()) return FailStatus("deadletter retry", records.status(), bootstrap);
  auto producer = kafka::Producer::Create(KafkaClient(a));
  if (!producer.ok()) return FailStatus("deadletter retry", producer.status(), bootstrap);
  int failed = 0;
  for (const kafka::Record& r : *records) {
    const std::string source = Header(r, kafka::kHeaderDlqTopic);
    const std::string id = absl::StrCat(r.partition, ":", r.offset);
    if (source.empty()) {
      std::fprintf(stderr, "wwctl deadletter retry: %s has no source topic header\n", id.c_str());
      ++failed;
      continue;
    }
    kafka::OutRecord out{source, r.key, r.value, r.tombstone};
    for (const auto& h : r.headers) {
      if (!h.key.starts_with("ww-dlq-")) out.headers.push_back(h);
    }
    out.headers.push_back({"ww-retry-of", absl::StrCat(r.topic, "/", r.partition, "/", r.offset)});
    auto d = (*producer)->Send(out);
    if (!d.ok()) {
      std::fprintf(stderr, "wwctl deadletter retry: %s: %s\n", id.c_str(),
                   std::string(d.status().message()).c_str());
      ++failed;
      continue;
    }
    if (format == Format::kJson) {
      std::puts(
          runtime::ToJsonLine(
              {{"id", id}, {"topic", source}, {"partition", d->partition}, {"offset", d->offset}})
              .c_str());
    } else {
      std::printf("%s -> %s/%d/%lld\n", id.c_str(), source.c_str(), d->partition,
                  static_cast<long long>(d->offset));
    }
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace

void AddConsumeCommands(Cli& cli) {
  const OptionSpec output{"output", "text|json", "output format", "text"};
  const OptionSpec since{"since", "TIME",
                         "start at: ISO 8601 time or age like 3d (default: "
                         "the beginning)",
                         ""};
  const OptionSpec limit{"limit", "N", "at most N records (0: all)", "0"};
  const OptionSpec raw{"raw", "", "print values as bytes, not decoded", ""};
  const OptionSpec topic{"topic", "TOPIC", "dead-letter topic (default <prefix>deadletter)", ""};
  cli.Add({{"consume"},
           "Prints a topic's records to its current end (with --follow: and on), decoded by topic "
           "(articles.*, "
           "articles.tagged, alerts, watchlist, rules, feeds; others raw).",
           "TOPIC [--since T] [--limit N] [--raw] [--follow]",
           "wwctl consume ww.alerts --since 2h --limit 20 --output json\n"
           "  wwctl consume ww.articles.tagged --follow   # until Ctrl-C",
           {since,
            limit,
            raw,
            output,
            {"follow", "", "keep printing new records until Ctrl-C or SIGTERM", ""}},
           Consume});
  cli.Add({{"deadletter", "list"},
           "Lists dead letters: id (PARTITION:OFFSET), stage, source topic/partition/offset "
           "and reason.",
           "[--since T] [--limit N]",
           "wwctl deadletter list --since 1d",
           {since, limit, topic, output},
           DeadletterList});
  cli.Add({{"audit"},
           "Lists who changed the watchlist, rules or feeds (every call of those APIs, whatever "
           "its outcome): time, tenant, token id (a prefix of its hash, never the token), role, "
           "method, result, client address and the request.",
           "[--since T] [--tenant TENANT] [--limit N] [--output json]",
           "wwctl audit --since 1d\n  wwctl audit --since 2026-12-01 --tenant desk-a --output json",
           {{"since", "T", "from when: 1d, 6h, 2026-12-01, RFC 3339", "1d"},
            limit,
            {"tenant", "TENANT", "only this tenant's changes", ""},
            output},
           Audit});
  cli.Add({{"deadletter", "show"},
           "Shows dead letters in full, value decoded by source topic.",
           "ID...",
           "wwctl deadletter show 0:42",
           {topic, raw, output},
           DeadletterShow});
  cli.Add({{"deadletter", "retry"},
           "Sends dead letters back to their source topic (without the ww-dlq-* headers, "
           "with ww-retry-of).",
           "ID... | --all",
           "wwctl deadletter retry 0:42 0:43",
           {topic, {"all", "", "every dead letter in the topic", ""}, output},
           DeadletterRetry});
}

}  // namespace ww::wwctl
