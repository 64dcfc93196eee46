#pragma once
// The alerter's stage function. From the tagged topic: evaluates every rule (and, if
// enabled, the implicit "entity is mentioned" rule of each mentioned entity) and publishes
// an Alert for each rule that fires on a story for the first time. From the duplicates
// topic: another outlet carried a story, so each alert on it is published again updated
// (same id, version + 1, one more outlet), or re-raised past the rule's cooldown.
// Not thread-safe: one stage loop owns it.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/alerting/alert_book.h"
#include "libs/alerting/rule.h"
#include "libs/kafka/record.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

struct AlertStageOptions {
  std::string alerts_topic;
  std::string tagged_topic;
  std::string duplicates_topic;
  bool implicit_entity_rules = true;
};

class AlertStage {
 public:
  using RulesFn = std::function<std::shared_ptr<const std::vector<alerting::Rule>>()>;
  AlertStage(AlertStageOptions options, RulesFn rules)
      : options_(std::move(options)), rules_(std::move(rules)) {}

  // InvalidArgument for a record that cannot be decoded (it goes to the dead letters).
  absl::StatusOr<std::vector<kafka::OutRecord>> Process(const kafka::Record& in);

  // Rebuilds the book from an alert record read back from the alerts topic (on start).
  void Remember(const kafka::Record& alert_record);
  void Commit();
  void Rollback() {
    book_.Rollback();
    raised_.clear();
  }
  size_t alerts() const { return book_.alerts(); }

 private:
  absl::StatusOr<std::vector<kafka::OutRecord>> Tagged(const kafka::Record& in);
  absl::StatusOr<std::vector<kafka::OutRecord>> Duplicate(const kafka::Record& in);

  AlertStageOptions options_;
  RulesFn rules_;
  alerting::AlertBook book_;
  // Alerts raised in the open transaction: counted and logged (with the article's trace id)
  // once it commits.
  struct Raised {
    std::string rule, severity, alert_id, article_id, trace_id;
  };
  void NoteRaised(const ww::v1::Alert& alert, const kafka::Record& in);
  std::vector<Raised> raised_;
};

}  // namespace ww::services
