// ww-notifier: ww.alerts -> the destinations of ww.destinations (webhooks signed by the
// Standard Webhooks convention, Slack, Teams), in its own consumer group, so that a slow or
// broken destination never slows alerting. ww.deliveries is its outbox.
#include <atomic>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "libs/fetch/address_policy.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/table.h"
#include "libs/runtime/config.h"
#include "libs/runtime/log.h"
#include "services/common/flags.h"
#include "services/common/host.h"
#include "services/notifier/atom_server.h"
#include "services/notifier/destination_service.h"
#include "services/notifier/destinations_table.h"
#include "services/notifier/dispatcher.h"
#include "services/notifier/network_sender.h"
#include "services/notifier/notify_stage.h"

ABSL_FLAG(std::string, group_id, "ww-notifier", "consumer group of the notifier replicas");
ABSL_FLAG(std::string, allow_networks, "",
          "comma-separated networks destinations may resolve to besides public addresses, e.g. "
          "127.0.0.1/32,10.0.0.0/8 (loopback, private, link-local and metadata are refused)");
ABSL_FLAG(absl::Duration, send_timeout, absl::Seconds(10), "longest wait for one answer");
ABSL_FLAG(absl::Duration, retry_initial, absl::Seconds(1),
          "first wait after a failed attempt; doubled on each failure (with jitter)");
ABSL_FLAG(absl::Duration, retry_max, absl::Minutes(10), "longest wait between two attempts");
ABSL_FLAG(std::string, mail_from, "Wirewatch <wirewatch@localhost>",
          "From: of alert mails (and the envelope sender); its domain names the Message-IDs");
ABSL_FLAG(std::string, feed_listen, "",
          "address of the Atom feed of alerts (GET /alerts.atom), e.g. 0.0.0.0:8080; empty: off");
ABSL_FLAG(std::string, alerter, "127.0.0.1:50054",
          "ww-alerter's gRPC address: the feed lists alerts there, with the reader's token");
ABSL_FLAG(bool, smtp_require_tls, true,
          "refuse an smtp:// server that offers no STARTTLS (false only for a local relay)");

int main(int argc, char** argv) {
  using namespace ww;
  runtime::ParseConfig(
      argc, argv,
      "ww-notifier: delivers alerts to webhooks, Slack, Teams and email, and serves them as an "
      "Atom feed.\nReads <prefix>alerts and <prefix>destinations (managed over gRPC, "
      "DestinationService: `wwctl destinations`); keeps what it owes in <prefix>deliveries; gives "
      "up to <prefix>deadletter "
      "after a destination's give_up_after (default 24h) or on a 4xx other than 429. With "
      "--feed_listen, GET /alerts.atom?entity=ID&rule=ID&min_severity=LEVEL&since=24h&limit=50 "
      "(token: Authorization: Bearer, or &token=) lists the alerter's alerts for that token.");
  runtime::Logger log("notifier");
  const services::Topics topics = services::TopicsFromFlags();
  const kafka::ClientConfig client = services::ClientConfigFromFlags();
  auto producer = kafka::Producer::Create(client);
  if (!producer.ok()) {
    log.Error("bad Kafka configuration", {{"error", producer.status().ToString()}});
    return 2;
  }
  const std::vector<std::string> networks =
      absl::StrSplit(absl::GetFlag(FLAGS_allow_networks), ',', absl::SkipWhitespace());
  auto policy = fetch::AddressPolicy::Create(networks);
  if (!policy.ok()) {
    log.Error("bad --allow_networks", {{"error", policy.status().ToString()}});
    return 2;
  }

  services::DestinationsTable destinations;
  std::atomic<bool> destinations_loaded{false}, deliveries_loaded{false};
  services::NetworkSender sender(
      *policy, absl::GetFlag(FLAGS_send_timeout),
      {absl::GetFlag(FLAGS_mail_from), absl::GetFlag(FLAGS_smtp_require_tls)});
  services::DispatcherOptions dispatch;
  dispatch.deadletter_topic = topics.deadletter;
  dispatch.backoff.initial = absl::GetFlag(FLAGS_retry_initial);
  dispatch.backoff.max = absl::GetFlag(FLAGS_retry_max);
  dispatch.find_destination = [&](const std::string& key) { return destinations.Find(key); };
  dispatch.destinations_loaded = [&] { return destinations_loaded.load(); };
  dispatch.produce = [out = producer->get()](const kafka::OutRecord& r) {
    return out->Send(r, absl::Seconds(10)).status();
  };
  services::Dispatcher dispatcher(std::move(dispatch), &sender);
  services::NotifyStage stage(
      {topics.deliveries}, [&] { return destinations.snapshot(); },
      [&] { return destinations_loaded.load(); });

  services::DestinationServiceImpl destination_service(producer->get(), topics.destinations,
                                                       &destinations);
  services::ServiceHost host("ww-notifier");
  host.AddGrpcService(&destination_service);
  host.AddWorker("destinations-reader", [&](const std::atomic<bool>& stop) {
    absl::Status s = kafka::RunTable(
        client, topics.destinations, {"destinations"},
        [&](const std::vector<kafka::Record>& records) { destinations.Apply(records); },
        [&] { destinations_loaded = true; }, stop);
    if (!s.ok()) log.Error("cannot read the destinations topic", {{"error", s.ToString()}});
  });
  host.AddWorker("deliveries-reader", [&](const std::atomic<bool>& stop) {
    absl::Status s = kafka::RunTable(
        client, topics.deliveries, {"deliveries"},
        [&](const std::vector<kafka::Record>& records) { dispatcher.Apply(records); },
        [&] {
          dispatcher.Start();
          deliveries_loaded = true;
        },
        stop);
    dispatcher.Stop();
    if (!s.ok()) log.Error("cannot read the deliveries topic", {{"error", s.ToString()}});
  });
  host.AddReadyCheck([&] { return destinations_loaded.load() && deliveries_loaded.load(); });
  std::unique_ptr<services::AtomServer> feed;
  if (!absl::GetFlag(FLAGS_feed_listen).empty()) {
    auto started = services::AtomServer::Start(
        absl::GetFlag(FLAGS_feed_listen), services::AlerterSource(absl::GetFlag(FLAGS_alerter)));
    if (!started.ok()) {
      log.Error("bad --feed_listen", {{"error", started.status().ToString()}});
      return 2;
    }
    feed = *std::move(started);
    log.Info("serving the alerts feed",
             {{"url", absl::StrCat("http://", absl::GetFlag(FLAGS_feed_listen), "/alerts.atom")},
              {"port", feed->port()}});
  }
  absl::Status added = host.AddStage(
      services::StageOptionsFromFlags("notifier", absl::GetFlag(FLAGS_group_id), {topics.alerts}),
      {[&](const kafka::Record& r) { return stage.Process(r); }, nullptr, nullptr});
  if (!added.ok()) {
    log.Error("bad configuration", {{"error", added.ToString()}});
    return 2;
  }
  return host.Run(absl::GetFlag(FLAGS_grpc_listen));
}
