#pragma once
// The alert rules as this alerter replica knows them: the compacted rules topic folded into
// a map (key "owner/id"; a tombstone deletes). Apply() is called by the one reader thread;
// snapshot() by any thread. Thread-safe.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "libs/alerting/rule.h"
#include "libs/kafka/record.h"
#include "services/common/table_progress.h"

namespace ww::services {

class RulesTable {
 public:
  using Rules = std::vector<alerting::Rule>;

  void Apply(const std::vector<kafka::Record>& records);
  std::shared_ptr<const Rules> snapshot() const;
  TableProgress& progress() { return progress_; }

  static std::string Key(const std::string& owner, const std::string& id) {
    return owner + "/" + id;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, alerting::Rule> rules_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const Rules> snapshot_ ABSL_GUARDED_BY(mu_) = std::make_shared<Rules>();
  TableProgress progress_;
};

}  // namespace ww::services
