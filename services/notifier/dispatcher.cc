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

// At most this many alerts in one digest mail; more go out in the next one, at once.
constexpr size_t kMaxDigestAlerts = 100;

}  // namespace

void Dispatcher::ObserveDelivered(const std::string& destination, const Item& item,
                                  absl::Time now) {
  const ww::v1::Alert& a = item.pending.alert();
  const int64_t at_ms =
      a.version() > 1 && a.updated_unix_ms() > 0 ? a.updated_unix_ms() : a.raised_unix_ms();
  if (at_ms > 0) {
    DeliveryDelay(destination)
        .Observe(std::max(0.0, absl::ToDoubleSeconds(now - absl::FromUnixMillis(at_ms))));
  }
  Deliveries(destination, "delivered").Increment();
}

namespace {}  // namespace

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
    // The destination's digest decides when the head is due; it is looked up (outside the
    // lock) on every round, so a change to the destination applies within a second.
    std::optional<delivery::Destination> d = options_.find_destination(lane->key);
    const absl::Duration digest = d.has_value() && d->type == delivery::DestinationType::kEmail
                                      ? d->digest
                                      : absl::ZeroDuration();
    std::vector<Item> batch;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      if (lane->queue.empty() || !started_) {
        lane->changed.WaitWithTimeout(&mu_, absl::Seconds(1));
        continue;
      }
      const Item& head = lane->queue.front();
      absl::Time due = std::max(head.next_attempt, lane->last_send + lane->interval);
      // A digest goes out `digest` after its oldest alert was owed: restarts do not move it.
      if (digest > absl::ZeroDuration()) {
        due = std::max(due, absl::FromUnixMillis(head.pending.created_unix_ms()) + digest);
      }
      const absl::Time now = absl::Now();
      if (now < due) {
        lane->changed.WaitWithDeadline(&mu_, std::min(due, now + absl::Seconds(1)));
        continue;
      }
      const size_t take = digest > absl::ZeroDuration()
                              ? std::min(lane->queue.size(), kMaxDigestAlerts)
                              : size_t{1};
      batch.assign(lane->queue.begin(), lane->queue.begin() + static_cast<ptrdiff_t>(take));
      lane->last_send = now;
    }
    if (digest > absl::ZeroDuration()) {
      AttemptDigest(lane, *d, std::move(batch));
    } else {
      Attempt(lane, std::move(batch.front()), d);
    }
  }
}

void Dispatcher::AttemptDigest(Lane* lane, const delivery::Destination& d,
                               std::vector<Item> batch) {
  const std::string& key = lane->key;
  Item& head = batch.front();
  ++head.attempts;
  std::vector<ww::v1::Alert> alerts;
  alerts.reserve(batch.size());
  for (const Item& item : batch) alerts.push_back(item.pending.alert());
  const absl::StatusOr<std::string> answer = sender_->SendDigest(d, alerts);
  const absl::Time now = absl::Now();
  const delivery::Decision decision =
      delivery::Decide(answer.status(), head.attempts, head.first_attempt, now, d.give_up_after,
                       fetch::RetryAfter(answer.status()), options_.backoff, lane->random);
  switch (decision.kind) {
    case delivery::Decision::Kind::kDelivered:
      for (const Item& item : batch) {
        ObserveDelivered(key, item, now);
        Finish(lane, item, absl::OkStatus());
      }
      return;
    case delivery::Decision::Kind::kRetry:
      ScheduleRetry(lane, head, answer.status(), decision.next_attempt,
                    absl::StrCat("digest of ", batch.size(), " alert(s) from ", head.record.key));
      return;
    case delivery::Decision::Kind::kGiveUp:
      for (Item& item : batch) {
        item.attempts = head.attempts;
        Finish(lane, item, answer.ok() ? absl::DeadlineExceededError("gave up") : answer.status());
      }
      return;
  }
}

void Dispatcher::Attempt(Lane* lane, Item item, const std::optional<delivery::Destination>& d) {
  const std::string& key = item.pending.destination_key();
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
    case delivery::Decision::Kind::kDelivered:
      ObserveDelivered(key, item, now);
      Finish(lane, item, absl::OkStatus());
      return;
    case delivery::Decision::Kind::kRetry:
      ScheduleRetry(lane, item, answer.status(), decision.next_attempt, item.record.key);
      return;
    case delivery::Decision::Kind::kGiveUp:
      Finish(lane, item, answer.ok() ? absl::DeadlineExceededError("gave up") : answer.status());
      return;
  }
}

void Dispatcher::ScheduleRetry(Lane* lane, const Item& head, const absl::Status& why,
                               absl::Time next_attempt, const std::string& what) {
  Deliveries(lane->key, "retried").Increment();
  Log().Warn("delivery failed; will retry",
             {{"destination", lane->key},
              {"delivery", what},
              {"attempt", head.attempts},
              {"error", why.ToString()},
              {"retry_in_ms", absl::ToInt64Milliseconds(next_attempt - absl::Now())}});
  absl::MutexLock lock(&mu_);
  if (!lane->queue.empty() && lane->queue.front().record.key == head.record.key) {
    lane->queue.front().attempts = head.attempts;
    lane->queue.front().next_attempt = next_attempt;
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
  auto done = std::find_if(lane->queue.begin(), lane->queue.end(),
                           [&](const Item& i) { return i.record.key == item.record.key; });
  if (done != lane->queue.end()) {
    lane->queue.erase(done);
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
