#include "services/ingestor/feeds_table.h"

#include "libs/kafka/table.h"
#include "libs/runtime/log.h"
#include "services/ingestor/articles.h"

namespace ww::services {

FeedSinks KafkaFeedSinks(kafka::Producer* producer, std::string raw_topic,
                         std::string feeds_topic) {
  FeedSinks sinks;
  sinks.publish = [producer, raw_topic = std::move(raw_topic)](const ww::v1::Article& a) {
    absl::Status sent = producer->Send(ArticleRecord(raw_topic, a)).status();
    if (sent.ok()) CountPublished("feed");
    return sent;
  };
  sinks.store = [producer, feeds_topic = std::move(feeds_topic)](const std::string& id,
                                                                 const ww::v1::FeedState* state) {
    kafka::OutRecord r{feeds_topic, id};
    if (state == nullptr) {
      r.tombstone = true;
    } else {
      r.value = state->SerializeAsString();
    }
    return producer->Send(r).status();
  };
  return sinks;
}

void RunFeedPolling(const kafka::ClientConfig& client, const std::string& feeds_topic,
                    FeedPoller* poller, std::atomic<bool>* loaded, const std::atomic<bool>& stop) {
  static const runtime::Logger log("ingestor");
  const std::function<bool()> stopped = [&stop] { return stop.load(); };
  const kafka::ApplyFn apply = [poller](const std::vector<kafka::Record>& records) {
    for (const kafka::Record& rec : records) {
      ww::v1::FeedState state;
      if (rec.tombstone) {
        poller->Apply(rec.key, nullptr);
      } else if (state.ParseFromString(rec.value)) {
        poller->Apply(rec.key, &state);
      } else {
        log.Warn("unreadable feed state skipped", {{"key", rec.key}, {"offset", rec.offset}});
      }
    }
  };
  auto feeds = kafka::TableReader::Open(client, feeds_topic, {"feeds"}, stopped);
  absl::Status s = feeds.ok() ? (*feeds)->CatchUp(apply, stopped) : feeds.status();
  if (!s.ok()) {
    if (!absl::IsCancelled(s)) log.Error("cannot read the feeds topic", {{"error", s.ToString()}});
    return;
  }
  *loaded = true;
  poller->Run(stop, [&] { (*feeds)->FollowOnce(apply); });
}

}  // namespace ww::services
