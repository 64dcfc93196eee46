#pragma once
// The notifier's stage function: an alert from the alerts topic becomes one pending delivery
// for each destination that wants it (its filter admits the alert; updates only when asked),
// written to the deliveries topic in the same transaction as the offset. The dispatcher then
// works the deliveries off; the stage never waits for a destination.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kafka/record.h"
#include "services/notifier/destinations_table.h"

namespace ww::services {

struct NotifyStageOptions {
  std::string deliveries_topic;
};

class NotifyStage {
 public:
  using DestinationsFn = std::function<std::shared_ptr<const DestinationsTable::Destinations>()>;
  using LoadedFn = std::function<bool()>;
  NotifyStage(NotifyStageOptions options, DestinationsFn destinations, LoadedFn loaded)
      : options_(std::move(options)),
        destinations_(std::move(destinations)),
        loaded_(std::move(loaded)) {}

  // InvalidArgument for a record that is not an Alert (it goes to the dead letters);
  // Unavailable until the destinations are loaded (the batch is read again later).
  absl::StatusOr<std::vector<kafka::OutRecord>> Process(const kafka::Record& in) const;

  // "owner/destination/alert id/vVERSION": one delivery per destination and alert version.
  static std::string DeliveryKey(const std::string& destination_key, const ww::v1::Alert& a);

 private:
  NotifyStageOptions options_;
  DestinationsFn destinations_;
  LoadedFn loaded_;
};

}  // namespace ww::services
