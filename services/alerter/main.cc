// ww-alerter: ww.articles.tagged + ww.articles.duplicates -> ww.alerts, with rules from
// ww.rules; AlertService (Subscribe, ListAlerts) and RuleService for clients.
#include <algorithm>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/table.h"
#include "libs/runtime/config.h"
#include "libs/runtime/log.h"
#include "libs/runtime/retry.h"
#include "services/alerter/alert_hub.h"
#include "services/alerter/alert_log.h"
#include "services/alerter/alert_service.h"
#include "services/alerter/alert_stage.h"
#include "services/alerter/rule_service.h"
#include "services/alerter/rules_table.h"
#include "services/common/flags.h"
#include "services/common/host.h"

ABSL_FLAG(std::string, group_id, "ww-alerter", "consumer group of the alerter replicas");
ABSL_FLAG(bool, implicit_entity_rules, true,
          "also alert whenever a watched entity is mentioned (rule id mention:<entity>, "
          "tenant 'default')");
ABSL_FLAG(int, fanout_threads, 0,
          "threads that start the writes of AlertService subscribers' streams, so the alerts "
          "topic is read without waiting for them (0: one per core, at most 4)");
ABSL_FLAG(absl::Duration, fanout_round, absl::Milliseconds(40),
          "under a steady flow of alerts, tell each subscriber at most once per this long, so "
          "what arrives meanwhile goes out in one message (SubscribeBatched) and many "
          "subscribers cost less CPU per alert; an alert after a quiet spell goes out at once "
          "(0: no pacing)");
ABSL_FLAG(int, fanout_round_subscribers, 1000,
          "subscribers from which a round lasts the whole --fanout_round; with fewer it is "
          "shorter in proportion (a lone subscriber is not paced): pacing saves CPU only when "
          "many streams share the notifiers (0: always the whole round)");
ABSL_FLAG(absl::Duration, remember, absl::Hours(72),
          "how far back the alerts topic is read on start to remember raised alerts");

int main(int argc, char** argv) {
  using namespace ww;
  runtime::ParseConfig(argc, argv,
                       "ww-alerter: evaluates alert rules on tagged articles and streams "
                       "alerts to subscribers.\nReads <prefix>articles.tagged, "
                       "<prefix>articles.duplicates and <prefix>rules; writes <prefix>alerts. "
                       "Serves AlertService and RuleService over gRPC.");
  runtime::Logger log("alerter");
  const services::Topics topics = services::TopicsFromFlags();
  const kafka::ClientConfig client = services::ClientConfigFromFlags();

  services::RulesTable rules;
  services::AlertStage stage(
      {topics.alerts, topics.tagged, topics.duplicates, absl::GetFlag(FLAGS_implicit_entity_rules)},
      [&] { return rules.snapshot(); });

  // Each waits for the broker as long as it is away (a line per attempt); only a missing
  // topic or a bad configuration ends the process.
  const auto& stopped = runtime::ShutdownRequested;
  auto producer = kafka::Producer::Create(client);
  if (!producer.ok()) {
    log.Error("bad Kafka configuration", {{"error", producer.status().ToString()}});
    return 2;
  }
  // Remember the alerts already raised, so a restart neither repeats nor forgets them.
  const int64_t since = absl::ToUnixMillis(absl::Now() - absl::GetFlag(FLAGS_remember));
  auto end = services::RememberRaisedAlerts(client, topics.alerts, since, &stage, stopped);
  if (absl::IsCancelled(end.status())) return 0;
  if (!end.ok()) {
    log.Error("cannot read the alerts topic", {{"error", end.status().ToString()}});
    return 1;
  }
  int fanout_threads = absl::GetFlag(FLAGS_fanout_threads);
  if (fanout_threads <= 0) {
    fanout_threads = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 4);
  }
  services::AlertHub hub(
      /*max_queue=*/10000, fanout_threads, absl::GetFlag(FLAGS_fanout_round),
      static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_fanout_round_subscribers))));
  hub.Advance(*end);
  services::AlertServiceImpl alert_service(&hub, client, topics.alerts);
  services::RuleServiceImpl rule_service(producer->get(), topics.rules, &rules,
                                         services::TenantLimitsFromFlags().max_rules);

  std::atomic<bool> rules_loaded{false};
  services::ServiceHost host("ww-alerter");
  host.AddGrpcService(&alert_service);
  host.AddGrpcService(&rule_service);
  // Subscribers see alerts once they are committed to the alerts topic, from any replica.
  host.AddWorker("alert-fanout", [&](const std::atomic<bool>& stop) {
    absl::Status s = services::FanOutAlerts(client, topics.alerts, *end, &hub, stop);
    if (!s.ok()) log.Error("cannot follow the alerts topic", {{"error", s.ToString()}});
  });
  host.AddWorker("rules-reader", [&](const std::atomic<bool>& stop) {
    absl::Status s = kafka::RunTable(
        client, topics.rules, {"rules"},
        [&](const std::vector<kafka::Record>& records) { rules.Apply(records); },
        [&] { rules_loaded = true; }, stop);
    if (!s.ok()) log.Error("cannot read the rules topic", {{"error", s.ToString()}});
  });
  host.AddReadyCheck([&] { return rules_loaded.load(); });
  absl::Status added =
      host.AddStage(services::StageOptionsFromFlags("alerter", absl::GetFlag(FLAGS_group_id),
                                                    {topics.tagged, topics.duplicates}),
                    {[&](const kafka::Record& r) { return stage.Process(r); },
                     [&] { stage.Commit(); }, [&] { stage.Rollback(); }});
  if (!added.ok()) {
    log.Error("bad configuration", {{"error", added.ToString()}});
    return 2;
  }
  return host.Run(absl::GetFlag(FLAGS_grpc_listen));
}
