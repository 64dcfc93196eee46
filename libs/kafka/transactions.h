#pragma once
// librdkafka's transaction protocol, followed exactly, in one place: what the stage loop
// and `wwctl replay` use to write records (and consumer offsets) atomically.
//
//   error on a call        what the protocol asks               what Transactions does
//   retriable              call the same function again          waits (backoff), calls again:
//                          (commit and abort resume)             however long the broker is away
//   txn_requires_abort     abort, re-read the input              aborts; the caller rewinds
//   fatal (fenced, ...)    the producer is unusable              makes a new producer, whose
//                                                                init aborts the open transaction
//   permanent (not allowed, unsupported, bad configuration): a new producer would fail the
//   same way; returned as an error for the process to report and exit on.
//
// While it waits for the broker, waiting() is true (a service reports not-ready).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/record.h"
#include "libs/runtime/retry.h"

namespace ww::kafka {

// How a transactional call failed, as librdkafka classifies it.
struct TxnError {
  std::string message;
  bool retriable = false;       // call the same function again
  bool requires_abort = false;  // abort the transaction and re-read what it held
  bool fatal = false;           // the producer cannot be used again
  bool permanent = false;       // and a new one would fail the same way
};
using TxnResult = std::optional<TxnError>;  // nullopt: the call succeeded

// Next offset to commit per (topic, partition).
using OffsetMap = std::map<std::pair<std::string, int32_t>, int64_t>;

// The transactional calls of one producer: librdkafka in services, a fake in unit tests.
class TxnClient {
 public:
  virtual ~TxnClient() = default;
  virtual TxnResult Init(absl::Duration timeout) = 0;
  virtual TxnResult Begin() = 0;
  // Queues one record (copied) in the open transaction.
  virtual absl::Status Produce(const OutRecord& record) = 0;
  // The consumer group's offsets, committed with the transaction.
  virtual TxnResult SendOffsets(const OffsetMap& offsets, absl::Duration timeout) = 0;
  virtual TxnResult Commit(absl::Duration timeout) = 0;
  virtual TxnResult Abort(absl::Duration timeout) = 0;
};
using TxnClientFactory = std::function<absl::StatusOr<std::unique_ptr<TxnClient>>()>;

// A transactional producer on librdkafka. `consumer` (a rd_kafka_t*, may be null) is the
// group member whose offsets SendOffsets commits; it must outlive the client.
absl::StatusOr<std::unique_ptr<TxnClient>> NewKafkaTxnClient(const ClientConfig& config,
                                                             const std::string& transactional_id,
                                                             absl::Duration transaction_timeout,
                                                             void* consumer);

struct TransactionsOptions {
  std::string name;  // for logs
  // One librdkafka call; a retriable timeout is resumed, so short keeps a stop prompt.
  absl::Duration call_timeout = absl::Seconds(5);
  runtime::BackoffOptions backoff;  // between retries
  // Called before every attempt: a caller that waits is not stuck (liveness).
  std::function<void()> heartbeat;
};

class Transactions {
 public:
  Transactions(TransactionsOptions options, TxnClientFactory factory);

  // Makes the producer and initialises transactions (which aborts what a previous
  // incarnation left open), waiting while the broker is away. OK; Cancelled when stopped;
  // FailedPrecondition for a permanent error.
  absl::Status Start(const std::function<bool()>& stopped);

  // Opens a transaction. Aborted when it cannot (the producer was replaced: call again).
  absl::Status Begin(const std::function<bool()>& stopped);
  absl::Status Produce(const OutRecord& record);

  // Adds the offsets (if any) and commits, resuming while the broker is away.
  //   OK         committed
  //   Aborted    rolled back (the protocol asked for an abort, or the producer was
  //              replaced): nothing of the transaction is visible; re-read its input
  //   Cancelled  stopped while waiting: the outcome is for the next incarnation's Start
  //   FailedPrecondition  permanent error
  absl::Status Commit(const OffsetMap& offsets, const std::function<bool()>& stopped);

  // Rolls back the open transaction, resuming while the broker is away; a producer that
  // cannot abort is replaced (its successor's init aborts it). OK, Cancelled or
  // FailedPrecondition as above.
  absl::Status Abort(const std::function<bool()>& stopped);

  // True while a call waits for the broker to come back.
  bool waiting() const { return waiting_.load(); }
  // How many producers were made (1 after Start; more after fatal errors).
  int producers_made() const { return producers_made_; }

 private:
  // Calls `call` until it stops being retriable (or stop). nullopt on success.
  TxnResult Resume(const char* what, const std::function<TxnResult()>& call,
                   const std::function<bool()>& stopped, bool* was_stopped);
  absl::Status Replace(const TxnError& why, const std::function<bool()>& stopped);
  absl::Status Permanent(const char* what, const TxnError& e) const;

  TransactionsOptions options_;
  TxnClientFactory factory_;
  std::unique_ptr<TxnClient> client_;
  std::atomic<bool> waiting_{false};
  int producers_made_ = 0;
};

}  // namespace ww::kafka
