#pragma once
// The alerter's stage function. From the tagged topic: evaluates every rule (and, if
// enabled, the implicit "entity is mentioned" rule of each mentioned entity) and publishes
// an Alert for each rule that fires on a story (or copy cluster, for `per: copy` rules) for
// the first time. Every later article of the story (another report, from the tagged topic,
// or a copy, from the duplicates topic) that adds an outlet or a report publishes each alert
// on it again, grown (same id, version + 1), or re-raised past the rule's cooldown.
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

  // An article's story and copy cluster, as the deduper described them.
  struct Subjects {
    std::string story_id, cluster_id;
    alerting::SubjectView story, copy;
  };

 private:
  absl::StatusOr<std::vector<kafka::OutRecord>> Tagged(const kafka::Record& in);
  absl::StatusOr<std::vector<kafka::OutRecord>> Duplicate(const kafka::Record& in);
  // Publishes a grown (or re-raised) alert: its last payload with the new state.
  void Publish(const alerting::AlertEvent& ev, int64_t now_ms, const kafka::Record& in,
               std::vector<kafka::OutRecord>& out);
  // Grows every alert on the article's story and copy cluster.
  void Carried(const Subjects& s, int64_t now_ms, const kafka::Record& in,
               std::vector<kafka::OutRecord>& out);

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
