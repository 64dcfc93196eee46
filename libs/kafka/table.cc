#include "libs/kafka/table.h"

#include "absl/time/clock.h"
#include "libs/runtime/log.h"
#include "libs/runtime/retry.h"

namespace ww::kafka {

namespace {
const runtime::Logger& Log() {
  static const runtime::Logger log("kafka.table");
  return log;
}
}  // namespace

absl::StatusOr<std::unique_ptr<TableReader>> TableReader::Open(
    const ClientConfig& client, const std::string& topic, TableOptions options,
    const std::function<bool()>& stopped) {
  auto reader = runtime::RetryTransient<std::unique_ptr<TopicReader>>(
      "open the " + options.name + " topic " + topic,
      [&] { return TopicReader::Create(client, topic, options.start); }, stopped);
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<TableReader>(
      new TableReader(std::move(*reader), topic, std::move(options)));
}

absl::Status TableReader::CatchUp(const ApplyFn& apply, const std::function<bool()>& stopped) {
  const absl::Time start = absl::Now();
  absl::Time next_report = start + options_.progress_every;
  while (!reader_->caught_up()) {
    if (stopped()) {
      return absl::CancelledError("stopped while reading the " + options_.name + " topic");
    }
    std::vector<Record> batch = reader_->Poll(options_.poll);
    if (!batch.empty()) {
      records_ += batch.size();
      apply(batch);
    }
    if (absl::Now() >= next_report) {
      // Slow, or the broker is away (the reader reconnects by itself): say so.
      Log().Info("still reading the table to its end",
                 {{"table", options_.name},
                  {"topic", topic_},
                  {"records", records_},
                  {"seconds", absl::ToInt64Seconds(absl::Now() - start)}});
      next_report = absl::Now() + options_.progress_every;
    }
  }
  Log().Info("table loaded", {{"table", options_.name},
                              {"topic", topic_},
                              {"records", records_},
                              {"ms", absl::ToInt64Milliseconds(absl::Now() - start)}});
  return absl::OkStatus();
}

void TableReader::FollowOnce(const ApplyFn& apply) {
  std::vector<Record> batch = reader_->Poll(options_.poll);
  if (batch.empty()) return;
  records_ += batch.size();
  apply(batch);
}

absl::Status RunTable(const ClientConfig& client, const std::string& topic, TableOptions options,
                      const ApplyFn& apply, const std::function<void()>& on_loaded,
                      const std::atomic<bool>& stop) {
  const std::function<bool()> stopped = [&stop] { return stop.load(); };
  auto table = TableReader::Open(client, topic, std::move(options), stopped);
  if (!table.ok()) return absl::IsCancelled(table.status()) ? absl::OkStatus() : table.status();
  if (absl::Status s = (*table)->CatchUp(apply, stopped); !s.ok()) {
    return absl::IsCancelled(s) ? absl::OkStatus() : s;
  }
  if (on_loaded) on_loaded();
  while (!stop.load()) (*table)->FollowOnce(apply);
  return absl::OkStatus();
}

}  // namespace ww::kafka
