// wwctl commands that talk to Kafka and to the services over gRPC.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/groups.h"
#include "libs/runtime/json.h"
#include "libs/tagging/watchlist.h"
#include "services/common/topics.h"
#include "services/tagger/convert.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"
#include "ww/v1/alerts.grpc.pb.h"
#include "ww/v1/ingest.grpc.pb.h"
#include "ww/v1/watchlist.grpc.pb.h"

namespace ww::wwctl {
namespace {

int TopicsCreate(const ParsedArgs& a) {
  int partitions = 0;
  if (!absl::SimpleAtoi(a.value("partitions"), &partitions) || partitions < 1) {
    return Fail("topics create", "--partitions must be a whole number of at least 1", 2);
  }
  std::vector<kafka::TopicSpec> specs;
  if (a.positional().empty()) {
    specs = services::TopicSpecs(services::Topics::WithPrefix(a.value("topic-prefix")), partitions);
  } else {
    // Named topics (a scratch topic to replay into): the configs given, the broker's
    // defaults for the rest.
    std::map<std::string, std::string> configs;
    for (const std::string& kv : a.values("topic-config")) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return Fail("topics create", "--topic-config takes KEY=VALUE, e.g. retention.ms=86400000",
                    2);
      }
      configs[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const std::string& name : a.positional()) specs.push_back({name, partitions, 1, configs});
  }
  if (absl::Status s = kafka::EnsureTopics(KafkaClient(a), specs); !s.ok()) {
    return Fail("topics create", std::string(s.message()));
  }
  for (const auto& t : specs) std::printf("%s\t%d partitions\n", t.name.c_str(), t.partitions);
  return 0;
}

int TopicsDelete(const ParsedArgs& a) {
  if (a.positional().empty()) return Fail("topics delete", "name the topics to delete", 2);
  if (!a.has("yes")) {
    return Fail("topics delete",
                absl::StrCat("this deletes ", absl::StrJoin(a.positional(), ", "),
                             " and every record in them; add --yes to go ahead"),
                2);
  }
  if (absl::Status s = kafka::DeleteTopics(KafkaClient(a), a.positional()); !s.ok()) {
    return Fail("topics delete", std::string(s.message()));
  }
  for (const std::string& t : a.positional()) std::printf("deleted %s\n", t.c_str());
  return 0;
}

int TopicsList(const ParsedArgs& a) {
  auto topics = kafka::ListTopics(KafkaClient(a));
  if (!topics.ok()) return Fail("topics list", std::string(topics.status().message()));
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : *topics) {
    if (FormatFromFlag(a.value("output")) == Format::kJson) {
      std::puts(runtime::ToJsonLine(
                    {{"topic", t.name}, {"partitions", t.partitions}, {"messages", t.messages}})
                    .c_str());
    }
    rows.push_back({t.name, absl::StrCat(t.partitions), absl::StrCat(t.messages)});
  }
  if (FormatFromFlag(a.value("output")) == Format::kText) {
    std::fputs(Table({"TOPIC", "PARTITIONS", "MESSAGES"}, rows).c_str(), stdout);
  }
  return 0;
}

std::string Ids(const std::vector<int32_t>& ids, const char* sep) {
  return absl::StrJoin(ids, sep);
}

// retention.ms for people: "7d", "36h", "infinite".
std::string Retention(const std::string& ms) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(ms, &v)) return ms.empty() ? "-" : ms;
  if (v < 0) return "infinite";
  if (v % 86'400'000 == 0) return absl::StrCat(v / 86'400'000, "d");
  if (v % 3'600'000 == 0) return absl::StrCat(v / 3'600'000, "h");
  return absl::StrCat(v, "ms");
}

int TopicsDescribe(const ParsedArgs& a) {
  const Format format = FormatFromFlag(a.value("output"));
  if (a.positional().empty()) return Fail("topics describe", "give one or more TOPICs", 2);
  auto topics = kafka::DescribeTopics(KafkaClient(a), a.positional());
  if (!topics.ok()) {
    return FailStatus("topics describe", topics.status(), a.value("bootstrap-servers"));
  }
  for (const kafka::TopicDescription& t : *topics) {
    auto config = [&](const std::string& k) {
      auto it = t.configs.find(k);
      return it == t.configs.end() ? std::string() : it->second;
    };
    int64_t messages = 0;
    for (const auto& p : t.partitions) messages += p.high - p.low;
    if (format == Format::kJson) {
      using Json = nlohmann::ordered_json;
      Json parts = Json::array();
      for (const auto& p : t.partitions) {
        parts.push_back({{"partition", p.partition},
                         {"leader", p.leader},
                         {"replicas", p.replicas},
                         {"isr", p.isr},
                         {"low", p.low},
                         {"high", p.high}});
      }
      int64_t retention = -1;
      (void)absl::SimpleAtoi(config("retention.ms"), &retention);
      std::puts(runtime::ToJsonLine({{"topic", t.name},
                                     {"partition_count", t.partitions.size()},
                                     {"replication_factor", t.replication_factor},
                                     {"retention_ms", retention},
                                     {"cleanup_policy", config("cleanup.policy")},
                                     {"messages", messages},
                                     {"partitions", parts},
                                     {"configs", t.configs}})
                    .c_str());
      continue;
    }
    std::printf(
        "topic %s  partitions %zu  replication %d  retention %s  cleanup.policy %s"
        "  messages %lld\n",
        t.name.c_str(), t.partitions.size(), t.replication_factor,
        Retention(config("retention.ms")).c_str(), config("cleanup.policy").c_str(),
        static_cast<long long>(messages));
    std::vector<std::string> set;
    for (const auto& k : t.overridden) set.push_back(absl::StrCat(k, "=", config(k)));
    if (!set.empty()) std::printf("set on the topic: %s\n", absl::StrJoin(set, "  ").c_str());
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : t.partitions) {
      rows.push_back({absl::StrCat(p.partition), absl::StrCat(p.leader), Ids(p.replicas, ","),
                      Ids(p.isr, ","), absl::StrCat(p.low), absl::StrCat(p.high),
                      absl::StrCat(p.high - p.low)});
    }
    std::printf("\n");
    std::fputs(Table({"PARTITION", "LEADER", "REPLICAS", "ISR", "LOW-WATERMARK", "HIGH-WATERMARK",
                      "MESSAGES"},
                     rows)
                   .c_str(),
               stdout);
    if (&t != &topics->back()) std::printf("\n");
  }
  return 0;
}

// Writes the watchlist in `file`; the response comes once the answering tagger's matcher
// has it. Prints what went wrong; returns the exit code.
int PutWatchlist(const ParsedArgs& a, const std::string& cmd, const std::string& file, bool merge,
                 ww::v1::PutEntitiesResponse* resp) {
  auto wl = tagging::LoadWatchlistFile(file);
  if (!wl.ok()) return Fail(cmd, std::string(wl.status().message()), 2);
  ww::v1::PutEntitiesRequest req;
  req.set_replace_all(!merge);
  for (const tagging::Entity& e : wl->entities) *req.add_entities() = services::ToProto(e);
  const std::string target = a.value("tagger");
  auto stub = ww::v1::WatchlistService::NewStub(Channel(a, target));
  auto ctx = Context(a, absl::Seconds(30));
  grpc::Status s = stub->PutEntities(ctx.get(), req, resp);
  if (!s.ok()) return FailRpc(cmd, target, s);
  std::printf("watchlist applied: %d entities written, %d removed, version %lld\n",
              resp->upserted(), resp->deleted(), static_cast<long long>(resp->watchlist_version()));
  return 0;
}

int WatchlistApply(const ParsedArgs& a) {
  if (a.positional().size() != 1) return Fail("watchlist apply", "give exactly one FILE", 2);
  ww::v1::PutEntitiesResponse resp;
  return PutWatchlist(a, "watchlist apply", a.positional()[0], a.has("merge"), &resp);
}

// The tagger's current entities; prints the problem and returns false when it does not answer.
bool FetchEntities(const ParsedArgs& a, const std::string& cmd, ww::v1::ListEntitiesResponse* resp,
                   int* code) {
  const std::string target = a.value("tagger");
  auto stub = ww::v1::WatchlistService::NewStub(Channel(a, target));
  auto ctx = Context(a, absl::Seconds(10));
  grpc::Status s = stub->ListEntities(ctx.get(), {}, resp);
  if (!s.ok()) *code = FailRpc(cmd, target, s);
  return s.ok();
}

int WatchlistList(const ParsedArgs& a) {
  ww::v1::ListEntitiesResponse resp;
  int code = 0;
  if (!FetchEntities(a, "watchlist list", &resp, &code)) return code;
  if (FormatFromFlag(a.value("output")) == Format::kJson) {
    for (const auto& e : resp.entities()) std::printf("%s\n", ToJsonLine(e).c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : resp.entities()) {
    rows.push_back({e.id(), e.name(), absl::StrCat(e.aliases_size())});
  }
  std::fputs(Table({"ID", "NAME", "ALIASES"}, rows).c_str(), stdout);
  return 0;
}

int WatchlistAdd(const ParsedArgs& a) {
  if (a.positional().size() != 1) return Fail("watchlist add", "give exactly one FILE", 2);
  ww::v1::PutEntitiesResponse resp;
  return PutWatchlist(a, "watchlist add", a.positional()[0], /*merge=*/true, &resp);
}

int WatchlistRemove(const ParsedArgs& a) {
  const std::string cmd = "watchlist remove";
  if (a.positional().empty()) return Fail(cmd, "give one or more entity IDs", 2);
  ww::v1::ListEntitiesResponse current;
  int code = 0;
  if (!FetchEntities(a, cmd, &current, &code)) return code;
  std::set<std::string> known;
  for (const auto& e : current.entities()) known.insert(e.id());
  // All or nothing: an unknown id (a typo) removes none of the others.
  std::vector<std::string> unknown;
  for (const auto& id : a.positional()) {
    if (!known.count(id)) unknown.push_back(id);
  }
  if (!unknown.empty()) {
    return Fail(cmd, absl::StrCat("no entity with id ", absl::StrJoin(unknown, ", "),
                                  " in the watchlist (nothing removed; see wwctl watchlist list)"));
  }
  const std::string target = a.value("tagger");
  auto stub = ww::v1::WatchlistService::NewStub(Channel(a, target));
  for (const auto& id : a.positional()) {
    ww::v1::DeleteEntityRequest req;
    req.set_id(id);
    ww::v1::DeleteEntityResponse resp;
    auto ctx = Context(a, absl::Seconds(30));
    grpc::Status s = stub->DeleteEntity(ctx.get(), req, &resp);
    if (!s.ok()) return FailRpc(cmd, target, s);
    std::printf("removed %s\n", id.c_str());
  }
  return 0;
}

int WatchlistExport(const ParsedArgs& a) {
  const std::string cmd = "watchlist export";
  const std::string format = a.value("output");
  if (format != "yaml" && format != "json") {
    return Fail(cmd, absl::StrCat("--output must be yaml or json, not '", format, "'"), 2);
  }
  ww::v1::ListEntitiesResponse resp;
  int code = 0;
  if (!FetchEntities(a, cmd, &resp, &code)) return code;
  if (format == "json") {
    for (const auto& e : resp.entities()) std::printf("%s\n", ToJsonLine(e).c_str());
    return 0;
  }
  tagging::Watchlist wl;
  for (const auto& e : resp.entities()) wl.entities.push_back(services::FromProto(e));
  std::fputs(tagging::WatchlistToYaml(wl).c_str(), stdout);
  return 0;
}

int Submit(const ParsedArgs& a) {
  if (a.positional().size() != 1) return Fail("submit", "give exactly one FILE (- for stdin)", 2);
  auto text = ReadFile(a.positional()[0]);
  if (!text.ok()) return Fail("submit", std::string(text.status().message()));
  ww::v1::SubmitRequest req;
  req.set_text(*text);
  req.set_title(a.value("title"));
  req.set_source(a.value("source"));
  req.set_url(a.value("url"));
  req.set_published_unix_ms(absl::ToUnixMillis(absl::Now()));
  const std::string target = a.value("ingestor");
  auto stub = ww::v1::IngestService::NewStub(Channel(a, target));
  auto ctx = Context(a, absl::Seconds(30));
  ww::v1::SubmitResponse resp;
  grpc::Status s = stub->Submit(ctx.get(), req, &resp);
  if (!s.ok()) return FailRpc("submit", target, s);
  std::printf("%s\n", resp.article_id().c_str());
  return 0;
}

// "SERVING", "NOT_SERVING", or why the service could not be asked.
std::string Health(const ParsedArgs& a, const std::string& target) {
  auto stub = grpc::health::v1::Health::NewStub(Channel(a, target));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = stub->Check(&ctx, {}, &resp);
  if (!s.ok()) {
    return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                   s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED
               ? "UNREACHABLE"
               : absl::StrCat("ERROR ", s.error_message());
  }
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
}

// The consumer groups each service reads with (the services' --group_id defaults),
// overridden by --group SERVICE=GROUP[,GROUP].
std::map<std::string, std::vector<std::string>> ServiceGroups(const ParsedArgs& a) {
  std::map<std::string, std::vector<std::string>> groups = {
      {"ingestor", {}},  // produces only: no consumer group
      {"deduper", {"ww-deduper", "ww-deduper-clusters"}},
      {"tagger", {"ww-tagger"}},
      {"alerter", {"ww-alerter"}},
      {"notifier", {"ww-notifier"}}};
  for (const std::string& kv : a.values("group")) {
    const size_t eq = kv.find('=');
    groups[kv.substr(0, eq)] = absl::StrSplit(kv.substr(eq + 1), ',', absl::SkipEmpty());
  }
  return groups;
}

struct ServiceLag {
  std::string lag = "-";  // records, summed over the service's groups; "?" when unknown
  int64_t records = -1;
  int64_t time_lag_ms = -1;
};

// Lag of each service's groups. One ListGroups first, so that an unreachable Kafka costs one
// timeout, and groups that do not exist (service never started) show "-".
std::map<std::string, ServiceLag> Lags(const ParsedArgs& a) {
  std::map<std::string, ServiceLag> out;
  const kafka::ClientConfig client = KafkaClient(a);
  auto listed = kafka::ListGroups(client);
  if (!listed.ok()) {
    std::fprintf(stderr, "wwctl status: lag unknown: %s\n",
                 std::string(listed.status().message()).c_str());
  }
  std::set<std::string> known;
  if (listed.ok()) {
    for (const auto& g : *listed) known.insert(g.group);
  }
  for (const auto& [service, groups] : ServiceGroups(a)) {
    ServiceLag& l = out[service];
    if (!listed.ok() && !groups.empty()) l.lag = "?";
    if (!listed.ok()) continue;
    for (const std::string& g : groups) {
      if (!known.count(g)) continue;
      auto d = kafka::DescribeGroup(client, g);
      if (!d.ok()) {
        if (d.status().code() == absl::StatusCode::kNotFound) continue;
        std::fprintf(stderr, "wwctl status: lag of group %s: %s\n", g.c_str(),
                     std::string(d.status().message()).c_str());
        l.lag = "?";
        break;
      }
      l.records = std::max<int64_t>(l.records, 0) + d->total_lag;
      l.time_lag_ms = std::max(l.time_lag_ms, d->max_time_lag_ms);
      l.lag = absl::StrCat(l.records);
    }
  }
  return out;
}

int Status(const ParsedArgs& a) {
  absl::Duration wait = absl::ZeroDuration();
  if (!a.value("wait").empty()) {
    auto d = ParseDuration(a.value("wait"));
    if (!d.ok()) return Fail("status", std::string(d.status().message()), 2);
    wait = *d;
  }
  const std::vector<std::pair<std::string, std::string>> services = {
      {"ingestor", a.value("ingestor")},
      {"deduper", a.value("deduper")},
      {"tagger", a.value("tagger")},
      {"alerter", a.value("alerter")},
      {"notifier", a.value("notifier")}};
  absl::Time deadline = absl::Now() + wait;
  for (;;) {
    std::vector<std::vector<std::string>> rows;
    bool all = true;
    for (const auto& [name, target] : services) {
      std::string h = Health(a, target);
      // The notifier is optional (a pipeline may deliver through gRPC subscribers only); when
      // it runs, it must be serving.
      if (name == "notifier" && h == "UNREACHABLE") {
        h = "NOT RUNNING (optional)";
      } else {
        all = all && h == "SERVING";
      }
      rows.push_back({name, target, h});
    }
    if (all || absl::Now() >= deadline) {
      std::map<std::string, ServiceLag> lags;
      if (!a.has("no-lag")) lags = Lags(a);
      for (auto& r : rows) {
        const ServiceLag& l = lags[r[0]];
        r.push_back(l.lag);
        r.push_back(FormatAge(l.time_lag_ms));
      }
      if (FormatFromFlag(a.value("output")) == Format::kJson) {
        for (const auto& r : rows) {
          const ServiceLag& l = lags[r[0]];
          std::puts(runtime::ToJsonLine({{"service", r[0]},
                                         {"address", r[1]},
                                         {"health", r[2]},
                                         {"lag", l.records},
                                         {"time_lag_ms", l.time_lag_ms}})
                        .c_str());
        }
      } else {
        std::fputs(Table({"SERVICE", "ADDRESS", "HEALTH", "LAG", "TIME-LAG"}, rows).c_str(),
                   stdout);
      }
      return all ? 0 : 1;
    }
    absl::SleepFor(absl::Milliseconds(250));
  }
}

}  // namespace

int ApplyWatchlistAndWait(const ParsedArgs& a, const std::string& cmd, const std::string& file,
                          bool merge, absl::Duration wait) {
  ww::v1::PutEntitiesResponse put;
  if (int code = PutWatchlist(a, cmd, file, merge, &put); code != 0) return code;
  // Every replica behind the address, as far as it answers, serving with this version.
  const std::string target = a.value("tagger");
  auto stub = ww::v1::WatchlistService::NewStub(Channel(a, target));
  const absl::Time deadline = absl::Now() + wait;
  std::string last;
  for (;;) {
    std::string health = Health(a, target);
    auto ctx = Context(a, absl::Seconds(10));
    ww::v1::ListEntitiesResponse list;
    grpc::Status s = stub->ListEntities(ctx.get(), {}, &list);
    if (health == "SERVING" && s.ok() && list.watchlist_version() >= put.watchlist_version()) {
      std::printf("tagger at %s has loaded watchlist version %lld\n", target.c_str(),
                  static_cast<long long>(list.watchlist_version()));
      return 0;
    }
    last = s.ok() ? absl::StrCat(health, ", watchlist version ", list.watchlist_version())
                  : s.error_message();
    if (absl::Now() >= deadline) {
      return Fail(cmd, absl::StrCat("the tagger at ", target, " did not load watchlist version ",
                                    put.watchlist_version(), " within ", absl::FormatDuration(wait),
                                    " (", last, ")"));
    }
    absl::SleepFor(absl::Milliseconds(250));
  }
}

void AddPipelineCommands(Cli& cli) {
  cli.Add({{"status"},
           "Shows each service's health (gRPC health service) and the lag of its consumer "
           "groups (records not yet consumed, and the age of the oldest); exits 1 unless all "
           "serve. LAG is '-' when the service has no group yet, '?' when Kafka cannot say; it "
           "counts offsets as kafka-consumer-groups does, so a transaction's commit marker "
           "counts 1: TIME-LAG 0s means nothing is waiting.",
           "[--wait DURATION] [--group SERVICE=GROUP[,GROUP]]... [--no-lag] [--output json]",
           "wwctl status --wait 60s --group tagger=ww-tagger-blue",
           {{"wait", "DURATION", "wait up to this long for every service to be SERVING", ""},
            {"group", "SERVICE=GROUP[,GROUP]",
             "consumer groups of a service (defaults: deduper=ww-deduper,ww-deduper-clusters "
             "tagger=ww-tagger alerter=ww-alerter notifier=ww-notifier)",
             "", true, true},
            {"no-lag", "", "health only: do not ask Kafka", ""},
            {"output", "FORMAT", "text or json", "text"}},
           Status});
  cli.Add(
      {{"topics", "create"},
       "Creates the pipeline's topics, or the topics named (e.g. a scratch topic to replay "
       "into); existing ones are left as they are.",
       "[NAME...] [--partitions N] [--topic-config KEY=VALUE]...",
       "wwctl topics create --partitions 3 --topic-prefix ww.\n"
       "  wwctl topics create scratch.alerts --partitions 1 --topic-config retention.ms=86400000",
       {{"partitions", "N", "partitions of each stream topic (tables get 1), or of each NAME", "3"},
        {"topic-config", "KEY=VALUE", "a topic config for the NAMEd topics (repeatable)", "",
         true}},
       TopicsCreate});
  cli.Add({{"topics", "delete"},
           "Deletes the topics named, with every record in them. Asks for --yes.",
           "NAME... --yes",
           "wwctl topics delete scratch.alerts --yes",
           {{"yes", "", "yes, delete them", ""}},
           TopicsDelete});
  cli.Add({{"topics", "list"},
           "Lists topics with partitions and message counts.",
           "[--output json]",
           "wwctl topics list",
           {{"output", "FORMAT", "text or json", "text"}},
           TopicsList});
  cli.Add({{"topics", "describe"},
           "Shows topics in detail: partitions with leader, replicas, in-sync replicas and "
           "low/high watermarks; replication factor, retention.ms, cleanup.policy (compaction) "
           "and the configs set on the topic.",
           "TOPIC... [--output json]",
           "wwctl topics describe ww.articles.unique ww.watchlist",
           {{"output", "FORMAT", "text or json", "text"}},
           TopicsDescribe});
  cli.Add({{"watchlist", "apply"},
           "Loads a watchlist file into the running taggers (replaces the current one).",
           "FILE [--merge]",
           "wwctl watchlist apply samples/watchlist.yaml",
           {{"merge", "", "keep entities that the file does not list", ""}},
           WatchlistApply});
  cli.Add({{"watchlist", "list"},
           "Lists the watched entities.",
           "[--output json]",
           "wwctl watchlist list",
           {{"output", "FORMAT", "text or json", "text"}},
           WatchlistList});
  cli.Add({{"watchlist", "add"},
           "Adds or updates the entities of a watchlist file, keeping the others (as apply "
           "--merge).",
           "FILE",
           "wwctl watchlist add samples/watchlist.yaml",
           {},
           WatchlistAdd});
  cli.Add({{"watchlist", "remove"},
           "Removes entities by id. An unknown id is an error and then nothing is removed.",
           "ID...",
           "wwctl watchlist remove kim-jong-un putin",
           {},
           WatchlistRemove});
  cli.Add({{"watchlist", "export"},
           "Prints the current watchlist: as a YAML file that `watchlist apply` loads "
           "(entities sorted by id, options kept), or one JSON entity a line.",
           "[--output yaml|json]",
           "wwctl watchlist export > watchlist-backup.yaml",
           {{"output", "FORMAT", "yaml or json", "yaml"}},
           WatchlistExport});
  cli.Add({{"submit"},
           "Submits an article (text from FILE, - for stdin) and prints its id.",
           "[--title T] [--source S] [--url U] FILE",
           "wwctl submit --title \"Kim arrives\" --source wire samples/articles/kim-train.txt",
           {{"title", "T", "headline", ""},
            {"source", "S", "outlet name", "wwctl"},
            {"url", "U", "canonical URL of the article", ""}},
           Submit});
}

}  // namespace ww::wwctl
