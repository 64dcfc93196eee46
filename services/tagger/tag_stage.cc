#include "services/tagger/tag_stage.h"

#include "ww/v1/records.pb.h"

namespace ww::services {

absl::StatusOr<std::vector<kafka::OutRecord>> TagStage::Process(const kafka::Record& in) const {
  ww::v1::TaggedArticle tagged;
  if (in.tombstone || !tagged.mutable_article()->ParseFromString(in.value) ||
      tagged.article().id().empty()) {
    return absl::InvalidArgumentError("not a ww.v1.Article (bad protobuf or missing id)");
  }
  MatcherSnapshot snap = matcher_();
  tagged.set_watchlist_version(snap.version);
  if (snap.matcher != nullptr) {
    auto& counts = *tagged.mutable_mention_counts();
    for (const auto& [field, text] :
         {std::pair<std::string, const std::string*>{"title", &tagged.article().title()},
          {"text", &tagged.article().text()}}) {
      for (tagging::Mention& m : snap.matcher->FindAll(*text)) {  // moved into the record
        if (++counts[m.entity_id] > kMaxMentionsPerEntity) continue;
        ww::v1::Mention* out = tagged.add_mentions();
        if (const std::string& name = snap.name(m.entity_id); !name.empty()) {
          out->set_entity_name(name);
        }
        out->set_entity_id(std::move(m.entity_id));
        out->set_alias(std::move(m.alias));
        out->set_field(field);
        out->set_start(m.start);
        out->set_end(m.end);
        out->set_text(std::move(m.text));
        out->set_snippet(std::move(m.snippet));
      }
    }
  }
  kafka::OutRecord out{out_topic_, tagged.article().id(), tagged.SerializeAsString()};
  return std::vector<kafka::OutRecord>{std::move(out)};
}

}  // namespace ww::services
