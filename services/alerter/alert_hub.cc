#include "services/alerter/alert_hub.h"

#include <algorithm>

namespace ww::services {

std::optional<ww::v1::Alert> AlertHub::Subscription::Next(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !queue_.empty() || overflowed_; };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (queue_.empty() || overflowed_) return std::nullopt;
  ww::v1::Alert a = std::move(queue_.front());
  queue_.pop_front();
  return a;
}

bool AlertHub::Subscription::overflowed() const {
  absl::MutexLock lock(&mu_);
  return overflowed_;
}

std::shared_ptr<AlertHub::Subscription> AlertHub::Subscribe(std::vector<std::string> entity_ids) {
  auto s = std::make_shared<Subscription>();
  s->entities_.insert(entity_ids.begin(), entity_ids.end());
  absl::MutexLock lock(&mu_);
  subs_.push_back(s);
  return s;
}

void AlertHub::Unsubscribe(const std::shared_ptr<Subscription>& s) {
  absl::MutexLock lock(&mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), s), subs_.end());
}

size_t AlertHub::subscribers() const {
  absl::MutexLock lock(&mu_);
  return subs_.size();
}

void AlertHub::Publish(const ww::v1::Alert& alert) {
  absl::MutexLock lock(&mu_);
  if (!seen_.insert(alert.id()).second) return;
  seen_order_.push_back(alert.id());
  if (seen_order_.size() > remember_ids_) {
    seen_.erase(seen_order_.front());
    seen_order_.pop_front();
  }
  for (const auto& s : subs_) {
    if (!s->entities_.empty() && !s->entities_.count(alert.entity_id())) continue;
    absl::MutexLock sl(&s->mu_);
    if (s->queue_.size() >= max_queue_) {
      s->overflowed_ = true;
      continue;
    }
    s->queue_.push_back(alert);
  }
}

}  // namespace ww::services
