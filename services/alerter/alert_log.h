#pragma once
// The alerter and its own output topic: what it reads of the alerts topic before it serves
// (the alerts it raised within --remember, so a restart neither repeats nor forgets them),
// and the fan-out that hands every committed alert, from any replica, to the subscribers.
// Both wait for the broker however long it is away and stop when asked.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "libs/kafka/record.h"
#include "services/alerter/alert_hub.h"
#include "services/alerter/alert_stage.h"

namespace ww::services {

// Feeds `stage` every alert committed at or after `since_ms`, then commits it. Returns
// where the topic ended when it began (next offset per partition): the live stream starts
// there. Cancelled when stopped first; NotFound when the topic is missing.
absl::StatusOr<std::map<int32_t, int64_t>> RememberRaisedAlerts(
    const kafka::ClientConfig& client, const std::string& topic, int64_t since_ms,
    AlertStage* stage, const std::function<bool()>& stopped);

// Publishes every alert committed from `from` on to `hub` until `stop` (the fan-out
// worker). A record that is not an alert is reported and skipped. OK when stopped.
absl::Status FanOutAlerts(const kafka::ClientConfig& client, const std::string& topic,
                          const std::map<int32_t, int64_t>& from, AlertHub* hub,
                          const std::atomic<bool>& stop);

}  // namespace ww::services
