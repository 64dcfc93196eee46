#include "services/alerter/alert_log.h"

#include "libs/kafka/admin.h"
#include "libs/kafka/reader.h"
#include "libs/kafka/table.h"
#include "libs/runtime/log.h"
#include "libs/runtime/retry.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

namespace {
const runtime::Logger& Log() {
  static const runtime::Logger log("alerter");
  return log;
}
}  // namespace

absl::StatusOr<std::map<int32_t, int64_t>> RememberRaisedAlerts(
    const kafka::ClientConfig& client, const std::string& topic, int64_t since_ms,
    AlertStage* stage, const std::function<bool()>& stopped) {
  auto marks = runtime::RetryTransient<std::vector<std::pair<int64_t, int64_t>>>(
      "read the alerts topic's end", [&] { return kafka::Watermarks(client, topic); }, stopped);
  if (!marks.ok()) return marks.status();
  auto history = kafka::TableReader::Open(client, topic,
                                          {"alert history", kafka::StartAt{{}, since_ms}}, stopped);
  if (!history.ok()) return history.status();
  absl::Status read = (*history)->CatchUp(
      [&](const std::vector<kafka::Record>& records) {
        for (const kafka::Record& r : records) stage->Remember(r);
      },
      stopped);
  if (!read.ok()) return read;
  stage->Commit();
  Log().Info("alerts remembered", {{"alerts", stage->alerts()}});
  std::map<int32_t, int64_t> end;
  for (size_t p = 0; p < marks->size(); ++p) end[static_cast<int32_t>(p)] = (*marks)[p].second;
  return end;
}

absl::Status FanOutAlerts(const kafka::ClientConfig& client, const std::string& topic,
                          const std::map<int32_t, int64_t>& from, AlertHub* hub,
                          const std::atomic<bool>& stop) {
  auto reader = runtime::RetryTransient<std::unique_ptr<kafka::TopicReader>>(
      "follow the alerts topic",
      [&] { return kafka::TopicReader::Create(client, topic, kafka::StartAt{from}); },
      [&stop] { return stop.load(); });
  if (absl::IsCancelled(reader.status())) return absl::OkStatus();
  if (!reader.ok()) return reader.status();
  while (!stop.load()) {
    for (const kafka::Record& r : (*reader)->Poll(absl::Milliseconds(200))) {
      ww::v1::Alert a;
      if (!r.tombstone && a.ParseFromString(r.value)) {
        hub->Publish(std::move(a), r.partition, r.offset);
      } else {
        Log().Warn("record on the alerts topic is not an alert: not sent to subscribers",
                   {{"partition", r.partition}, {"offset", r.offset}});
      }
    }
    hub->Advance((*reader)->positions());
  }
  return absl::OkStatus();
}

}  // namespace ww::services
