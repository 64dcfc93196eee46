#include "services/deduper/dedup_stage.h"

#include "absl/time/clock.h"
#include "libs/dedup/fingerprint.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

absl::StatusOr<std::vector<kafka::OutRecord>> DedupStage::Process(const kafka::Record& in) {
  ww::v1::Article article;
  if (in.tombstone || !article.ParseFromString(in.value) || article.id().empty()) {
    return absl::InvalidArgumentError("not a ww.v1.Article (bad protobuf or missing id)");
  }
  if (article.content_hash().empty()) article.set_content_hash(dedup::ContentHash(article.text()));
  int64_t now_ms = absl::ToUnixMillis(absl::Now());
  auto first = window_.CheckAndAdd(article.url(), article.content_hash(),
                                   {article.id(), article.id(), now_ms}, now_ms);
  kafka::OutRecord out;
  out.key = article.id();
  if (first.has_value()) {
    if (first->article_id == article.id()) return std::vector<kafka::OutRecord>{};  // redelivery
    article.set_cluster_id(first->cluster_id);
    out.topic = duplicates_topic_;
    out.headers.push_back({"ww-duplicate-of", first->article_id});
  } else {
    article.set_cluster_id(article.id());
    out.topic = unique_topic_;
  }
  out.value = article.SerializeAsString();
  return std::vector<kafka::OutRecord>{std::move(out)};
}

void DedupStage::Remember(const kafka::Record& r) {
  ww::v1::Article article;
  if (r.tombstone || !article.ParseFromString(r.value)) return;
  window_.Add(article.url(), article.content_hash(),
              {article.id(), article.cluster_id(), r.timestamp_ms});
}

}  // namespace ww::services
