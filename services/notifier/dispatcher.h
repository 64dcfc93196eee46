#pragma once
// Works off the deliveries the notifier owes: one lane per destination, so a slow or broken
// destination holds up only itself. A lane sends its deliveries in order, at most
// rate_per_second, retrying by delivery::Decide (backoff with jitter, Retry-After); when a
// delivery is done it writes the delivery's tombstone, and when it gives up (a 4xx, or older
// than give_up_after) it writes the delivery to the dead-letter topic with the destination's
// last answer, then the tombstone. An email destination with a `digest` waits until that long
// after its oldest delivery was owed, then sends everything owed (up to 100) in one mail.
//
// The deliveries topic is the outbox: on start the notifier reads it to its end (a
// kafka::TableReader) and Apply()s every record, so a restart resumes every delivery not yet
// tombstoned. A destination's 2xx followed by a crash before the tombstone is the only
// repeat, and it carries the same webhook-id. Thread-safe.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/delivery/destination.h"
#include "libs/delivery/retry_policy.h"
#include "libs/kafka/record.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

// Sends one alert to one destination; the destination's answer ("HTTP 200: ...") or why
// not (Unavailable: try again; other codes: give up).
class Sender {
 public:
  virtual ~Sender() = default;
  virtual absl::StatusOr<std::string> Send(const delivery::Destination& d,
                                           const ww::v1::Alert& a) = 0;
  // Several alerts in one message (an email destination with a digest).
  virtual absl::StatusOr<std::string> SendDigest(const delivery::Destination& d,
                                                 const std::vector<ww::v1::Alert>& alerts) {
    return absl::UnimplementedError("this sender sends no digests");
  }
};

struct DispatcherOptions {
  std::string deadletter_topic;
  delivery::Backoff backoff;
  // Finds a destination by key ("owner/id"); nullopt when it does not exist (or not yet:
  // see destinations_loaded).
  std::function<std::optional<delivery::Destination>(const std::string&)> find_destination;
  std::function<bool()> destinations_loaded;
  // Writes a record (a tombstone, a dead letter) and waits for the broker's acknowledgement.
  std::function<absl::Status(const kafka::OutRecord&)> produce;
};

class Dispatcher {
 public:
  Dispatcher(DispatcherOptions options, Sender* sender);
  ~Dispatcher();  // Stop()s
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Records of the deliveries topic, in offset order per partition: a value is a delivery
  // owed (queued on its destination's lane unless already there), a tombstone one done.
  void Apply(const std::vector<kafka::Record>& records);

  // Lets the lanes send. Call it once the deliveries topic has been read to its end, so a
  // delivery whose tombstone is still to be read is not sent again.
  void Start();

  // Stops every lane after its current attempt.
  void Stop();

  // Deliveries queued, per destination key.
  std::map<std::string, size_t> depth() const;

 private:
  struct Item {
    kafka::Record record;
    ww::v1::PendingDelivery pending;
    absl::Time first_attempt;  // the give-up clock
    int attempts = 0;
    absl::Time next_attempt = absl::InfinitePast();
  };
  struct Lane;

  Lane* LaneFor(const std::string& destination_key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RunLane(Lane* lane);
  // One attempt at the head of `lane` (`d`: its destination as RunLane looked it up, nullopt
  // when there is none); returns once the outcome is recorded.
  void Attempt(Lane* lane, Item item, const std::optional<delivery::Destination>& d);
  // One attempt at a digest of the first items of `lane` (the head's retry state is the
  // batch's); returns once the outcome of each is recorded.
  void AttemptDigest(Lane* lane, const delivery::Destination& d, std::vector<Item> batch);
  void Finish(Lane* lane, const Item& item, const absl::Status& gave_up_why);
  // Counts and logs a failed attempt at `head` (`what` names it) and sets when the lane
  // tries again.
  void ScheduleRetry(Lane* lane, const Item& head, const absl::Status& why, absl::Time next_attempt,
                     const std::string& what);
  static void ObserveDelivered(const std::string& destination, const Item& item, absl::Time now);

  DispatcherOptions options_;
  Sender* sender_;
  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, std::unique_ptr<Lane>> lanes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ww::services
