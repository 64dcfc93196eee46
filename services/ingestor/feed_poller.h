#pragma once
// Polls a fixed list of feeds on an interval and publishes each new item once. A broken
// feed is logged with its reason and polled again next time; it never stops the others.
// For now the feed state (ETag, items seen) lives in memory: a restarted ingestor may
// publish an item again, which the deduper drops by its URL.
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/kafka/producer.h"
#include "services/ingestor/articles.h"

namespace ww::services {

struct FeedPollerOptions {
  std::vector<std::string> feed_urls;
  absl::Duration interval = absl::Minutes(5);
  bool allow_file_urls = false;
  ArticleLimits limits;
};

class FeedPoller {
 public:
  FeedPoller(FeedPollerOptions options, kafka::Producer* producer, std::string raw_topic)
      : options_(std::move(options)), producer_(producer), raw_topic_(std::move(raw_topic)) {}

  // Polls every feed once; returns the number of items published. Blocking.
  int PollOnce();
  // Polls until `stop`. Blocking.
  void Run(const std::atomic<bool>& stop);

 private:
  struct FeedState {
    std::string etag, last_modified;
    std::set<std::string> seen_items;
  };
  FeedPollerOptions options_;
  kafka::Producer* producer_;
  std::string raw_topic_;
  std::map<std::string, FeedState> state_;
};

}  // namespace ww::services
