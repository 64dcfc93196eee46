#pragma once
// Fans committed alerts out to live subscribers. One reader thread calls Publish() in
// topic order; each subscriber has a bounded queue, so a slow subscriber is cut off
// (its overflowed() turns true) instead of slowing the others or the pipeline.
// Thread-safe.
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/alerting/rule.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

// Which alerts a subscriber wants.
struct AlertFilterSpec {
  std::string tenant;  // empty: every tenant (authentication off)
  std::set<std::string> entities;
  std::set<std::string> rules;
  alerting::Severity min_severity = alerting::Severity::kInfo;
  bool Admits(const ww::v1::Alert& a) const;
};

// An alert with where it sits in the alerts topic.
struct Delivery {
  ww::v1::Alert alert;
  int32_t partition = 0;
  int64_t offset = 0;
};

class AlertHub {
 public:
  class Subscription {
   public:
    // Next delivery (whether or not the filter admits it: the caller advances its cursor
    // over every record), or nullopt after `timeout` or once overflowed.
    std::optional<Delivery> Next(absl::Duration timeout);
    // Waits up to `timeout` for the first, then takes every queued delivery (at most `max`).
    std::vector<Delivery> NextBatch(absl::Duration timeout, size_t max);
    bool overflowed() const;

   private:
    friend class AlertHub;
    mutable absl::Mutex mu_;
    std::deque<Delivery> queue_ ABSL_GUARDED_BY(mu_);
    bool overflowed_ ABSL_GUARDED_BY(mu_) = false;
  };

  explicit AlertHub(size_t max_queue = 10000) : max_queue_(max_queue) {}

  // Registers a subscriber. `positions` gets the next offset per partition at this moment:
  // every alert at or after them reaches the subscription, none before.
  std::shared_ptr<Subscription> Subscribe(std::map<int32_t, int64_t>* positions);
  void Unsubscribe(const std::shared_ptr<Subscription>& s);
  void Publish(const ww::v1::Alert& alert, int32_t partition, int64_t offset);
  // Moves positions forward (past transaction markers), never back.
  void Advance(const std::map<int32_t, int64_t>& positions);
  size_t subscribers() const;

 private:
  const size_t max_queue_;
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<Subscription>> subs_ ABSL_GUARDED_BY(mu_);
  std::map<int32_t, int64_t> positions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ww::services
