#include "services/alerter/alert_stage.h"

#include "absl/time/clock.h"
#include "libs/alerting/evaluate.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

absl::StatusOr<std::vector<kafka::OutRecord>> AlertStage::Process(const kafka::Record& in) const {
  ww::v1::TaggedArticle tagged;
  if (in.tombstone || !tagged.ParseFromString(in.value) || tagged.article().id().empty()) {
    return absl::InvalidArgumentError("not a ww.v1.TaggedArticle (bad protobuf or missing id)");
  }
  const ww::v1::Article& a = tagged.article();
  alerting::TaggedStory story{a.id(), a.cluster_id(), {}};
  for (const ww::v1::Mention& m : tagged.mentions()) {
    story.mentions.push_back(
        {m.entity_id(), m.alias(), m.field(), m.start(), m.end(), m.text(), m.snippet()});
  }
  std::map<std::string, std::string> names;
  for (const ww::v1::Mention& m : tagged.mentions()) names[m.entity_id()] = m.entity_name();

  std::vector<kafka::OutRecord> out;
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  for (const alerting::AlertDecision& d : alerting::Evaluate(story)) {
    ww::v1::Alert alert;
    alert.set_id(d.alert_id);
    alert.set_rule_id(d.rule_id);
    alert.set_entity_id(d.entity_id);
    alert.set_entity_name(names[d.entity_id]);
    for (const alerting::EntityMention& m : d.mentions) {
      ww::v1::Mention* pm = alert.add_mentions();
      pm->set_entity_id(m.entity_id);
      pm->set_entity_name(names[d.entity_id]);
      pm->set_alias(m.alias);
      pm->set_field(m.field);
      pm->set_start(m.start);
      pm->set_end(m.end);
      pm->set_text(m.text);
      pm->set_snippet(m.snippet);
    }
    alert.set_article_id(a.id());
    alert.set_cluster_id(a.cluster_id().empty() ? a.id() : a.cluster_id());
    alert.set_title(a.title());
    alert.set_url(a.url());
    alert.set_source(a.source());
    alert.set_published_unix_ms(a.published_unix_ms());
    alert.set_raised_unix_ms(now_ms);
    alert.set_snippet(d.mentions.empty() ? "" : d.mentions.front().snippet);
    alert.set_severity("info");
    out.push_back({alerts_topic_, alert.id(), alert.SerializeAsString()});
  }
  return out;
}

}  // namespace ww::services
