// wwctl commands that talk to Kafka and to the services over gRPC.
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/kafka/admin.h"
#include "libs/tagging/watchlist.h"
#include "services/common/topics.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "ww/v1/alerts.grpc.pb.h"
#include "ww/v1/ingest.grpc.pb.h"
#include "ww/v1/watchlist.grpc.pb.h"

namespace ww::wwctl {
namespace {

kafka::ClientConfig Client(const ParsedArgs& a) {
  kafka::ClientConfig c;
  c.bootstrap_servers = a.value("bootstrap-servers");
  return c;
}

int TopicsCreate(const ParsedArgs& a) {
  int partitions = 0;
  if (!absl::SimpleAtoi(a.value("partitions"), &partitions) || partitions < 1) {
    return Fail("topics create", "--partitions must be a whole number of at least 1", 2);
  }
  auto specs = services::TopicSpecs(services::Topics::WithPrefix(a.value("topic-prefix")), partitions);
  if (absl::Status s = kafka::EnsureTopics(Client(a), specs); !s.ok()) {
    return Fail("topics create", std::string(s.message()));
  }
  for (const auto& t : specs) std::printf("%s\t%d partitions\n", t.name.c_str(), t.partitions);
  return 0;
}

int TopicsList(const ParsedArgs& a) {
  auto topics = kafka::ListTopics(Client(a));
  if (!topics.ok()) return Fail("topics list", std::string(topics.status().message()));
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : *topics) {
    if (FormatFromFlag(a.value("output")) == Format::kJson) {
      std::printf("{\"topic\":\"%s\",\"partitions\":%d,\"messages\":%lld}\n", t.name.c_str(),
                  t.partitions, static_cast<long long>(t.messages));
    }
    rows.push_back({t.name, absl::StrCat(t.partitions), absl::StrCat(t.messages)});
  }
  if (FormatFromFlag(a.value("output")) == Format::kText) {
    std::fputs(Table({"TOPIC", "PARTITIONS", "MESSAGES"}, rows).c_str(), stdout);
  }
  return 0;
}

ww::v1::EntityKind KindToProto(tagging::EntityKind k) {
  switch (k) {
    case tagging::EntityKind::kPerson: return ww::v1::ENTITY_KIND_PERSON;
    case tagging::EntityKind::kPlace: return ww::v1::ENTITY_KIND_PLACE;
    case tagging::EntityKind::kOrganisation: return ww::v1::ENTITY_KIND_ORGANISATION;
    case tagging::EntityKind::kOther: return ww::v1::ENTITY_KIND_OTHER;
  }
  return ww::v1::ENTITY_KIND_OTHER;
}

int WatchlistApply(const ParsedArgs& a) {
  if (a.positional().size() != 1) return Fail("watchlist apply", "give exactly one FILE", 2);
  auto wl = tagging::LoadWatchlistFile(a.positional()[0]);
  if (!wl.ok()) return Fail("watchlist apply", std::string(wl.status().message()), 2);
  ww::v1::PutEntitiesRequest req;
  req.set_replace_all(!a.has("merge"));
  for (const tagging::Entity& e : wl->entities) {
    ww::v1::Entity* p = req.add_entities();
    p->set_id(e.id);
    p->set_name(e.name);
    p->set_kind(KindToProto(e.kind));
    for (const auto& alias : e.aliases) p->add_aliases(alias);
  }
  const std::string target = a.value("tagger");
  auto stub = ww::v1::WatchlistService::NewStub(Channel(a, target));
  auto ctx = Context(a, absl::Seconds(30));
  ww::v1::PutEntitiesResponse resp;
  grpc::Status s = stub->PutEntities(ctx.get(), req, &resp);
  if (!s.ok()) return FailRpc("watchlist apply", target, s);
  std::printf("watchlist applied: %d entities written, %d removed, version %lld\n", resp.upserted(),
              resp.deleted(), static_cast<long long>(resp.watchlist_version()));
  return 0;
}

int WatchlistList(const ParsedArgs& a) {
  const std::string target = a.value("tagger");
  auto stub = ww::v1::WatchlistService::NewStub(Channel(a, target));
  auto ctx = Context(a, absl::Seconds(10));
  ww::v1::ListEntitiesResponse resp;
  grpc::Status s = stub->ListEntities(ctx.get(), {}, &resp);
  if (!s.ok()) return FailRpc("watchlist list", target, s);
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

int Status(const ParsedArgs& a) {
  absl::Duration wait = absl::ZeroDuration();
  if (!a.value("wait").empty()) {
    auto d = ParseDuration(a.value("wait"));
    if (!d.ok()) return Fail("status", std::string(d.status().message()), 2);
    wait = *d;
  }
  const std::vector<std::pair<std::string, std::string>> services = {
      {"ingestor", a.value("ingestor")}, {"deduper", a.value("deduper")},
      {"tagger", a.value("tagger")}, {"alerter", a.value("alerter")}};
  absl::Time deadline = absl::Now() + wait;
  for (;;) {
    std::vector<std::vector<std::string>> rows;
    bool all = true;
    for (const auto& [name, target] : services) {
      std::string h = Health(a, target);
      all = all && h == "SERVING";
      rows.push_back({name, target, h});
    }
    if (all || absl::Now() >= deadline) {
      if (FormatFromFlag(a.value("output")) == Format::kJson) {
        for (const auto& r : rows) {
          std::printf("{\"service\":\"%s\",\"address\":\"%s\",\"health\":\"%s\"}\n",
                      r[0].c_str(), r[1].c_str(), r[2].c_str());
        }
      } else {
        std::fputs(Table({"SERVICE", "ADDRESS", "HEALTH"}, rows).c_str(), stdout);
      }
      return all ? 0 : 1;
    }
    absl::SleepFor(absl::Milliseconds(250));
  }
}

}  // namespace

void AddPipelineCommands(Cli& cli) {
  cli.Add({{"status"},
           "Shows each service's health (gRPC health service); exits 1 unless all serve.",
           "[--wait DURATION] [--output json]",
           "wwctl status --wait 60s",
           {{"wait", "DURATION", "wait up to this long for every service to be SERVING", ""},
            {"output", "FORMAT", "text or json", "text"}},
           Status});
  cli.Add({{"topics", "create"},
           "Creates the pipeline's topics (existing ones are left as they are).",
           "[--partitions N]",
           "wwctl topics create --partitions 3 --topic-prefix ww.",
           {{"partitions", "N", "partitions of each stream topic (tables get 1)", "3"}},
           TopicsCreate});
  cli.Add({{"topics", "list"}, "Lists topics with partitions and message counts.", "[--output json]",
           "wwctl topics list", {{"output", "FORMAT", "text or json", "text"}}, TopicsList});
  cli.Add({{"watchlist", "apply"},
           "Loads a watchlist file into the running taggers (replaces the current one).",
           "FILE [--merge]",
           "wwctl watchlist apply samples/watchlist.yaml",
           {{"merge", "", "keep entities that the file does not list", ""}},
           WatchlistApply});
  cli.Add({{"watchlist", "list"}, "Lists the watched entities.", "[--output json]",
           "wwctl watchlist list", {{"output", "FORMAT", "text or json", "text"}}, WatchlistList});
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
