#include "services/alerter/alert_stage.h"

#include <map>
#include <set>

#include "absl/time/clock.h"
#include "libs/alerting/evaluate.h"
#include "libs/runtime/ids.h"
#include "libs/runtime/log.h"
#include "libs/runtime/metrics.h"
#include "libs/runtime/trace.h"
#include "ww/v1/records.pb.h"

namespace ww::services {
namespace {

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

std::string RuleKey(const alerting::Rule& r) { return r.owner + "/" + r.id; }

// The snippet around the first mention, with the match marked «like this».
std::string MarkedSnippet(const alerting::EntityMention& m) {
  std::string s = m.snippet;
  size_t at = s.find(m.text);
  if (at == std::string::npos || m.text.empty()) return s;
  return s.substr(0, at) + "«" + m.text + "»" + s.substr(at + m.text.size());
}

void ApplyState(const alerting::AlertEvent& ev, int64_t now_ms, ww::v1::Alert& a) {
  a.set_id(ev.state.alert_id);
  a.set_epoch(ev.state.epoch);
  a.set_version(ev.state.version);
  a.set_cooldown_ms(ev.state.cooldown_ms);
  a.set_raised_unix_ms(ev.state.raised_ms);
  a.set_updated_unix_ms(now_ms);
  a.clear_outlets();
  for (const auto& o : ev.state.view.outlets) a.add_outlets(o);
  a.set_outlet_count(ev.state.view.outlet_count);
  a.set_report_count(ev.state.view.reports);
  a.set_latest_url(ev.state.view.latest_url);
}

using Subjects = AlertStage::Subjects;

// What an article record says about its story and its copy cluster (records written before
// stories have no story_*: their story is their cluster; before clusters, the article).
Subjects SubjectsOf(const ww::v1::Article& a) {
  Subjects s;
  s.cluster_id = a.cluster_id().empty() ? a.id() : a.cluster_id();
  s.story_id = a.story_id().empty() ? s.cluster_id : a.story_id();
  s.copy.outlets.assign(a.cluster_sources().begin(), a.cluster_sources().end());
  if (s.copy.outlets.empty() && !a.source().empty()) s.copy.outlets.push_back(a.source());
  s.copy.outlet_count = static_cast<int64_t>(s.copy.outlets.size());
  s.copy.reports = 1;
  s.copy.articles = std::max<int64_t>(a.cluster_articles(), 1);
  s.copy.latest_url = a.url();
  if (a.story_id().empty()) {
    s.story = s.copy;
  } else {
    s.story.outlets.assign(a.story_sources().begin(), a.story_sources().end());
    s.story.outlet_count = std::max<int64_t>(a.story_source_count(), s.story.outlets.size());
    s.story.reports = std::max<uint32_t>(a.story_reports(), 1);
    s.story.articles = std::max<uint32_t>(a.story_articles(), 1);
    s.story.latest_url = a.url();
  }
  return s;
}

std::string KeyOf(alerting::Per per, const Subjects& s) {
  return per == alerting::Per::kCopy ? "copy:" + s.cluster_id : "story:" + s.story_id;
}

}  // namespace

absl::StatusOr<std::vector<kafka::OutRecord>> AlertStage::Process(const kafka::Record& in) {
  if (in.topic == options_.duplicates_topic) return Duplicate(in);
  return Tagged(in);
}

absl::StatusOr<std::vector<kafka::OutRecord>> AlertStage::Tagged(const kafka::Record& in) {
  ww::v1::TaggedArticle tagged;
  if (in.tombstone || !tagged.ParseFromString(in.value) || tagged.article().id().empty()) {
    return absl::InvalidArgumentError("not a ww.v1.TaggedArticle (bad protobuf or missing id)");
  }
  const ww::v1::Article& a = tagged.article();
  // Each tenant's rules see the entities of that tenant's watchlist, by the ids the tenant
  // gave them (mentions carry them qualified: runtime::QualifiedId), and the shared
  // watchlist of the tenant "default" (what is applied without authentication) for the ids
  // the tenant does not define itself. Never another tenant's.
  struct TenantView {
    alerting::TaggedStory story;
    std::map<std::string, std::string> names;  // entity id -> canonical name
  };
  const TenantView no_mentions{{a.id(),
                                a.cluster_id().empty() ? a.id() : a.cluster_id(),
                                a.source(),
                                a.language(),
                                a.title(),
                                a.text(),
                                {}},
                               {}};
  std::map<std::string, std::set<std::string>> owned;  // tenant -> its entities mentioned
  for (const ww::v1::Mention& m : tagged.mentions()) {
    auto [tenant, id] = runtime::SplitQualifiedId(m.entity_id());
    owned[tenant].insert(id);
  }
  std::map<std::string, TenantView> views;
  auto view_of = [&](const std::string& tenant) -> const TenantView& {
    auto [it, fresh] = views.try_emplace(tenant, no_mentions);
    if (!fresh) return it->second;
    const std::set<std::string>& own = owned[tenant];
    for (const ww::v1::Mention& m : tagged.mentions()) {  // in the tagger's (text) order
      auto [owner, id] = runtime::SplitQualifiedId(m.entity_id());
      if (owner != tenant && (owner != runtime::kDefaultTenant || own.count(id))) continue;
      it->second.story.mentions.push_back(
          {id, m.alias(), m.field(), m.start(), m.end(), m.text(), m.snippet()});
      it->second.names[id] = m.entity_name();
    }
    return it->second;
  };
  std::vector<alerting::Rule> rules;
  if (auto explicit_rules = rules_ ? rules_() : nullptr) rules = *explicit_rules;
  if (options_.implicit_entity_rules) {
    for (const auto& [tenant, ids] : owned) {
      for (const std::string& entity : ids) {
        rules.push_back(alerting::ImplicitMentionRule(entity));
        rules.back().owner = tenant;
      }
    }
  }

  std::vector<kafka::OutRecord> out;
  const int64_t now_ms = NowMs();
  const Subjects subjects = SubjectsOf(a);
  for (const alerting::Rule& rule : rules) {
    const TenantView& v = view_of(rule.owner);
    auto name_of = [&v](const std::string& id) {
      auto it = v.names.find(id);
      return it == v.names.end() ? std::string() : it->second;
    };
    alerting::RuleResult result = alerting::EvaluateRule(rule, v.story);
    if (!result.fired) continue;
    const bool per_copy = rule.per == alerting::Per::kCopy;
    const std::string key = KeyOf(rule.per, subjects);
    auto ev = book_.Fired(RuleKey(rule), absl::ToInt64Milliseconds(rule.cooldown), key,
                          per_copy ? subjects.cluster_id : subjects.story_id,
                          per_copy ? subjects.copy : subjects.story, now_ms);
    if (!ev.has_value()) continue;  // this rule already said this about this subject
    if (!ev->raised) {
      // Another report of a story the rule already alerted on: the alert, grown.
      Publish(*ev, now_ms, in, out);
      continue;
    }
    ww::v1::Alert alert;
    alert.set_rule_id(rule.id);
    alert.set_rule_name(rule.name);
    alert.set_owner(rule.owner);
    alert.set_severity(std::string(alerting::SeverityName(rule.severity)));
    alert.set_why(result.why);
    for (const auto& e : result.entities) alert.add_entity_ids(e);
    if (!result.entities.empty()) {
      alert.set_entity_id(result.entities.front());
      alert.set_entity_name(name_of(result.entities.front()));
    }
    for (const alerting::EntityMention& m : result.mentions) {
      ww::v1::Mention* pm = alert.add_mentions();
      pm->set_entity_id(m.entity_id);
      pm->set_entity_name(name_of(m.entity_id));
      pm->set_alias(m.alias);
      pm->set_field(m.field);
      pm->set_start(m.start);
      pm->set_end(m.end);
      pm->set_text(m.text);
      pm->set_snippet(m.snippet);
    }
    if (!result.mentions.empty()) alert.set_snippet(MarkedSnippet(result.mentions.front()));
    int64_t mention_count = 0;
    for (const auto& e : result.entities) {
      const std::string qualified = runtime::QualifiedId(
          owned[rule.owner].count(e) ? rule.owner : runtime::kDefaultTenant, e);
      auto it = tagged.mention_counts().find(qualified);
      if (it != tagged.mention_counts().end()) {
        mention_count += it->second;
      } else {  // tagged before the counts existed: what it carries is all there was
        for (const ww::v1::Mention& m : tagged.mentions()) {
          mention_count += m.entity_id() == qualified;
        }
      }
    }
    alert.set_mention_count(mention_count);
    alert.set_article_id(a.id());
    alert.set_cluster_id(subjects.cluster_id);
    alert.set_story_id(subjects.story_id);
    alert.set_story_headline(a.story_headline().empty() ? a.title() : a.story_headline());
    alert.set_per(per_copy ? "copy" : "story");
    alert.set_title(a.title());
    alert.set_url(a.url());
    alert.set_source(a.source());
    alert.set_published_unix_ms(a.published_unix_ms());
    ApplyState(*ev, now_ms, alert);
    std::string value = alert.SerializeAsString();
    book_.SetPayload(ev->state.rule_id, ev->state.key, value);
    NoteRaised(alert, in);
    out.push_back({options_.alerts_topic, alert.id(), std::move(value)});
  }
  // The article also grows the alerts of rules that did not fire on it: its story is theirs.
  Carried(subjects, now_ms, in, out);
  return out;
}

void AlertStage::Publish(const alerting::AlertEvent& ev, int64_t now_ms, const kafka::Record& in,
                         std::vector<kafka::OutRecord>& out) {
  ww::v1::Alert alert;
  if (!alert.ParseFromString(ev.state.payload)) return;
  ApplyState(ev, now_ms, alert);
  if (ev.raised) NoteRaised(alert, in);
  std::string value = alert.SerializeAsString();
  book_.SetPayload(ev.state.rule_id, ev.state.key, value);
  out.push_back({options_.alerts_topic, alert.id(), std::move(value)});
}

void AlertStage::Carried(const Subjects& s, int64_t now_ms, const kafka::Record& in,
                         std::vector<kafka::OutRecord>& out) {
  for (const auto& [key, view] :
       {std::pair{"story:" + s.story_id, &s.story}, std::pair{"copy:" + s.cluster_id, &s.copy}}) {
    for (const alerting::AlertEvent& ev : book_.Carried(key, *view, now_ms)) {
      Publish(ev, now_ms, in, out);
    }
  }
}

absl::StatusOr<std::vector<kafka::OutRecord>> AlertStage::Duplicate(const kafka::Record& in) {
  ww::v1::Article copy;
  if (in.tombstone || !copy.ParseFromString(in.value) || copy.cluster_id().empty()) {
    return absl::InvalidArgumentError("not a ww.v1.Article with a cluster id (bad protobuf)");
  }
  std::vector<kafka::OutRecord> out;
  Carried(SubjectsOf(copy), NowMs(), in, out);
  return out;
}

void AlertStage::Remember(const kafka::Record& r) {
  ww::v1::Alert a;
  if (r.tombstone || !a.ParseFromString(r.value)) return;
  // Alerts from before stories ("" per) were per copy cluster.
  const bool per_story = a.per() == "story";
  const std::string subject = per_story ? a.story_id() : a.cluster_id();
  alerting::SubjectView view;
  view.outlets.assign(a.outlets().begin(), a.outlets().end());
  view.outlet_count = a.outlet_count();
  view.reports = std::max<int64_t>(a.report_count(), 1);
  view.latest_url = a.latest_url();
  view.last_ms = a.updated_unix_ms();
  alerting::AlertState st{a.owner() + "/" + a.rule_id(),
                          (per_story ? "story:" : "copy:") + subject,
                          subject,
                          a.id(),
                          a.epoch(),
                          a.version(),
                          a.raised_unix_ms(),
                          a.cooldown_ms(),
                          r.value,
                          view};
  book_.Remember(st);
}

void AlertStage::NoteRaised(const ww::v1::Alert& alert, const kafka::Record& in) {
  std::string trace_id;
  if (auto tp = in.header(runtime::kTraceparentHeader)) {
    if (auto t = runtime::TraceContext::Parse(*tp)) trace_id = t->trace_id;
  }
  raised_.push_back({alert.rule_id(), alert.severity(), alert.id(), alert.article_id(), trace_id});
}

void AlertStage::Commit() {
  book_.Commit(NowMs());
  static const runtime::Logger log("alerter");
  for (const Raised& r : raised_) {
    runtime::Metrics::Default()
        .counter("ww_alerts_raised_total", "alerts raised (not updates), by rule and severity",
                 {{"rule", r.rule}, {"severity", r.severity}})
        .Increment();
    log.Info("alert raised", {{"alert", r.alert_id},
                              {"rule", r.rule},
                              {"severity", r.severity},
                              {"article", r.article_id},
                              {"trace_id", r.trace_id}});
  }
  raised_.clear();
}

}  // namespace ww::services
