#pragma once
// Fans committed alerts out to live subscribers. One reader thread calls Publish() in
// topic order; each alert is serialised once (with the cursor that resumes after it) and
// shared by every subscriber. Each subscriber has a bounded queue, so a slow subscriber is
// cut off (its overflowed() turns true) instead of slowing the others or the pipeline.
// Subscribers are told that alerts wait (on_ready) by the hub's notifier threads, not by
// the publishing thread: starting a thousand gRPC writes per alert would otherwise hold
// up the reading of the alerts topic itself. A subscriber is told once however many
// alerts arrive before it is told, so those go out together. Thread-safe.
#include <grpcpp/support/slice.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/alerting/rule.h"
#include "libs/delivery/destination.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

// Which alerts a subscriber wants: the filter destinations use too (tenant empty: every
// tenant, authentication off).
using AlertFilterSpec = delivery::AlertFilter;

// An alert with where it sits in the alerts topic, as the hub hands it to every subscriber.
struct Delivery {
  ww::v1::Alert alert;  // its cursor resumes right after this record
  int32_t partition = 0;
  int64_t offset = 0;
  // `alert` serialised, for every subscriber to send as is: copying the slice takes a
  // reference, it does not copy the bytes.
  grpc::Slice wire;
  // Publications are numbered from 1. `repeat_of` is the number of an earlier publication
  // of the same alert id at this or a higher version (0: none), so a subscriber that
  // already had that one does not get the alert twice.
  uint64_t seq = 0;
  uint64_t repeat_of = 0;
};

class AlertHub {
 public:
  class Subscription {
   public:
    // Next delivery (whether or not the filter admits it: its cursor moves past every
    // record), or nullptr after `timeout` or once overflowed.
    std::shared_ptr<const Delivery> Next(absl::Duration timeout);
    // Non-blocking Next for a stream that is told when to look (on_ready): false once
    // overflowed, else `*out` is the next delivery or nullptr. on_ready is called only
    // after TryNext found nothing (and at the first alert): a stream busy writing looks
    // again by itself when its write completes, so it is not woken for every alert.
    bool TryNext(std::shared_ptr<const Delivery>* out);
    bool overflowed() const;
    // Publications numbered from here on reach this subscription; see Delivery::repeat_of.
    uint64_t first_seq() const { return first_seq_; }
    // True when `d` repeats an alert this subscription was already given live.
    bool Repeats(const Delivery& d) const { return d.repeat_of != 0 && d.repeat_of >= first_seq_; }

   private:
    friend class AlertHub;
    uint64_t first_seq_ = 0;
    std::function<void()> on_ready_;  // set once, before the subscription is shared
    bool paced_ = true;               // set once, like on_ready_
    bool scheduled_ = false;          // waits to be told (hub's notify_mu_)
    mutable absl::Mutex mu_;
    std::deque<std::shared_ptr<const Delivery>> queue_ ABSL_GUARDED_BY(mu_);
    bool overflowed_ ABSL_GUARDED_BY(mu_) = false;
    bool waiting_ ABSL_GUARDED_BY(mu_) = true;  // found nothing last time: wake it
  };

  // `notifiers`: threads that call the subscribers' on_ready; 0 calls it on the publishing
  // thread, within Publish. `round` (with notifiers): subscribers are told in rounds that
  // start at most once per `round`, each telling every subscriber due by its start. A
  // subscriber alone, or the first alert after a quiet spell, is told at once; under a
  // steady flow a subscriber is told at most once a round, so what arrives within a round
  // goes out together (fewer, fuller messages: less CPU per alert when there are many
  // subscribers, at most `round` more latency). With `full_round_at` > 0, a round is that
  // long only from `full_round_at` subscribers on and shorter in proportion below (one
  // subscriber of 1,000: 1/1,000 of it): pacing saves CPU only when many streams share the
  // notifiers, and a few subscribers should not wait for it.
  explicit AlertHub(size_t max_queue = 10000, int notifiers = 0,
                    absl::Duration round = absl::ZeroDuration(), size_t full_round_at = 0);
  ~AlertHub();
  AlertHub(const AlertHub&) = delete;
  AlertHub& operator=(const AlertHub&) = delete;

  // Registers a subscriber. `positions` gets the next offset per partition at this moment:
  // every alert at or after them reaches the subscription, none before. `on_ready`, if
  // given, is called (with no hub lock held) after deliveries were queued or the
  // subscription overflowed; it may run on several notifier threads at once and should not
  // block for long. Only a `paced` subscriber waits for rounds; the others are told as soon
  // as a notifier thread is free (one alert per message gains nothing from waiting).
  std::shared_ptr<Subscription> Subscribe(std::map<int32_t, int64_t>* positions,
                                          std::function<void()> on_ready = nullptr,
                                          bool paced = true);
  void Unsubscribe(const std::shared_ptr<Subscription>& s);
  // For a subscriber that has just finished sending (it must have an on_ready): a paced
  // one is told in the next round if deliveries wait, else by the next Publish; any other
  // is told at once.
  void Rearm(const std::shared_ptr<Subscription>& s);
  void Publish(ww::v1::Alert alert, int32_t partition, int64_t offset);
  // Moves positions forward (past transaction markers), never back.
  void Advance(const std::map<int32_t, int64_t>& positions);
  size_t subscribers() const;

 private:
  // Remembers the publication that carried each alert id's highest version. Bounded.
  uint64_t RepeatOf(const ww::v1::Alert& a, uint64_t seq) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Has on_ready called for each of `wake`, inline or by a notifier thread.
  void Notify(std::vector<std::shared_ptr<Subscription>> wake);
  void NotifierLoop();

  const size_t max_queue_;
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<Subscription>> subs_ ABSL_GUARDED_BY(mu_);
  std::map<int32_t, int64_t> positions_ ABSL_GUARDED_BY(mu_);
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 1;
  struct Latest {
    int64_t version;
    uint64_t seq;
  };
  absl::flat_hash_map<std::string, Latest> latest_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> latest_order_ ABSL_GUARDED_BY(mu_);

  // The current round's length (round_ scaled by subscribers, see the constructor).
  absl::Duration RoundLength() const;

  const absl::Duration round_;
  const size_t full_round_at_;
  std::atomic<size_t> subscriber_count_{0};  // subs_.size(), readable under notify_mu_
  absl::Mutex notify_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::deque<std::shared_ptr<Subscription>> ready_ ABSL_GUARDED_BY(notify_mu_);    // next round
  std::deque<std::shared_ptr<Subscription>> current_ ABSL_GUARDED_BY(notify_mu_);  // this one
  absl::Time next_round_ ABSL_GUARDED_BY(notify_mu_) = absl::InfinitePast();
  bool stopping_ ABSL_GUARDED_BY(notify_mu_) = false;
  std::vector<std::thread> notifiers_;
};

}  // namespace ww::services
