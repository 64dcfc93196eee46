// ww-deduper: ww.articles.raw -> ww.articles.unique | ww.articles.duplicates.
#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "libs/kafka/reader.h"
#include "libs/runtime/config.h"
#include "libs/runtime/log.h"
#include "services/common/flags.h"
#include "services/common/host.h"
#include "services/deduper/dedup_stage.h"

ABSL_FLAG(absl::Duration, window, absl::Hours(72), "how long a story is remembered");
ABSL_FLAG(std::string, group_id, "ww-deduper", "consumer group of the deduper replicas");

int main(int argc, char** argv) {
  using namespace ww;
  runtime::ParseConfig(argc, argv,
                       "ww-deduper: drops copies of a story already seen within --window.\n"
                       "Reads <prefix>articles.raw, writes <prefix>articles.unique and "
                       "<prefix>articles.duplicates.");
  runtime::Logger log("deduper");
  const services::Topics topics = services::TopicsFromFlags();
  const kafka::ClientConfig client = services::ClientConfigFromFlags();
  const int64_t window_ms = absl::ToInt64Milliseconds(absl::GetFlag(FLAGS_window));
  services::DedupStage stage(topics.unique, topics.duplicates, window_ms);

  // Rebuild the window from our own output, so a restarted replica remembers.
  auto reader = kafka::TopicReader::Create(client, topics.unique, kafka::StartFrom::kBeginning);
  if (!reader.ok()) {
    log.Error("cannot read the unique topic", {{"error", reader.status().ToString()}});
    return 1;
  }
  const int64_t since = absl::ToUnixMillis(absl::Now()) - window_ms;
  while (!(*reader)->caught_up()) {
    for (const auto& r : (*reader)->Poll(absl::Milliseconds(500))) {
      if (r.timestamp_ms >= since) stage.Remember(r);
    }
  }
  stage.Commit();
  reader->reset();
  log.Info("window rebuilt", {{"articles", stage.window_size()}});

  services::ServiceHost host("ww-deduper");
  absl::Status added = host.AddStage(
      services::StageOptionsFromFlags("deduper", absl::GetFlag(FLAGS_group_id), topics.raw),
      {[&](const kafka::Record& r) { return stage.Process(r); },
                [&] { stage.Commit(); }, [&] { stage.Rollback(); }});
  if (!added.ok()) {
    log.Error("bad configuration", {{"error", added.ToString()}});
    return 2;
  }
  return host.Run(absl::GetFlag(FLAGS_grpc_listen));
}
