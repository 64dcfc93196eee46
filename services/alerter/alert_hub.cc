#include "services/alerter/alert_hub.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "libs/runtime/metrics.h"
#include "services/alerter/cursor.h"

namespace ww::services {
namespace {
runtime::Gauge& SubscribersGauge() {
  static runtime::Gauge& g = runtime::Metrics::Default().gauge(
      "ww_alert_subscribers", "AlertService.Subscribe streams open");
  return g;
}
runtime::Histogram& PublishDelay() {
  static runtime::Histogram& h = runtime::Metrics::Default().histogram(
      "ww_alert_publish_delay_seconds",
      "time from an alert being raised to the hub handing it to subscribers (alerts topic "
      "read late, or the hub behind)");
  return h;
}
constexpr size_t kRememberedIds = 100000;
}  // namespace

AlertHub::AlertHub(size_t max_queue, int notifiers, absl::Duration round, size_t full_round_at)
    : max_queue_(max_queue), round_(round), full_round_at_(full_round_at) {
  for (int i = 0; i < notifiers; ++i) notifiers_.emplace_back([this] { NotifierLoop(); });
}

AlertHub::~AlertHub() {
  {
    absl::MutexLock lock(&notify_mu_);
    stopping_ = true;
  }
  for (auto& t : notifiers_) t.join();
}

void AlertHub::Notify(std::vector<std::shared_ptr<Subscription>> wake) {
  if (notifiers_.empty()) {
    for (const auto& s : wake) s->on_ready_();
    return;
  }
  absl::MutexLock lock(&notify_mu_);
  for (auto& s : wake) {
    if (s->scheduled_) continue;  // told already, not yet acted on: it will see these too
    s->scheduled_ = true;
    // Unpaced: told in the current round, by whichever notifier is free.
    (s->paced_ ? ready_ : current_).push_back(std::move(s));
  }
}

void AlertHub::NotifierLoop() {
  for (;;) {
    std::shared_ptr<Subscription> s;
    {
      absl::MutexLock lock(&notify_mu_);
      for (;;) {
        auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(notify_mu_) {
          return stopping_ || !ready_.empty() || !current_.empty();
        };
        notify_mu_.Await(absl::Condition(&has_work));
        if (stopping_) return;
        if (!current_.empty()) break;
        // A new round: not before the last one's start + round_, then everyone due now.
        const absl::Time now = absl::Now();
        if (now < next_round_) {
          auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(notify_mu_) {
            return stopping_ || !current_.empty();
          };
          notify_mu_.AwaitWithDeadline(absl::Condition(&stop), next_round_);
          if (stopping_) return;
          if (!current_.empty()) break;  // another notifier started it, or unpaced work
          if (absl::Now() < next_round_) continue;
        }
        next_round_ = absl::Now() + RoundLength();
        current_.swap(ready_);
        if (!current_.empty()) break;
      }
      s = std::move(current_.front());
      current_.pop_front();
      s->scheduled_ = false;  // from here on, a new alert tells it again
    }
    s->on_ready_();
  }
}

void AlertHub::Rearm(const std::shared_ptr<Subscription>& s) {
  if (notifiers_.empty() || round_ <= absl::ZeroDuration() || !s->paced_) {
    s->on_ready_();  // unpaced: it looks at its queue again at once
    return;
  }
  {
    absl::MutexLock lock(&s->mu_);
    if (s->queue_.empty() && !s->overflowed_) {
      s->waiting_ = true;
      return;
    }
    s->waiting_ = false;
  }
  Notify({s});
}

std::shared_ptr<const Delivery> AlertHub::Subscription::Next(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !queue_.empty() || overflowed_; };
  if (timeout > absl::ZeroDuration()) mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (queue_.empty() || overflowed_) return nullptr;
  std::shared_ptr<const Delivery> d = std::move(queue_.front());
  queue_.pop_front();
  return d;
}

bool AlertHub::Subscription::TryNext(std::shared_ptr<const Delivery>* out) {
  absl::MutexLock lock(&mu_);
  out->reset();
  if (overflowed_) return false;
  if (queue_.empty()) {
    waiting_ = true;
    return true;
  }
  *out = std::move(queue_.front());
  queue_.pop_front();
  return true;
}

bool AlertHub::Subscription::overflowed() const {
  absl::MutexLock lock(&mu_);
  return overflowed_;
}

std::shared_ptr<AlertHub::Subscription> AlertHub::Subscribe(std::map<int32_t, int64_t>* positions,
                                                            std::function<void()> on_ready,
                                                            bool paced) {
  auto s = std::make_shared<Subscription>();
  s->on_ready_ = std::move(on_ready);
  s->paced_ = paced;
  absl::MutexLock lock(&mu_);
  s->first_seq_ = next_seq_;
  subs_.push_back(s);
  subscriber_count_ = subs_.size();
  *positions = positions_;
  SubscribersGauge().Set(subs_.size());
  return s;
}

void AlertHub::Unsubscribe(const std::shared_ptr<Subscription>& s) {
  absl::MutexLock lock(&mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), s), subs_.end());
  subscriber_count_ = subs_.size();
  SubscribersGauge().Set(subs_.size());
}

absl::Duration AlertHub::RoundLength() const {
  const size_t n = subscriber_count_.load();
  if (full_round_at_ == 0 || n >= full_round_at_) return round_;
  return round_ * static_cast<double>(n) / static_cast<double>(full_round_at_);
}

size_t AlertHub::subscribers() const {
  absl::MutexLock lock(&mu_);
  return subs_.size();
}

void AlertHub::Advance(const std::map<int32_t, int64_t>& positions) {
  absl::MutexLock lock(&mu_);
  for (const auto& [p, o] : positions) {
    if (o >= 0) positions_[p] = std::max(positions_[p], o);
  }
}

uint64_t AlertHub::RepeatOf(const ww::v1::Alert& a, uint64_t seq) {
  auto [it, inserted] = latest_.try_emplace(a.id(), Latest{a.version(), seq});
  if (inserted) {
    latest_order_.push_back(a.id());
    if (latest_order_.size() > kRememberedIds) {
      latest_.erase(latest_order_.front());
      latest_order_.pop_front();
    }
    return 0;
  }
  if (a.version() <= it->second.version) return it->second.seq;
  it->second = {a.version(), seq};
  return 0;
}

void AlertHub::Publish(ww::v1::Alert alert, int32_t partition, int64_t offset) {
  if (alert.raised_unix_ms() > 0) {
    PublishDelay().Observe(
        std::max<double>(0, (absl::ToUnixMillis(absl::Now()) - alert.raised_unix_ms()) / 1e3));
  }
  auto d = std::make_shared<Delivery>();
  std::vector<std::shared_ptr<Subscription>> wake;
  {
    absl::MutexLock lock(&mu_);
    positions_[partition] = std::max(positions_[partition], offset + 1);
    d->seq = next_seq_++;
    d->repeat_of = RepeatOf(alert, d->seq);
    d->partition = partition;
    d->offset = offset;
    // Every subscriber's cursor after this record is the hub's: each one has been given
    // (or has filtered out) every record up to here.
    alert.set_cursor(EncodeCursor(positions_));
    d->alert = std::move(alert);
    d->wire = grpc::Slice(d->alert.ByteSizeLong());
    d->alert.SerializeWithCachedSizesToArray(const_cast<uint8_t*>(d->wire.begin()));
    std::shared_ptr<const Delivery> shared = std::move(d);
    for (const auto& s : subs_) {
      absl::MutexLock sl(&s->mu_);
      if (s->overflowed_) continue;
      if (s->queue_.size() >= max_queue_) {
        s->overflowed_ = true;
        s->queue_.clear();
        runtime::Metrics::Default()
            .counter("ww_alert_subscribers_dropped_total",
                     "subscribers cut off for reading too slowly")
            .Increment();
      } else {
        s->queue_.push_back(shared);
      }
      if (s->on_ready_ && s->waiting_) {
        s->waiting_ = false;
        wake.push_back(s);
      }
    }
  }
  // Outside the locks: a subscriber's on_ready may start a write that completes at once.
  Notify(std::move(wake));
}

}  // namespace ww::services
