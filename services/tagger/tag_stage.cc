#include "services/tagger/tag_stage.h"

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>

#include <array>
#include <string_view>

#include "ww/v1/records.pb.h"

namespace ww::services {
namespace {

// The TaggedArticle's first field, its article, as protobuf's wire format writes an
// embedded message: tag (field 1, length-delimited), length, the Article's bytes. The stage
// does not change the article, so the bytes that came in are written out as they are
// (fields of a message may come in any order: the mentions and counts follow it).
void AppendArticleField(std::string_view article, std::string* out) {
  using google::protobuf::io::CodedOutputStream;
  constexpr uint32_t kLengthDelimited = 2;  // the wire type of an embedded message
  uint8_t head[16];                         // a tag and a length: at most 1 + 10 bytes
  uint8_t* end = CodedOutputStream::WriteTagToArray(
      (ww::v1::TaggedArticle::kArticleFieldNumber << 3) | kLengthDelimited, head);
  end = CodedOutputStream::WriteVarint64ToArray(article.size(), end);
  out->append(reinterpret_cast<const char*>(head), static_cast<size_t>(end - head));
  out->append(article);
}

}  // namespace

absl::StatusOr<std::vector<kafka::OutRecord>> TagStage::Process(const kafka::Record& in) const {
  // One arena a thread, emptied per record: the messages' strings and the mentions cost no
  // allocation each.
  thread_local google::protobuf::Arena arena;
  arena.Reset();
  auto* article = google::protobuf::Arena::CreateMessage<ww::v1::Article>(&arena);
  if (in.tombstone || !article->ParseFromString(in.value) || article->id().empty()) {
    return absl::InvalidArgumentError("not a ww.v1.Article (bad protobuf or missing id)");
  }
  // Everything but the article, which is spliced in from the input (AppendArticleField).
  auto* tagged = google::protobuf::Arena::CreateMessage<ww::v1::TaggedArticle>(&arena);
  MatcherSnapshot snap = matcher_();
  tagged->set_watchlist_version(snap.version);
  if (snap.matcher != nullptr) {
    auto& counts = *tagged->mutable_mention_counts();
    const std::array<std::pair<std::string_view, const std::string*>, 2> fields = {
        {{"title", &article->title()}, {"text", &article->text()}}};
    for (const auto& [field, text] : fields) {
      for (const tagging::Mention& m : snap.matcher->FindAll(*text)) {
        if (++counts[m.entity_id] > kMaxMentionsPerEntity) continue;
        ww::v1::Mention* out = tagged->add_mentions();
        if (const std::string& name = snap.name(m.entity_id); !name.empty()) {
          out->set_entity_name(name);
        }
        out->set_entity_id(m.entity_id);
        out->set_alias(m.alias);
        out->set_field(field.data(), field.size());
        out->set_start(m.start);
        out->set_end(m.end);
        out->set_text(m.text);
        out->set_snippet(m.snippet);
      }
    }
  }
  std::string value;
  value.reserve(in.value.size() + 10 + tagged->ByteSizeLong());
  AppendArticleField(in.value, &value);
  tagged->AppendToString(&value);
  kafka::OutRecord out{out_topic_, article->id(), std::move(value)};
  return std::vector<kafka::OutRecord>{std::move(out)};
}

}  // namespace ww::services
