#pragma once
// The destinations as this notifier knows them: the compacted destinations topic folded into
// a map (key "owner/id"; a tombstone removes). Apply() is called by the one reader thread;
// the rest by any thread. Thread-safe.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "libs/delivery/destination.h"
#include "libs/kafka/record.h"
#include "services/common/table_progress.h"

namespace ww::services {

class DestinationsTable {
 public:
  using Destinations = std::map<std::string, delivery::Destination>;  // by key

  // Records of the destinations topic in offset order. A record that is not a valid
  // destination is skipped with a warning (wwctl validates before writing).
  void Apply(const std::vector<kafka::Record>& records);
  std::shared_ptr<const Destinations> snapshot() const;
  std::optional<delivery::Destination> Find(const std::string& key) const;
  // How far Apply has read (DestinationService answers once its write is read back).
  TableProgress& progress() { return progress_; }

  static std::string Key(const std::string& owner, const std::string& id) {
    return owner + "/" + id;
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const Destinations> snapshot_ ABSL_GUARDED_BY(mu_) =
      std::make_shared<Destinations>();
  TableProgress progress_;
};

}  // namespace ww::services
