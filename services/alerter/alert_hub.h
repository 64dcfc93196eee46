#pragma once
// Fans committed alerts out to live subscribers. One reader thread calls Publish(); each
// subscriber has a bounded queue, so a slow subscriber is cut off (RESOURCE_EXHAUSTED)
// instead of slowing the others. The same alert id is never delivered twice to a
// subscriber (ids are deterministic, so replays and restarts repeat them). Thread-safe.
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

class AlertHub {
 public:
  class Subscription {
   public:
    // Next alert, or nullopt after `timeout`. Sets overflowed() when it was cut off.
    std::optional<ww::v1::Alert> Next(absl::Duration timeout);
    bool overflowed() const;

   private:
    friend class AlertHub;
    std::set<std::string> entities_;  // empty: all
    mutable absl::Mutex mu_;
    std::deque<ww::v1::Alert> queue_ ABSL_GUARDED_BY(mu_);
    bool overflowed_ ABSL_GUARDED_BY(mu_) = false;
  };

  explicit AlertHub(size_t max_queue = 10000, size_t remember_ids = 100000)
      : max_queue_(max_queue), remember_ids_(remember_ids) {}

  std::shared_ptr<Subscription> Subscribe(std::vector<std::string> entity_ids);
  void Unsubscribe(const std::shared_ptr<Subscription>& s);
  void Publish(const ww::v1::Alert& alert);
  size_t subscribers() const;

 private:
  const size_t max_queue_;
  const size_t remember_ids_;
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<Subscription>> subs_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> seen_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> seen_order_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ww::services
