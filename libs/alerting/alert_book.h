#pragma once
// The alerter's memory of the alerts it raised, per rule and story (dedup cluster), and of
// the outlets that carried each story. It turns "a rule fired on a story" and "another
// outlet carried a story" into what to publish: a new alert, or an update of the existing
// one (same id, version + 1, more outlets). Within a rule's cooldown a story raises one
// alert, updated as copies arrive; a copy arriving after the cooldown re-raises it as a new
// alert (a new epoch, a new id): the story is still developing.
//
// Every change is journalled so a stage can undo what an aborted transaction did
// (Rollback) or keep it (Commit). Not thread-safe: one stage loop owns it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace ww::alerting {

struct AlertState {
  std::string rule_id;
  std::string cluster_id;
  std::string alert_id;
  int64_t epoch = 0;
  int64_t version = 0;    // 1 when raised, +1 per update
  int64_t raised_ms = 0;  // when this epoch was raised
  int64_t cooldown_ms = 0;
  std::string payload;  // the alert as last published (opaque here)
};

struct StoryOutlets {
  std::vector<std::string> outlets;  // first kMaxOutlets distinct sources, in arrival order
  int64_t count = 0;                 // distinct sources in all
  std::string latest_url;
  int64_t last_ms = 0;
};

// What to publish.
struct AlertEvent {
  AlertState state;
  StoryOutlets story;
  bool raised = false;  // a new alert (or a re-raise), not an update
};

class AlertBook {
 public:
  static constexpr size_t kMaxOutlets = 200;

  // Entries untouched for `retention_ms` are forgotten (default: 7 days).
  explicit AlertBook(int64_t retention_ms = int64_t{7} * 24 * 3600 * 1000)
      : retention_ms_(retention_ms) {}

  // A rule fired on a story. nullopt when this rule already alerted on this story (a
  // redelivery or replay): nothing new to say.
  std::optional<AlertEvent> Fired(const std::string& rule_id, int64_t cooldown_ms,
                                  const std::string& cluster_id, const std::string& source,
                                  const std::string& url, int64_t now_ms);

  // Another outlet carried the story: one event per alert on it (an update, or a re-raise
  // past the cooldown). A source already counted only updates latest_url, silently.
  std::vector<AlertEvent> Copied(const std::string& cluster_id, const std::string& source,
                                 const std::string& url, int64_t now_ms);

  // Stores what was published for the alert (kept with the state, rolled back with it).
  void SetPayload(const std::string& rule_id, const std::string& cluster_id, std::string payload);

  // Rebuilds from an alert read back from the alerts topic (on start).
  void Remember(const AlertState& state, const StoryOutlets& story);

  void Commit(int64_t now_ms);
  void Rollback();
  size_t alerts() const { return alerts_.size(); }

 private:
  static std::string Key(const std::string& rule, const std::string& cluster) {
    return rule + '\x1f' + cluster;
  }
  // Records the old value of a key before its first change in this batch.
  void SaveAlert(const std::string& key);
  void SaveStory(const std::string& cluster);
  bool AddOutlet(StoryOutlets& s, const std::string& source, const std::string& url, int64_t now);

  int64_t retention_ms_;
  absl::flat_hash_map<std::string, AlertState> alerts_;                    // by rule+cluster
  absl::flat_hash_map<std::string, std::vector<std::string>> by_cluster_;  // cluster -> keys
  absl::flat_hash_map<std::string, StoryOutlets> stories_;                 // by cluster
  absl::flat_hash_map<std::string, std::optional<AlertState>> alert_undo_;
  absl::flat_hash_map<std::string, std::optional<StoryOutlets>> story_undo_;
};

}  // namespace ww::alerting
