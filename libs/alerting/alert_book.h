#pragma once
// The alerter's memory of the alerts it raised, per rule and subject (a story, or a copy
// cluster for `per: copy` rules), and of what the deduper last said about each subject. It
// turns "a rule fired on an article" and "another article of a subject arrived" into what
// to publish: a new alert, or an update of the existing one (same id, version + 1, more
// outlets or independent reports). Within a rule's cooldown a subject raises one alert,
// updated as it grows; growth after the cooldown re-raises it as a new alert (a new epoch,
// a new id): the story is still developing.
//
// What a subject is (outlets, reports) comes from the deduper, on every article record
// (cluster_* and story_* fields: libs/stories); records reach the alerter by two topics in
// no fixed order, so the book keeps the furthest view of each subject (the one with the
// most articles) and alerts say that.
//
// Every change is journalled so a stage can undo what an aborted transaction did
// (Rollback) or keep it (Commit). Not thread-safe: one stage loop owns it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace ww::alerting {

// A story or copy cluster as the deduper described it in one article record.
struct SubjectView {
  std::vector<std::string> outlets;  // distinct sources, in arrival order (capped)
  int64_t outlet_count = 0;          // distinct sources in all
  int64_t reports = 1;               // independent reports (1 for a copy cluster)
  int64_t articles = 0;              // articles so far: orders views of one subject
  std::string latest_url;
  int64_t last_ms = 0;
};

struct AlertState {
  std::string rule_id;
  std::string key;      // the subject, namespaced: "story:<id>" or "copy:<cluster id>"
  std::string subject;  // the story or cluster id: the alert id is made from it
  std::string alert_id;
  int64_t epoch = 0;
  int64_t version = 0;    // 1 when raised, +1 per update
  int64_t raised_ms = 0;  // when this epoch was raised
  int64_t cooldown_ms = 0;
  std::string payload;  // the alert as last published (opaque here)
  SubjectView view;     // what the alert last said about its subject
};

// What to publish.
struct AlertEvent {
  AlertState state;
  bool raised = false;  // a new alert (or a re-raise), not an update
};

class AlertBook {
  static constexpr int64_t kWeek = int64_t{7} * 24 * 3600 * 1000;

 public:
  static constexpr size_t kMaxOutlets = 200;

  // Subjects untouched for `retention_ms` are forgotten (default: 7 days).
  explicit AlertBook(int64_t retention_ms = kWeek) : retention_ms_(retention_ms) {}

  // A rule fired on an article of subject `key`. A new alert; or, when the rule already
  // alerted on the subject, its update (or re-raise past the cooldown) if the subject grew
  // (more outlets or reports) since; nullopt when there is nothing new to say (a replay).
  std::optional<AlertEvent> Fired(const std::string& rule_id, int64_t cooldown_ms,
                                  const std::string& key, const std::string& subject,
                                  const SubjectView& view, int64_t now_ms);

  // Another article of subject `key` (a copy, or a report no rule fired on): an update (or
  // re-raise) of every alert on it that the subject outgrew. A known outlet only moves
  // latest_url, silently.
  std::vector<AlertEvent> Carried(const std::string& key, const SubjectView& view, int64_t now_ms);

  // Stores what was published for the alert (kept with the state, rolled back with it).
  void SetPayload(const std::string& rule_id, const std::string& key, std::string payload);

  // Rebuilds from an alert read back from the alerts topic (on start).
  void Remember(const AlertState& state);

  void Commit(int64_t now_ms);
  void Rollback();
  size_t alerts() const { return alerts_.size(); }

 private:
  static std::string Key(const std::string& rule, const std::string& key) {
    return rule + '\x1f' + key;
  }
  // Merges `view` into the furthest view of `key` and returns that.
  const SubjectView& See(const std::string& key, const SubjectView& view, int64_t now_ms);
  // Advances an alert to `view`: nullopt when the subject has not grown.
  std::optional<AlertEvent> Grow(AlertState& st, const SubjectView& view, int64_t now_ms);
  // Records the old value of a key before its first change in this batch.
  void SaveAlert(const std::string& key);
  void SaveView(const std::string& key);

  int64_t retention_ms_;
  absl::flat_hash_map<std::string, AlertState> alerts_;                // by rule + subject
  absl::flat_hash_map<std::string, std::vector<std::string>> by_key_;  // subject -> alerts
  absl::flat_hash_map<std::string, SubjectView> views_;                // by subject
  absl::flat_hash_map<std::string, std::optional<AlertState>> alert_undo_;
  absl::flat_hash_map<std::string, std::optional<SubjectView>> view_undo_;
};

}  // namespace ww::alerting
