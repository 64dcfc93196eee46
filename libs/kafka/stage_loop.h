#pragma once
// The one consume -> process -> produce loop that every pipeline stage runs.
//
// A stage is a pure function from one input record to zero or more output records. The
// loop reads a batch as a member of a consumer group (read_committed), calls the function
// for each record, and writes the outputs together with the consumer offsets in one Kafka
// transaction. A crash or a rebalance therefore neither loses nor repeats a record
// downstream: either the outputs and the offsets are committed, or neither is and the
// batch is read again.
//
// Each output inherits its input's `traceparent` (as a child span named after the stage)
// and `ww-ingested-ms` headers unless it sets its own; the committed outputs' age since
// ingest is the ww_end_to_end_seconds histogram, per output topic.
//
// A record the function refuses (its Status is not OK) goes to the dead-letter topic with
// the reason and its origin in headers, in the same transaction, and the loop goes on.
// A function that cannot decide *now* (Unavailable: state it needs is out of reach) is not
// refusing the record: the batch is rolled back and read again after a backoff.
//
// The broker being away is an ordinary day: the loop waits for it however long it takes
// (transactions.h follows librdkafka's protocol), reports waiting() meanwhile, and goes on
// within seconds of its return. Run returns an error only for what waiting cannot fix.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/record.h"

namespace ww::kafka {

struct StageOptions {
  std::string stage;  // name for logs and the ww-source-stage header
  ClientConfig client;
  std::string group_id;
  std::vector<std::string> input_topics;
  std::string deadletter_topic = "ww.deadletter";
  // Stable per replica (pod name): a restarted replica fences its previous incarnation.
  std::string transactional_id;
  size_t max_batch = 500;
  // How long to wait for more records after the first of a batch. Zero (the default): take
  // what has arrived and go; records that arrive while a batch commits make the next batch,
  // so batches grow with the load and an idle stage adds no wait.
  absl::Duration max_batch_wait = absl::ZeroDuration();
  absl::Duration transaction_timeout = absl::Seconds(30);
};

// What the stage function returns for one input record.
using StageFn = std::function<absl::StatusOr<std::vector<OutRecord>>(const Record&)>;

// A stage: the function, plus hooks for stages that keep state between records (the
// deduper's window). All are called on the loop's thread.
struct Stage {
  StageFn process;
  std::function<void()> on_commit;  // the batch's outputs and offsets are committed
  std::function<void()> on_abort;   // the batch was aborted and will be read again: undo
                                    // whatever process() changed since the last commit
  // Partitions were taken from this replica (a rebalance, or lost with its session): until
  // it reads them again, another replica may have moved them on.
  std::function<void()> on_revoke;
};

struct StageStats {
  std::atomic<uint64_t> records_in{0};
  std::atomic<uint64_t> records_out{0};
  std::atomic<uint64_t> deadlettered{0};
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> aborts{0};
  std::atomic<bool> assigned{false};      // has joined the group and holds partitions
  std::atomic<bool> joined{false};        // has joined the group (maybe with no partitions)
  std::atomic<int64_t> alive_unix_ms{0};  // when the loop last went round (liveness)
};

class StageLoop {
 public:
  // Validates options and creates the clients. InvalidArgument for a bad option.
  static absl::StatusOr<std::unique_ptr<StageLoop>> Create(StageOptions options, Stage stage);
  ~StageLoop();

  // Runs until `stop` becomes true (checked at least every max_batch_wait plus one
  // commit, and while waiting for the broker) or an error that no wait fixes (not
  // authorised, a fatal consumer error), which it returns. Blocks the calling thread.
  absl::Status Run(const std::atomic<bool>& stop);

  // True while the loop waits: for the broker, or for the stage (its process() was
  // Unavailable). A waiting loop is not stuck (liveness) and not ready (readiness).
  bool waiting() const;

  const StageStats& stats() const;
  const std::string& name() const;  // the stage's name (StageOptions::stage)

 private:
  struct Impl;
  explicit StageLoop(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ww::kafka
