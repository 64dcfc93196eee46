#include "services/notifier/destinations_table.h"

#include "libs/runtime/log.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

void DestinationsTable::Apply(const std::vector<kafka::Record>& records) {
  if (records.empty()) return;
  runtime::Logger log("notifier.destinations");
  auto next = std::make_shared<Destinations>(*snapshot());
  for (const kafka::Record& r : records) {
    if (r.tombstone) {
      next->erase(r.key);
      continue;
    }
    ww::v1::Destination stored;
    if (!stored.ParseFromString(r.value)) {
      log.Warn("skipping a record that is not a Destination", {{"key", r.key}});
      continue;
    }
    auto d = delivery::ParseDestinationYaml(stored.yaml(), stored.owner());
    if (!d.ok()) {
      log.Warn("skipping an invalid stored destination",
               {{"key", r.key}, {"error", d.status().ToString()}});
      continue;
    }
    (*next)[r.key] = std::move(*d);
  }
  {
    absl::MutexLock lock(&mu_);
    snapshot_ = std::move(next);
  }
  for (const kafka::Record& r : records) progress_.Advance(r.partition, r.offset);
}

std::shared_ptr<const DestinationsTable::Destinations> DestinationsTable::snapshot() const {
  absl::MutexLock lock(&mu_);
  return snapshot_;
}

std::optional<delivery::Destination> DestinationsTable::Find(const std::string& key) const {
  auto snap = snapshot();
  auto it = snap->find(key);
  if (it == snap->end()) return std::nullopt;
  return it->second;
}

}  // namespace ww::services
