#include "services/tagger/tag_stage.h"

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "ww/v1/records.pb.h"

namespace ww::services {
namespace {

// The TaggedArticle's first field, its article, as protobuf's wire format writes an
// embedded message: tag (field 1, length-delimited), length, the Article's bytes. The stage
// does not change the article, so the bytes that came in are written out as they are
// (fields of a message may come in any order: the mentions and counts follow it).
void AppendArticleField(std::string_view article, std::string* out) {
  using google::protobuf::internal::WireFormatLite;
  using google::protobuf::io::CodedOutputStream;
  uint8_t head[16];  // a tag and a length: at most 1 + 10 bytes
  uint8_t* end = CodedOutputStream::WriteTagToArray(
      WireFormatLite::MakeTag(ww::v1::TaggedArticle::kArticleFieldNumber,
                              WireFormatLite::WIRETYPE_LENGTH_DELIMITED),
      head);
  end = CodedOutputStream::WriteVarint64ToArray(article.size(), end);
  out->append(reinterpret_cast<const char*>(head), static_cast<size_t>(end - head));
  out->append(article);
}

// What the stage reads of an Article: views into the record's bytes. The text is most of a
// record and the stage never changes it, so it is not copied out (protobuf's parser copied
// it into a string and the stage then copied the record back out).
struct ArticleView {
  std::string_view id, title, text;
};

// Walks the record with protobuf's own reader, as ParseFromString would: every field is
// read or skipped by its wire type, so a truncated or malformed record is refused; the last
// of a repeated singular field wins; the three strings must be valid UTF-8 (proto3).
std::optional<ArticleView> ReadArticle(std::string_view bytes) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  ArticleView v;
  for (uint32_t tag = in.ReadTag(); tag != 0; tag = in.ReadTag()) {
    const int number = WireFormatLite::GetTagFieldNumber(tag);
    std::string_view* field = number == ww::v1::Article::kIdFieldNumber      ? &v.id
                              : number == ww::v1::Article::kTitleFieldNumber ? &v.title
                              : number == ww::v1::Article::kTextFieldNumber  ? &v.text
                                                                             : nullptr;
    if (field == nullptr ||
        WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) return std::nullopt;
      continue;
    }
    uint32_t length = 0;
    if (!in.ReadVarint32(&length)) return std::nullopt;
    const int at = in.CurrentPosition();
    if (!in.Skip(static_cast<int>(length))) return std::nullopt;
    *field = bytes.substr(static_cast<size_t>(at), length);
  }
  // ReadTag gives 0 at the end, and for a zero tag (never valid) before it.
  if (static_cast<size_t>(in.CurrentPosition()) != bytes.size()) return std::nullopt;
  for (const auto& [s, name] :
       {std::pair{v.id, "ww.v1.Article.id"}, std::pair{v.title, "ww.v1.Article.title"},
        std::pair{v.text, "ww.v1.Article.text"}}) {
    if (!WireFormatLite::VerifyUtf8String(s.data(), static_cast<int>(s.size()),
                                          WireFormatLite::PARSE, name)) {
      return std::nullopt;
    }
  }
  return v;
}

}  // namespace

absl::StatusOr<std::vector<kafka::OutRecord>> TagStage::Process(const kafka::Record& in) const {
  // One arena a thread, emptied per record: the messages' strings and the mentions cost no
  // allocation each.
  thread_local google::protobuf::Arena arena;
  arena.Reset();
  const std::optional<ArticleView> article = in.tombstone ? std::nullopt : ReadArticle(in.value);
  if (!article || article->id.empty()) {
    return absl::InvalidArgumentError("not a ww.v1.Article (bad protobuf or missing id)");
  }
  // Everything but the article, which is spliced in from the input (AppendArticleField).
  auto* tagged = google::protobuf::Arena::CreateMessage<ww::v1::TaggedArticle>(&arena);
  MatcherSnapshot snap = matcher_();
  tagged->set_watchlist_version(snap.version);
  if (snap.matcher != nullptr) {
    auto& counts = *tagged->mutable_mention_counts();
    const std::array<std::pair<std::string_view, std::string_view>, 2> fields = {
        {{"title", article->title}, {"text", article->text}}};
    for (const auto& [field, text] : fields) {
      // The mention's strings move into the record (a snippet is ~170 bytes: no copy).
      for (tagging::Mention& m : snap.matcher->FindAll(text)) {
        if (++counts[m.entity_id] > kMaxMentionsPerEntity) continue;
        ww::v1::Mention* out = tagged->add_mentions();
        if (const std::string& name = snap.name(m.entity_id); !name.empty()) {
          out->set_entity_name(name);
        }
        out->set_entity_id(std::move(m.entity_id));
        out->set_alias(std::move(m.alias));
        out->set_field(field.data(), field.size());
        out->set_start(m.start);
        out->set_end(m.end);
        out->set_text(std::move(m.text));
        out->set_snippet(std::move(m.snippet));
      }
    }
  }
  std::string value;
  value.reserve(in.value.size() + 10 + tagged->ByteSizeLong());
  AppendArticleField(in.value, &value);
  tagged->AppendToString(&value);
  kafka::OutRecord out{out_topic_, std::string(article->id), std::move(value)};
  return kafka::OneRecord(std::move(out));
}

}  // namespace ww::services
