#pragma once
// Polls the feeds of the compacted topic <prefix>feeds and publishes each new item once.
//
// Each feed has its own schedule (interval with jitter, backoff on errors, Retry-After; see
// schedule.h) and its state (validators, the ids of items already published, health) is
// written back to the feeds topic after every poll, keyed by feed id. On start the poller
// reads the topic to its end, so a restarted or rescheduled ingestor resumes with the same
// validators and seen items: it neither re-publishes old items nor forgets a feed. It keeps
// reading the topic, so feeds added or removed through any replica are picked up.
//
// Replicas split the feeds by feed id: replica i of n owns the feeds whose id hashes to i
// (--replica_index / --replica_count, e.g. a StatefulSet ordinal), so no feed is polled by
// two replicas at once. Within a replica a feed is polled by one worker at a time.
//
// A broken feed is recorded (last_error, backoff, health) and never stops the others. Items are
// published (and acknowledged) before the state that marks them seen is stored: at least once.
// A crash between the two publishes those items again after the restart, with the same
// deterministic ids (from the canonical URL, else source and content hash), and the deduper
// drops them as redeliveries (its window, 72 h by default, spans a restart). The other order
// would lose them: the state would say "seen" for items that never reached the topic.
//
// Thread-safe: AddFeed/RemoveFeed/ListFeeds may be called from gRPC threads while Run polls.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/fetch/address_policy.h"
#include "services/ingestor/articles.h"
#include "services/ingestor/schedule.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

struct FeedPollerOptions {
  std::vector<std::string> seed_urls;  // --feeds: added to the feeds topic on start if absent
  ScheduleOptions schedule;
  bool allow_file_urls = false;
  fetch::AddressPolicy address_policy;  // SSRF guard; public addresses only by default
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration fetch_timeout = absl::Seconds(30);
  size_t max_feed_bytes = 16 << 20;
  ArticleLimits limits;
  int replica_index = 0;
  int replica_count = 1;
  int workers = 4;               // feeds fetched concurrently
  size_t max_seen_items = 2000;  // per feed; beyond it the oldest ids are forgotten
};

// Where the poller's output goes. Kafka in the service; in memory in unit tests.
struct FeedSinks {
  // Publishes one article to the raw topic; blocks until it is acknowledged.
  std::function<absl::Status(const ww::v1::Article&)> publish;
  // Writes a feed's state (`state` set) or its tombstone (`state` null) to the feeds topic.
  std::function<absl::Status(const std::string& id, const ww::v1::FeedState* state)> store;
};

// "fd-" + 16 hex digits of the canonical URL's stable hash; the key on the feeds topic.
std::string FeedIdOf(const std::string& url);

class FeedPoller {
 public:
  FeedPoller(FeedPollerOptions options, FeedSinks sinks);

  // Folds one record of the feeds topic into the table (tombstones remove). A record older
  // than what this replica already holds for a feed it owns is ignored.
  void Apply(const std::string& key, const ww::v1::FeedState* state);

  // Adds a feed for `tenant`: validates the URL (http/https, or file when allowed), writes it
  // to the store and schedules it at once. A feed already there gains the tenant as an owner
  // (FeedState.owners) and keeps its state. InvalidArgument for a bad URL; the store's error
  // otherwise.
  absl::StatusOr<ww::v1::FeedState> AddFeed(const std::string& url,
                                            const std::string& tenant = "default");
  // Removes `tenant` from the feed's owners, and the feed once it has none. NotFound when no
  // feed of the tenant has this URL or id.
  absl::StatusOr<std::string> RemoveFeed(const std::string& url_or_id,
                                         const std::string& tenant = "default");
  // The feeds of `tenant` (every feed when nullopt), owners left out.
  std::vector<ww::v1::FeedState> ListFeeds(
      const std::optional<std::string>& tenant = std::nullopt) const;

  // Polls every owned feed that is due at `now`, `options.workers` at a time; returns the
  // number of items published. Blocks until those polls end.
  int PollDue(absl::Time now);

  // Adds the seed URLs that are not there yet, then polls until `stop`, calling `refresh`
  // before the first round and between rounds (it feeds topic records to Apply and should
  // wait a little when there are none). The caller loads the topic to its end before Run.
  void Run(const std::atomic<bool>& stop, const std::function<void()>& refresh);

  bool Owns(const std::string& feed_id) const;

 private:
  // One poll of one feed: fetch, parse, publish new items, update and store the state.
  int PollFeed(ww::v1::FeedState state, absl::Time now);

  const FeedPollerOptions options_;
  const FeedSinks sinks_;
  const FeedSchedule schedule_;
  // Held across a store and the table update that follows it (AddFeed, RemoveFeed and a
  // poll's write-back), so that a poll never writes back owners older than the last change.
  absl::Mutex store_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  std::map<std::string, ww::v1::FeedState> feeds_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ww::services
