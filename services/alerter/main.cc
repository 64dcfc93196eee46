// ww-alerter: ww.articles.tagged -> ww.alerts, and AlertService.Subscribe for clients.
#include "absl/flags/flag.h"
#include "libs/kafka/reader.h"
#include "libs/runtime/config.h"
#include "libs/runtime/log.h"
#include "services/alerter/alert_hub.h"
#include "services/alerter/alert_service.h"
#include "services/alerter/alert_stage.h"
#include "services/common/flags.h"
#include "services/common/host.h"

ABSL_FLAG(std::string, group_id, "ww-alerter", "consumer group of the alerter replicas");

int main(int argc, char** argv) {
  using namespace ww;
  runtime::ParseConfig(argc, argv,
                       "ww-alerter: raises alerts for tagged articles and streams them to "
                       "subscribers.\nReads <prefix>articles.tagged, writes <prefix>alerts. "
                       "Serves AlertService over gRPC.");
  runtime::Logger log("alerter");
  const services::Topics topics = services::TopicsFromFlags();
  const kafka::ClientConfig client = services::ClientConfigFromFlags();

  // Subscribers see alerts once they are committed to the alerts topic, from any replica.
  auto reader = kafka::TopicReader::Create(client, topics.alerts, kafka::StartFrom::kEnd);
  if (!reader.ok()) {
    log.Error("cannot read the alerts topic", {{"error", reader.status().ToString()}});
    return 1;
  }
  services::AlertHub hub;
  services::AlertServiceImpl alerts(&hub);
  services::AlertStage stage(topics.alerts);

  std::atomic<bool> tailing{false};
  services::ServiceHost host("ww-alerter");
  host.AddGrpcService(&alerts);
  host.AddWorker("alert-fanout", [&](const std::atomic<bool>& stop) {
    while (!stop.load()) {
      for (const kafka::Record& r : (*reader)->Poll(absl::Milliseconds(200))) {
        ww::v1::Alert a;
        if (!r.tombstone && a.ParseFromString(r.value)) hub.Publish(a);
      }
      if ((*reader)->caught_up()) tailing = true;
    }
  });
  host.AddReadyCheck([&] { return tailing.load(); });
  absl::Status added = host.AddStage(
      services::StageOptionsFromFlags("alerter", absl::GetFlag(FLAGS_group_id), topics.tagged),
      {[&](const kafka::Record& r) { return stage.Process(r); }});
  if (!added.ok()) {
    log.Error("bad configuration", {{"error", added.ToString()}});
    return 2;
  }
  return host.Run(absl::GetFlag(FLAGS_grpc_listen));
}
