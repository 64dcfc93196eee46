// ww-ingestor: IngestService.Submit and feed polling -> ww.articles.raw.
#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "libs/kafka/producer.h"
#include "libs/runtime/config.h"
#include "libs/runtime/log.h"
#include "services/common/flags.h"
#include "services/common/host.h"
#include "services/ingestor/feed_poller.h"
#include "services/ingestor/ingest_service.h"

ABSL_FLAG(std::string, feeds, "", "comma-separated feed URLs to poll (RSS or Atom)");
ABSL_FLAG(absl::Duration, poll_interval, absl::Minutes(5), "time between polls of each feed");
ABSL_FLAG(bool, allow_file_urls, false, "also poll file:// feeds (local development only)");
ABSL_FLAG(int64_t, max_text_bytes, 1 << 20, "largest article text accepted");

int main(int argc, char** argv) {
  using namespace ww;
  runtime::ParseConfig(argc, argv,
                       "ww-ingestor: takes articles pushed over gRPC (IngestService.Submit) "
                       "and polls feeds;\npublishes each article to <prefix>articles.raw.");
  runtime::Logger log("ingestor");
  const services::Topics topics = services::TopicsFromFlags();
  auto producer = kafka::Producer::Create(services::ClientConfigFromFlags());
  if (!producer.ok()) {
    log.Error("bad Kafka configuration", {{"error", producer.status().ToString()}});
    return 2;
  }
  services::ArticleLimits limits;
  limits.max_text_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_text_bytes));
  services::IngestServiceImpl ingest(producer->get(), topics.raw, limits);

  services::FeedPollerOptions poll;
  poll.feed_urls = absl::StrSplit(absl::GetFlag(FLAGS_feeds), ',', absl::SkipWhitespace());
  poll.interval = absl::GetFlag(FLAGS_poll_interval);
  poll.allow_file_urls = absl::GetFlag(FLAGS_allow_file_urls);
  poll.limits = limits;
  services::FeedPoller poller(poll, producer->get(), topics.raw);

  services::ServiceHost host("ww-ingestor");
  host.AddGrpcService(&ingest);
  if (!poll.feed_urls.empty()) {
    host.AddWorker("feed-poller", [&](const std::atomic<bool>& stop) { poller.Run(stop); });
  }
  host.AddReadyCheck([] { return true; });
  return host.Run(absl::GetFlag(FLAGS_grpc_listen));
}
