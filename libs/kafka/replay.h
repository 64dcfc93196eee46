#pragma once
// Replay: copies a time or offset range of one topic into the same or another topic, exactly
// once. Copies keep key, value, headers and the original timestamp and gain a header
// `ww-replay-of: topic/partition/offset`. They are written in Kafka transactions together
// with a checkpoint record (keyed by the job id, in a compacted checkpoint topic), so an
// interrupted replay rerun with the same job id resumes after the last committed copy and
// never copies a record twice; the transactional id is derived from the job id, so a rerun
// fences a still-running older incarnation.
//
// Blocking (runs until the range is copied, `limit` is reached, `stop` is set or an error).
// Thread-compatible: one Replay per job at a time.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/record.h"

namespace ww::kafka {

inline constexpr std::string_view kHeaderReplayOf = "ww-replay-of";

// One --where condition; all of them must hold. kKey: the key equals `value`;
// kHeader: some header named `name` has the value `value`.
struct ReplayFilter {
  enum class Kind { kKey, kHeader };
  Kind kind = Kind::kKey;
  std::string name;
  std::string value;
};

// Parses "key=VALUE" or "header:NAME=VALUE"; InvalidArgument otherwise.
absl::StatusOr<ReplayFilter> ParseReplayFilter(const std::string& text);

struct ReplayOptions {
  ClientConfig client;
  std::string from_topic;
  std::string to_topic;  // empty: the same as from_topic
  // Time range [since_ms, until_ms) by record timestamp; -1: open.
  int64_t since_ms = -1;
  int64_t until_ms = -1;
  // Offset range per partition: from (inclusive) and to (exclusive). When either map is
  // non-empty, only the partitions named in them are replayed (the other end defaults to the
  // low / high watermark).
  std::map<int32_t, int64_t> from_offsets;
  std::map<int32_t, int64_t> to_offsets;
  std::vector<ReplayFilter> where;
  // A further condition on each record (e.g. on fields of the decoded value); empty: none.
  // Called on the Replay thread. Its arguments must be part of `job_id`.
  std::function<bool(const Record&)> predicate;
  double rate_per_second = 0;  // 0: as fast as possible
  bool dry_run = false;        // count what would be copied; write nothing
  int64_t limit = -1;          // stop after copying this many (this run); -1: no limit
  // Identifies the job for resuming; the same arguments must give the same id. Empty: a
  // hash of the resolved options.
  std::string job_id;
  std::string checkpoint_topic = "ww.replay.checkpoints";  // created (compacted) if missing
  size_t max_batch = 500;                                  // records per transaction
};

struct ReplayPartition {
  int64_t start = 0;    // first offset of the range
  int64_t end = 0;      // end of the range (exclusive), fixed when the job first started
  int64_t next = 0;     // next offset to look at
  int64_t matched = 0;  // records copied (or, dry run, that would be) in this run
};

struct ReplayProgress {
  std::map<int32_t, ReplayPartition> partitions;
  int64_t scanned = 0;    // records read this run
  int64_t copied = 0;     // records copied (dry run: matched) this run
  int64_t bytes = 0;      // key + value + header bytes of those
  int64_t remaining = 0;  // offsets left in the range (an upper bound on records)
  absl::Duration elapsed;
  bool resumed = false;       // started from a checkpoint
  bool already_done = false;  // the checkpoint says the job had finished; nothing to do
  bool complete = false;      // the whole range has been processed
  std::string job_id;
};

using ReplayProgressFn = std::function<void(const ReplayProgress&)>;

// Runs the job; `progress` (may be empty) is called after every batch and at the end.
// Errors: NotFound (unknown topic), Unavailable (no broker), InvalidArgument (bad range),
// Aborted (a transaction failed or this job was fenced by a newer run: rerun to resume).
absl::StatusOr<ReplayProgress> Replay(const ReplayOptions& options,
                                      const ReplayProgressFn& progress,
                                      const std::atomic<bool>* stop = nullptr);

}  // namespace ww::kafka
