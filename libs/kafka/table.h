#pragma once
// A table kept from a topic: read every partition to its end (the table is then loaded),
// then follow what comes next. The tagger's watchlist, the alerter's rules and memory of
// raised alerts, and the ingestor's feeds are all this; one implementation for all.
//
// It waits for the broker however long it is away (a log line per attempt), reports its
// progress while it catches up, and stops promptly when asked. Not thread-safe: one thread
// reads a table.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/reader.h"
#include "libs/kafka/record.h"

namespace ww::kafka {

struct TableOptions {
  std::string name;  // what the table holds ("watchlist"), for logs
  StartAt start;     // default: every partition from its beginning
  absl::Duration poll = absl::Milliseconds(200);
  absl::Duration progress_every = absl::Seconds(10);  // a log line while catching up
};

// Applies records in offset order per partition; called with non-empty batches only.
using ApplyFn = std::function<void(const std::vector<Record>&)>;

class TableReader {
 public:
  // Opens a reader on `topic`, waiting while the broker is away. NotFound when the topic
  // does not exist (waiting will not make it); Cancelled when stopped first.
  static absl::StatusOr<std::unique_ptr<TableReader>> Open(const ClientConfig& client,
                                                           const std::string& topic,
                                                           TableOptions options,
                                                           const std::function<bool()>& stopped);

  // Applies every record up to each partition's end, as it was when the reader opened or
  // later. OK once loaded; Cancelled when stopped first.
  absl::Status CatchUp(const ApplyFn& apply, const std::function<bool()>& stopped);

  // Applies what arrives within one poll (following, after CatchUp).
  void FollowOnce(const ApplyFn& apply);

  bool loaded() const { return reader_->caught_up(); }
  size_t records_read() const { return records_; }
  // Next offset per partition (a resume point).
  std::map<int32_t, int64_t> positions() const { return reader_->positions(); }

 private:
  TableReader(std::unique_ptr<TopicReader> reader, std::string topic, TableOptions options)
      : reader_(std::move(reader)), topic_(std::move(topic)), options_(std::move(options)) {}
  std::unique_ptr<TopicReader> reader_;
  std::string topic_;
  TableOptions options_;
  size_t records_ = 0;
};

// A table's whole life on a worker thread: open, catch up, `on_loaded`, then follow until
// `stop`. Returns the error that ended it early (NotFound: the topic is missing), OK when
// stopped.
absl::Status RunTable(const ClientConfig& client, const std::string& topic, TableOptions options,
                      const ApplyFn& apply, const std::function<void()>& on_loaded,
                      const std::atomic<bool>& stop);

}  // namespace ww::kafka
