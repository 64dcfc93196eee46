#include "services/alerter/alert_hub.h"

#include <algorithm>

#include "libs/runtime/metrics.h"

namespace ww::services {
namespace {
runtime::Gauge& SubscribersGauge() {
  static runtime::Gauge& g =
      runtime::Metrics::Default().gauge("ww_alert_subscribers", "AlertService.Subscribe streams open");
  return g;
}
}  // namespace

bool AlertFilterSpec::Admits(const ww::v1::Alert& a) const {
  if (!tenant.empty() && a.owner() != tenant) return false;
  if (!rules.empty() && !rules.count(a.rule_id())) return false;
  if (!entities.empty()) {
    bool any = entities.count(a.entity_id()) > 0;
    for (const auto& e : a.entity_ids()) any = any || entities.count(e);
    if (!any) return false;
  }
  auto sev = alerting::ParseSeverity(a.severity());
  return !sev.ok() || *sev >= min_severity;
}

std::optional<Delivery> AlertHub::Subscription::Next(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !queue_.empty() || overflowed_; };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (queue_.empty() || overflowed_) return std::nullopt;
  Delivery d = std::move(queue_.front());
  queue_.pop_front();
  return d;
}

std::vector<Delivery> AlertHub::Subscription::NextBatch(absl::Duration timeout, size_t max) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !queue_.empty() || overflowed_; };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  std::vector<Delivery> out;
  while (!overflowed_ && !queue_.empty() && out.size() < max) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return out;
}

bool AlertHub::Subscription::overflowed() const {
  absl::MutexLock lock(&mu_);
  return overflowed_;
}

std::shared_ptr<AlertHub::Subscription> AlertHub::Subscribe(std::map<int32_t, int64_t>* positions) {
  auto s = std::make_shared<Subscription>();
  absl::MutexLock lock(&mu_);
  subs_.push_back(s);
  *positions = positions_;
  SubscribersGauge().Set(subs_.size());
  return s;
}

void AlertHub::Unsubscribe(const std::shared_ptr<Subscription>& s) {
  absl::MutexLock lock(&mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), s), subs_.end());
  SubscribersGauge().Set(subs_.size());
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

void AlertHub::Publish(const ww::v1::Alert& alert, int32_t partition, int64_t offset) {
  absl::MutexLock lock(&mu_);
  positions_[partition] = std::max(positions_[partition], offset + 1);
  for (const auto& s : subs_) {
    absl::MutexLock sl(&s->mu_);
    if (s->overflowed_) continue;
    if (s->queue_.size() >= max_queue_) {
      s->overflowed_ = true;
      runtime::Metrics::Default()
          .counter("ww_alert_subscribers_dropped_total", "subscribers cut off for reading too slowly")
          .Add();
      continue;
    }
    s->queue_.push_back({alert, partition, offset});
  }
}

}  // namespace ww::services
