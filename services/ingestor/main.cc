// ww-ingestor: IngestService (Submit, feed management) and feed polling -> ww.articles.raw.
#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "libs/fetch/address_policy.h"
#include "libs/kafka/producer.h"
#include "libs/runtime/config.h"
#include "libs/runtime/log.h"
#include "services/common/flags.h"
#include "services/common/host.h"
#include "services/ingestor/feed_poller.h"
#include "services/ingestor/feeds_table.h"
#include "services/ingestor/ingest_service.h"

ABSL_FLAG(std::string, feeds, "", "comma-separated feed URLs added to <prefix>feeds on start");
ABSL_FLAG(absl::Duration, poll_interval, absl::Minutes(5), "time between polls of each feed");
ABSL_FLAG(absl::Duration, max_backoff, absl::Hours(6), "ceiling of the backoff on feed errors");
ABSL_FLAG(absl::Duration, unhealthy_after, absl::Hours(72),
          "a feed failing without a break this long is marked unhealthy (never dropped)");
ABSL_FLAG(bool, allow_file_urls, false, "also poll file:// feeds (local development only)");
ABSL_FLAG(std::string, fetch_allow_networks, "",
          "comma-separated networks feeds may resolve to besides public addresses, e.g. "
          "127.0.0.1/32,10.0.0.0/8 (loopback, private, link-local and metadata are refused)");
ABSL_FLAG(int, replica_index, 0, "this replica's index (polls the feeds whose id hashes to it)");
ABSL_FLAG(int, replica_count, 1, "number of ingestor replicas splitting the feeds");
ABSL_FLAG(int, poll_workers, 4, "feeds fetched concurrently");
ABSL_FLAG(int64_t, max_text_bytes, 1 << 20, "largest article text accepted");

int main(int argc, char** argv) {
  using namespace ww;
  runtime::ParseConfig(argc, argv,
                       "ww-ingestor: takes articles pushed over gRPC (IngestService.Submit) "
                       "and polls the feeds of <prefix>feeds;\npublishes each article to "
                       "<prefix>articles.raw.");
  runtime::Logger log("ingestor");
  const services::Topics topics = services::TopicsFromFlags();
  const kafka::ClientConfig client = services::ClientConfigFromFlags();
  auto producer = kafka::Producer::Create(client);
  if (!producer.ok()) {
    log.Error("bad Kafka configuration", {{"error", producer.status().ToString()}});
    return 2;
  }
  services::ArticleLimits limits;
  limits.max_text_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_text_bytes));

  services::FeedPollerOptions poll;
  poll.seed_urls = absl::StrSplit(absl::GetFlag(FLAGS_feeds), ',', absl::SkipWhitespace());
  poll.schedule.interval = absl::GetFlag(FLAGS_poll_interval);
  poll.schedule.max_backoff = absl::GetFlag(FLAGS_max_backoff);
  poll.schedule.unhealthy_after = absl::GetFlag(FLAGS_unhealthy_after);
  poll.allow_file_urls = absl::GetFlag(FLAGS_allow_file_urls);
  poll.replica_index = absl::GetFlag(FLAGS_replica_index);
  poll.replica_count = absl::GetFlag(FLAGS_replica_count);
  poll.workers = absl::GetFlag(FLAGS_poll_workers);
  poll.limits = limits;
  std::vector<std::string> networks =
      absl::StrSplit(absl::GetFlag(FLAGS_fetch_allow_networks), ',', absl::SkipWhitespace());
  auto policy = fetch::AddressPolicy::Create(networks);
  if (!policy.ok() || poll.replica_count < 1 || poll.replica_index < 0 ||
      poll.replica_index >= poll.replica_count) {
    log.Error("bad feed polling flags",
              {{"error", policy.ok() ? "need 0 <= --replica_index < --replica_count"
                                     : policy.status().ToString()}});
    return 2;
  }
  poll.address_policy = *policy;

  kafka::Producer* out = producer->get();
  for (const char* via : {"submit", "feed"}) services::CountPublished(via, 0);
  services::FeedPoller poller(poll, services::KafkaFeedSinks(out, topics.raw, topics.feeds));
  services::IngestServiceImpl ingest(out, topics.raw, limits, &poller,
                                     services::TenantLimitsFromFlags());

  std::atomic<bool> loaded{false};
  services::ServiceHost host("ww-ingestor");
  host.AddGrpcService(&ingest);
  host.AddWorker("feed-poller", [&](const std::atomic<bool>& stop) {
    services::RunFeedPolling(client, topics.feeds, &poller, &loaded, stop);
  });
  host.AddReadyCheck([&] { return loaded.load(); });
  return host.Run(absl::GetFlag(FLAGS_grpc_listen));
}
