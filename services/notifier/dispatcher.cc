#include "services/notifier/dispatcher.h"

#include <algorithm>
#include <deque>
#include <thread>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/fetch/fetch.h"
#include "libs/runtime/log.h"
#include "libs/runtime/metrics.h"

namespace ww::services {
namespace {

const runtime::Logger& Log() {
  static const runtime::Logger log("notifier.dispatch");
  return log;
}

runtime::Counter& Deliveries(const std::string& destination, const char* result) {
  return runtime::Metrics::Default().counter(
      "ww_deliveries_total",
      "delivery attempts by destination and result: delivered, retried (the destination "
      "failed, another attempt is scheduled) or failed (given up to the dead-letter topic)",
      {{"destination", destination}, {"result", result}});
}

runtime::Gauge& QueueDepth(const std::string& destination) {
  return runtime::Metrics::Default().gauge("ww_delivery_queue_depth",
                                           "deliveries owed to a destination, retries included",
                                           {{"destination", destination}});
}

runtime::Histogram& DeliveryDelay(const std::string& destination) {
  return runtime::Metrics::Default().histogram(
      "ww_delivery_delay_seconds",
      "from an alert being raised (or updated) to its destination's acknowledgement",
      {{"destination", destination}},
      {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600});
}

// "owner/destination" of a delivery key "owner/destination/alert/vN".
std::string DestinationOfKey(const std::string& key) {
  const size_t first = key.find('/');
  if (first == std::string::npos) return "";
  const size_t second = key.find('/', first + 1);
  return second == std::string::npos ? "" : key.substr(0, second);
}

constexpr std::string_view kHeaderRetryOf = "ww-retry-of";  // set by wwctl deadletter retry

}  // namespace

struct Dispatcher::Lane {
  std::string key;
  std::deque<Item> queue;  // in arrival order; the head is the one being tried
  absl::CondVar changed;
  absl::Time last_send = absl::InfinitePast();
  absl::Duration interval = absl::ZeroDuration();  // 1 / the destination's rate
  absl::BitGen random;                             // used by the lane's thread only
  runtime::Gauge* depth = nullptr;
  std::thread thread;
};

Dispatcher::Dispatcher(DispatcherOptions options, Sender* sender)
    : options_(std::move(options)), sender_(sender) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  absl::MutexLock lock(&mu_);
  started_ = true;
  for (auto& [key, lane] : lanes_) lane->changed.SignalAll();
}

void Dispatcher::Stop() {
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    for (auto& [key, lane] : lanes_) {
      lane->changed.SignalAll();
      if (lane->thread.joinable()) threads.push_back(std::move(lane->thread));
    }
  }
  for (std::thread& t : threads) t.join();
}

Dispatcher::Lane* Dispatcher::LaneFor(const std::string& destination_key) {
  std::unique_ptr<Lane>& lane = lanes_[destination_key];
  if (lane == nullptr) {
    lane = std::make_unique<Lane>();
    lane->key = destination_key;
    lane->depth = &QueueDepth(destination_key);
    Lane* raw = lane.get();
    lane->thread = std::thread([this, raw] { RunLane(raw); });
  }
  return lane.get();
}

void Dispatcher::Apply(const std::vector<kafka::Record>& records) {
  std::vector<kafka::Record> unreadable;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    for (const kafka::Record& r : records) {
      if (r.tombstone) {
        auto it = lanes_.find(DestinationOfKey(r.key));
        if (it == lanes_.end()) continue;
        Lane& lane = *it->second;
        // The head may be in flight; its attempt finds it gone and stops there.
        auto item = std::find_if(lane.queue.begin(), lane.queue.end(),
                                 [&](const Item& i) { return i.record.key == r.key; });
        if (item != lane.queue.end()) {
          lane.queue.erase(item);
          lane.depth->Set(static_cast<double>(lane.queue.size()));
          lane.changed.Signal();
        }
        continue;
      }
      Item item;
      if (!item.pending.ParseFromString(r.value) || item.pending.destination_key().empty()) {
        unreadable.push_back(r);
        continue;
      }
      item.record = r;
      // A delivery sent back by `wwctl deadletter retry` gets a new give-up clock.
      item.first_attempt = r.header(kHeaderRetryOf).has_value()
                               ? absl::FromUnixMillis(r.timestamp_ms)
                               : absl::FromUnixMillis(item.pending.created_unix_ms());
      Lane* lane = LaneFor(item.pending.destination_key());
      const bool queued = std::any_of(lane->queue.begin(), lane->queue.end(),
                                      [&](const Item& i) { return i.record.key == r.key; });
      if (queued) continue;
      lane->queue.push_back(std::move(item));
      lane->depth->Set(static_cast<double>(lane->queue.size()));
      lane->changed.Signal();
    }
  }
  for (const kafka::Record& r : unreadable) {
    Log().Warn("a deliveries record is not a PendingDelivery; dead-lettered", {{"key", r.key}});
    (void)options_.produce(kafka::DeadLetterOf(r,
                                               absl::InvalidArgumentError("not a PendingDelivery"),
                                               "notifier", options_.deadletter_topic));
    (void)options_.produce({r.topic, r.key, "", /*tombstone=*/true});
  }
}

void Dispatcher::RunLane(Lane* lane) {
  while (true) {
    Item item;
    {
      absl::MutexLock lock(&mu_);
      while (!stopping_) {
        if (lane->queue.empty() || !started_) {
          lane->changed.Wait(&mu_);
          continue;
        }
        const absl::Time due =
            std::max(lane->queue.front().next_attempt, lane->last_send + lane->interval);
        if (absl::Now() >= due) break;
        lane->changed.WaitWithDeadline(&mu_, due);
      }
      if (stopping_) return;
      item = lane->queue.front();
      lane->last_send = absl::Now();
    }
    Attempt(lane, std::move(item));
  }
}

void Dispatcher::Attempt(Lane* lane, Item item) {
  const std::string& key = item.pending.destination_key();
  std::optional<delivery::Destination> d = options_.find_destination(key);
  if (!d.has_value()) {
    if (!options_.destinations_loaded()) {
      absl::MutexLock lock(&mu_);
      if (!lane->queue.empty() && lane->queue.front().record.key == item.record.key) {
        lane->queue.front().next_attempt = absl::Now() + absl::Seconds(1);
      }
      return;
    }
    Finish(lane, item,
           absl::FailedPreconditionError(absl::StrCat("destination ", key, " does not exist")));
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    lane->interval = absl::Seconds(1) / std::max(d->rate_per_second, 1e-3);
  }
  ++item.attempts;
  const absl::StatusOr<std::string> answer = sender_->Send(*d, item.pending.alert());
  const absl::Time now = absl::Now();
  const delivery::Decision decision =
      delivery::Decide(answer.status(), item.attempts, item.first_attempt, now, d->give_up_after,
                       fetch::RetryAfter(answer.status()), options_.backoff, lane->random);
  switch (decision.kind) {
    case delivery::Decision::Kind::kDelivered: {
      const ww::v1::Alert& a = item.pending.alert();
      const int64_t at_ms =
          a.version() > 1 && a.updated_unix_ms() > 0 ? a.updated_unix_ms() : a.raised_unix_ms();
      if (at_ms > 0) {
        DeliveryDelay(key).Observe(
            std::max(0.0, absl::ToDoubleSeconds(now - absl::FromUnixMillis(at_ms))));
      }
      Deliveries(key, "delivered").Increment();
      Finish(lane, item, absl::OkStatus());
      return;
    }
    case delivery::Decision::Kind::kRetry: {
      Deliveries(key, "retried").Increment();
      Log().Warn("delivery failed; will retry",
                 {{"destination", key},
                  {"delivery", item.record.key},
                  {"attempt", item.attempts},
                  {"error", answer.status().ToString()},
                  {"retry_in_ms", absl::ToInt64Milliseconds(decision.next_attempt - now)}});
      absl::MutexLock lock(&mu_);
      if (!lane->queue.empty() && lane->queue.front().record.key == item.record.key) {
        lane->queue.front().attempts = item.attempts;
        lane->queue.front().next_attempt = decision.next_attempt;
      }
      return;
    }
    case delivery::Decision::Kind::kGiveUp:
      Finish(lane, item, answer.ok() ? absl::DeadlineExceededError("gave up") : answer.status());
      return;
  }
}

void Dispatcher::Finish(Lane* lane, const Item& item, const absl::Status& gave_up_why) {
  const std::string& key = item.pending.destination_key();
  std::vector<kafka::OutRecord> writes;
  if (!gave_up_why.ok()) {
    Deliveries(key, "failed").Increment();
    Log().Error("delivery given up; sent to the dead-letter topic",
                {{"destination", key},
                 {"delivery", item.record.key},
                 {"attempts", item.attempts},
                 {"error", gave_up_why.ToString()}});
    kafka::OutRecord dead = kafka::DeadLetterOf(
        item.record,
        absl::Status(gave_up_why.code(), absl::StrCat("destination ", key, " after ", item.attempts,
                                                      " attempt(s): ", gave_up_why.message())),
        "notifier", options_.deadletter_topic);
    dead.headers.push_back({"ww-destination", key});
    writes.push_back(std::move(dead));
  }
  writes.push_back({item.record.topic, item.record.key, "", /*tombstone=*/true});
  for (const kafka::OutRecord& w : writes) {
    // The broker may be away: keep the delivery at the head until it is recorded (a restart
    // meanwhile repeats it, with the same webhook-id).
    for (int tries = 1;; ++tries) {
      absl::Status s = options_.produce(w);
      if (s.ok()) break;
      if (tries == 1 || tries % 30 == 0) {
        Log().Warn("cannot record a delivery's outcome yet",
                   {{"delivery", item.record.key}, {"error", s.ToString()}});
      }
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      lane->changed.WaitWithTimeout(&mu_, absl::Seconds(1));
      if (stopping_) return;
    }
  }
  absl::MutexLock lock(&mu_);
  if (!lane->queue.empty() && lane->queue.front().record.key == item.record.key) {
    lane->queue.pop_front();
    lane->depth->Set(static_cast<double>(lane->queue.size()));
  }
}

std::map<std::string, size_t> Dispatcher::depth() const {
  absl::MutexLock lock(&mu_);
  std::map<std::string, size_t> out;
  for (const auto& [key, lane] : lanes_) out[key] = lane->queue.size();
  return out;
}

}  // namespace ww::services
