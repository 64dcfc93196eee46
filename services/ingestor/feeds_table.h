#pragma once
// The Kafka side of feed polling: where the poller's articles and feed states go, and the
// feeds topic read into the poller before it starts and followed while it runs.
#include <atomic>
#include <string>

#include "libs/kafka/producer.h"
#include "libs/kafka/record.h"
#include "services/ingestor/feed_poller.h"

namespace ww::services {

// Articles to `raw_topic` (counted as published "via feed"), feed states and tombstones to
// `feeds_topic`, each acknowledged before it returns.
FeedSinks KafkaFeedSinks(kafka::Producer* producer, std::string raw_topic, std::string feeds_topic);

// Reads `feeds_topic` into `poller` to its end, sets `loaded`, then polls the feeds while
// following the topic, until `stop`. An unreadable feed state is skipped with a warning;
// returns early (logged) only when the topic is missing.
void RunFeedPolling(const kafka::ClientConfig& client, const std::string& feeds_topic,
                    FeedPoller* poller, std::atomic<bool>* loaded, const std::atomic<bool>& stop);

}  // namespace ww::services
