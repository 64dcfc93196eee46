#include "services/alerter/rules_table.h"

#include "libs/runtime/log.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

void RulesTable::Apply(const std::vector<kafka::Record>& records) {
  if (records.empty()) return;
  {
    absl::MutexLock lock(&mu_);
    for (const kafka::Record& r : records) {
      if (r.tombstone) {
        rules_.erase(r.key);
        continue;
      }
      ww::v1::Rule stored;
      if (!stored.ParseFromString(r.value)) {
        runtime::Logger("alerter.rules")
            .Warn("skipping a record that is not a Rule", {{"key", r.key}});
        continue;
      }
      auto rule = alerting::ParseRuleYaml(stored.yaml(), stored.owner());
      if (!rule.ok()) {
        runtime::Logger("alerter.rules")
            .Warn("skipping an invalid stored rule",
                  {{"key", r.key}, {"error", rule.status().ToString()}});
        continue;
      }
      rules_[r.key] = std::move(*rule);
    }
    auto snap = std::make_shared<Rules>();
    for (const auto& [k, rule] : rules_) snap->push_back(rule);
    snapshot_ = std::move(snap);
  }
  for (const kafka::Record& r : records) progress_.Advance(r.partition, r.offset);
}

std::shared_ptr<const RulesTable::Rules> RulesTable::snapshot() const {
  absl::MutexLock lock(&mu_);
  return snapshot_;
}

}  // namespace ww::services
