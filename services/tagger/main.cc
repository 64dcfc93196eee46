// ww-tagger: ww.articles.unique -> ww.articles.tagged, with the watchlist from
// ww.watchlist (managed through WatchlistService).
#include "absl/flags/flag.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/reader.h"
#include "libs/kafka/table.h"
#include "libs/runtime/config.h"
#include "libs/runtime/log.h"
#include "services/common/flags.h"
#include "services/common/host.h"
#include "services/tagger/tag_stage.h"
#include "services/tagger/watchlist_service.h"

ABSL_FLAG(std::string, group_id, "ww-tagger", "consumer group of the tagger replicas");

int main(int argc, char** argv) {
  using namespace ww;
  runtime::ParseConfig(argc, argv,
                       "ww-tagger: finds watched entities in articles.\n"
                       "Reads <prefix>articles.unique and <prefix>watchlist, writes "
                       "<prefix>articles.tagged. Serves WatchlistService over gRPC.");
  runtime::Logger log("tagger");
  const services::Topics topics = services::TopicsFromFlags();
  const kafka::ClientConfig client = services::ClientConfigFromFlags();

  services::WatchlistTable table;
  auto producer = kafka::Producer::Create(client);
  if (!producer.ok()) {
    log.Error("bad Kafka configuration", {{"error", producer.status().ToString()}});
    return 2;
  }
  std::atomic<bool> loaded{false};
  services::TagStage tag(topics.tagged, [&] { return table.snapshot(); });
  services::WatchlistServiceImpl watchlist(producer->get(), topics.watchlist, &table,
                                           services::TenantLimitsFromFlags().max_entities);

  services::ServiceHost host("ww-tagger");
  host.AddGrpcService(&watchlist);
  host.AddWorker("watchlist-reader", [&](const std::atomic<bool>& stop) {
    absl::Status s = kafka::RunTable(
        client, topics.watchlist, {"watchlist"},
        [&](const std::vector<kafka::Record>& records) {
          table.Apply(records);
          if (loaded.load()) table.RebuildIfChanged();
        },
        [&] {
          table.RebuildIfChanged();
          loaded = true;
        },
        stop);
    if (!s.ok()) log.Error("cannot read the watchlist topic", {{"error", s.ToString()}});
  });
  host.AddReadyCheck([&] { return loaded.load(); });
  absl::Status added = host.AddStage(
      services::StageOptionsFromFlags("tagger", absl::GetFlag(FLAGS_group_id), {topics.unique}),
      {[&](const kafka::Record& r) { return tag.Process(r); }});
  if (!added.ok()) {
    log.Error("bad configuration", {{"error", added.ToString()}});
    return 2;
  }
  return host.Run(absl::GetFlag(FLAGS_grpc_listen));
}
