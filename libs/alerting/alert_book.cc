#include "libs/alerting/alert_book.h"

#include <algorithm>

#include "libs/alerting/evaluate.h"

namespace ww::alerting {

void AlertBook::SaveAlert(const std::string& key) {
  if (alert_undo_.count(key)) return;
  auto it = alerts_.find(key);
  alert_undo_[key] = it == alerts_.end() ? std::nullopt : std::optional<AlertState>(it->second);
}

void AlertBook::SaveView(const std::string& key) {
  if (view_undo_.count(key)) return;
  auto it = views_.find(key);
  view_undo_[key] = it == views_.end() ? std::nullopt : std::optional<SubjectView>(it->second);
}

const SubjectView& AlertBook::See(const std::string& key, const SubjectView& view, int64_t now_ms) {
  SaveView(key);
  auto [it, created] = views_.try_emplace(key, view);
  SubjectView& v = it->second;
  if (!created && view.articles > v.articles) {
    const int64_t last = v.last_ms;
    v = view;
    v.last_ms = last;
  }
  if (v.outlets.size() > kMaxOutlets) v.outlets.resize(kMaxOutlets);
  if (!view.latest_url.empty()) v.latest_url = view.latest_url;
  v.last_ms = std::max(v.last_ms, now_ms);
  return v;
}

std::optional<AlertEvent> AlertBook::Grow(AlertState& st, const SubjectView& view, int64_t now_ms) {
  const bool grew = view.outlet_count > st.view.outlet_count || view.reports > st.view.reports;
  if (!grew) {
    st.view.latest_url = view.latest_url;  // a known outlet's newer copy: said with the next
    return std::nullopt;
  }
  st.view = view;
  const bool reraise = now_ms - st.raised_ms > st.cooldown_ms;
  if (reraise) {
    ++st.epoch;
    st.alert_id = AlertId(st.rule_id, st.subject, st.epoch);
    st.version = 1;
    st.raised_ms = now_ms;
  } else {
    ++st.version;
  }
  return AlertEvent{st, reraise};
}

std::optional<AlertEvent> AlertBook::Fired(const std::string& rule_id, int64_t cooldown_ms,
                                           const std::string& key, const std::string& subject,
                                           const SubjectView& view, int64_t now_ms) {
  const SubjectView& seen = See(key, view, now_ms);
  const std::string alert_key = Key(rule_id, key);
  SaveAlert(alert_key);
  if (auto it = alerts_.find(alert_key); it != alerts_.end()) {
    return Grow(it->second, seen, now_ms);
  }
  AlertState st{rule_id,     key, subject, AlertId(rule_id, subject, 0), 0, 1, now_ms,
                cooldown_ms, "",  seen};
  alerts_[alert_key] = st;
  auto& keys = by_key_[key];
  if (std::find(keys.begin(), keys.end(), alert_key) == keys.end()) keys.push_back(alert_key);
  return AlertEvent{st, true};
}

std::vector<AlertEvent> AlertBook::Carried(const std::string& key, const SubjectView& view,
                                           int64_t now_ms) {
  const SubjectView& seen = See(key, view, now_ms);
  std::vector<AlertEvent> out;
  auto keys = by_key_.find(key);
  if (keys == by_key_.end()) return out;  // no alert yet: the view waits for one
  for (const std::string& alert_key : keys->second) {
    auto it = alerts_.find(alert_key);
    if (it == alerts_.end()) continue;
    SaveAlert(alert_key);
    if (auto ev = Grow(it->second, seen, now_ms)) out.push_back(*std::move(ev));
  }
  return out;
}

void AlertBook::SetPayload(const std::string& rule_id, const std::string& key,
                           std::string payload) {
  const std::string alert_key = Key(rule_id, key);
  auto it = alerts_.find(alert_key);
  if (it == alerts_.end()) return;
  SaveAlert(alert_key);
  it->second.payload = std::move(payload);
}

void AlertBook::Remember(const AlertState& state) {
  const std::string alert_key = Key(state.rule_id, state.key);
  auto it = alerts_.find(alert_key);
  if (it == alerts_.end() || it->second.epoch < state.epoch ||
      (it->second.epoch == state.epoch && it->second.version <= state.version)) {
    alerts_[alert_key] = state;
  }
  auto& keys = by_key_[state.key];
  if (std::find(keys.begin(), keys.end(), alert_key) == keys.end()) keys.push_back(alert_key);
  SubjectView& v = views_[state.key];
  if (state.view.outlet_count >= v.outlet_count && state.view.reports >= v.reports) {
    v = state.view;
  }
}

void AlertBook::Commit(int64_t now_ms) {
  alert_undo_.clear();
  view_undo_.clear();
  // Forget subjects nobody has carried for the retention period.
  std::vector<std::string> old;
  for (const auto& [key, v] : views_) {
    if (now_ms - v.last_ms > retention_ms_) old.push_back(key);
  }
  for (const std::string& key : old) {
    views_.erase(key);
    if (auto k = by_key_.find(key); k != by_key_.end()) {
      for (const auto& alert_key : k->second) alerts_.erase(alert_key);
      by_key_.erase(k);
    }
  }
}

void AlertBook::Rollback() {
  for (auto& [alert_key, old] : alert_undo_) {
    if (old.has_value()) {
      alerts_[alert_key] = *old;
    } else {
      const std::string key = alert_key.substr(alert_key.find('\x1f') + 1);
      alerts_.erase(alert_key);
      auto& keys = by_key_[key];
      keys.erase(std::remove(keys.begin(), keys.end(), alert_key), keys.end());
      if (keys.empty()) by_key_.erase(key);
    }
  }
  for (auto& [key, old] : view_undo_) {
    if (old.has_value()) {
      views_[key] = *old;
    } else {
      views_.erase(key);
    }
  }
  alert_undo_.clear();
  view_undo_.clear();
}

}  // namespace ww::alerting
