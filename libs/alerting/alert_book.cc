#include "libs/alerting/alert_book.h"

#include <algorithm>

#include "libs/alerting/evaluate.h"

namespace ww::alerting {

void AlertBook::SaveAlert(const std::string& key) {
  if (alert_undo_.count(key)) return;
  auto it = alerts_.find(key);
  alert_undo_[key] = it == alerts_.end() ? std::nullopt : std::optional<AlertState>(it->second);
}

void AlertBook::SaveStory(const std::string& cluster) {
  if (story_undo_.count(cluster)) return;
  auto it = stories_.find(cluster);
  story_undo_[cluster] =
      it == stories_.end() ? std::nullopt : std::optional<StoryOutlets>(it->second);
}

bool AlertBook::AddOutlet(StoryOutlets& s, const std::string& source, const std::string& url,
                          int64_t now) {
  if (!url.empty()) s.latest_url = url;
  s.last_ms = std::max(s.last_ms, now);
  if (std::find(s.outlets.begin(), s.outlets.end(), source) != s.outlets.end()) return false;
  ++s.count;
  if (s.outlets.size() < kMaxOutlets) s.outlets.push_back(source);
  return true;
}

std::optional<AlertEvent> AlertBook::Fired(const std::string& rule_id, int64_t cooldown_ms,
                                           const std::string& cluster_id, const std::string& source,
                                           const std::string& url, int64_t now_ms) {
  const std::string key = Key(rule_id, cluster_id);
  if (alerts_.count(key)) return std::nullopt;
  SaveAlert(key);
  SaveStory(cluster_id);
  StoryOutlets& story = stories_[cluster_id];
  AddOutlet(story, source, url, now_ms);
  AlertState st{rule_id,     cluster_id, AlertId(rule_id, cluster_id, 0), 0, 1, now_ms,
                cooldown_ms, ""};
  alerts_[key] = st;
  auto& keys = by_cluster_[cluster_id];
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  return AlertEvent{st, story, true};
}

std::vector<AlertEvent> AlertBook::Copied(const std::string& cluster_id, const std::string& source,
                                          const std::string& url, int64_t now_ms) {
  SaveStory(cluster_id);
  StoryOutlets& story = stories_[cluster_id];
  bool new_outlet = AddOutlet(story, source, url, now_ms);
  std::vector<AlertEvent> out;
  if (!new_outlet) return out;
  auto keys = by_cluster_.find(cluster_id);
  if (keys == by_cluster_.end()) return out;  // no alert yet: the outlets wait for one
  for (const std::string& key : keys->second) {
    auto it = alerts_.find(key);
    if (it == alerts_.end()) continue;
    SaveAlert(key);
    AlertState& st = it->second;
    bool reraise = now_ms - st.raised_ms > st.cooldown_ms;
    if (reraise) {
      ++st.epoch;
      st.alert_id = AlertId(st.rule_id, st.cluster_id, st.epoch);
      st.version = 1;
      st.raised_ms = now_ms;
    } else {
      ++st.version;
    }
    out.push_back({st, story, reraise});
  }
  return out;
}

void AlertBook::SetPayload(const std::string& rule_id, const std::string& cluster_id,
                           std::string payload) {
  const std::string key = Key(rule_id, cluster_id);
  auto it = alerts_.find(key);
  if (it == alerts_.end()) return;
  SaveAlert(key);
  it->second.payload = std::move(payload);
}

void AlertBook::Remember(const AlertState& state, const StoryOutlets& story) {
  const std::string key = Key(state.rule_id, state.cluster_id);
  auto it = alerts_.find(key);
  if (it == alerts_.end() || it->second.epoch < state.epoch ||
      (it->second.epoch == state.epoch && it->second.version <= state.version)) {
    alerts_[key] = state;
  }
  auto& keys = by_cluster_[state.cluster_id];
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  StoryOutlets& s = stories_[state.cluster_id];
  if (story.count >= s.count) s = story;
}

void AlertBook::Commit(int64_t now_ms) {
  alert_undo_.clear();
  story_undo_.clear();
  // Forget stories nobody has carried for the retention period.
  std::vector<std::string> old;
  for (const auto& [cluster, s] : stories_) {
    if (now_ms - s.last_ms > retention_ms_) old.push_back(cluster);
  }
  for (const std::string& cluster : old) {
    stories_.erase(cluster);
    if (auto k = by_cluster_.find(cluster); k != by_cluster_.end()) {
      for (const auto& key : k->second) alerts_.erase(key);
      by_cluster_.erase(k);
    }
  }
}

void AlertBook::Rollback() {
  for (auto& [key, old] : alert_undo_) {
    if (old.has_value()) {
      alerts_[key] = *old;
    } else {
      const std::string cluster = key.substr(key.find('\x1f') + 1);
      alerts_.erase(key);
      auto& keys = by_cluster_[cluster];
      keys.erase(std::remove(keys.begin(), keys.end(), key), keys.end());
      if (keys.empty()) by_cluster_.erase(cluster);
    }
  }
  for (auto& [cluster, old] : story_undo_) {
    if (old.has_value()) {
      stories_[cluster] = *old;
    } else {
      stories_.erase(cluster);
    }
  }
  alert_undo_.clear();
  story_undo_.clear();
}

}  // namespace ww::alerting
