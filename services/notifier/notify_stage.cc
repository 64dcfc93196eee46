#include "services/notifier/notify_stage.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

std::string NotifyStage::DeliveryKey(const std::string& destination_key, const ww::v1::Alert& a) {
  return absl::StrCat(destination_key, "/", a.id(), "/v", a.version());
}

absl::StatusOr<std::vector<kafka::OutRecord>> NotifyStage::Process(const kafka::Record& in) const {
  if (in.tombstone) return std::vector<kafka::OutRecord>{};
  if (!loaded_()) return absl::UnavailableError("destinations not loaded yet");
  ww::v1::PendingDelivery pending;
  if (!pending.mutable_alert()->ParseFromString(in.value) || pending.alert().id().empty()) {
    return absl::InvalidArgumentError("not an Alert record (or one without an id)");
  }
  pending.set_created_unix_ms(absl::ToUnixMillis(absl::Now()));
  std::vector<kafka::OutRecord> out;
  for (const auto& [key, d] : *destinations_()) {
    if (!delivery::Wants(d, pending.alert())) continue;
    pending.set_destination_key(key);
    kafka::OutRecord r;
    r.topic = options_.deliveries_topic;
    r.key = DeliveryKey(key, pending.alert());
    r.value = pending.SerializeAsString();
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ww::services
