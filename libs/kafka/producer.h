#pragma once
// An idempotent, non-transactional producer for records that start outside the pipeline
// (pushed articles, watchlist edits, wwctl). Thread-safe: Send may be called concurrently.
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/record.h"

namespace ww::kafka {

struct Delivered {
  int32_t partition = -1;
  int64_t offset = -1;
};

class Producer {
 public:
  // Connects lazily; InvalidArgument for a bad property.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(const ClientConfig& config);
  ~Producer();

  // Blocks until the broker acknowledged the record (acks=all) or `timeout` passed.
  // A producer that hits a fatal error (an idempotence desync after the broker lost
  // records) replaces itself and sends once more.
  // Errors: NotFound (unknown topic), Unavailable (broker unreachable, timeout),
  // ResourceExhausted (record too large).
  absl::StatusOr<Delivered> Send(const OutRecord& record,
                                 absl::Duration timeout = absl::Seconds(30));
  // Sends every record at once and waits for all of them (one round trip for a batch, not
  // one per record); the first error, if any.
  absl::Status SendAll(const std::vector<OutRecord>& records,
                       absl::Duration timeout = absl::Seconds(30));

  // Waits for everything in flight.
  void Flush(absl::Duration timeout);

  struct Pending;  // one record's delivery (producer.cc; its delivery callback fills it)

 private:
  struct Impl;
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ww::kafka
