#pragma once
// Building Article records from what the ingestor receives (a pushed article, a feed item).
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/feeds/feed.h"
#include "libs/kafka/record.h"
#include "libs/runtime/trace.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

struct ArticleLimits {
  size_t max_text_bytes = 1 << 20;
  size_t max_title_bytes = 4096;
};

// Validates and completes a pushed article: canonical URL, content hash, ingest time and
// the deterministic id (from the canonical URL, else from source and content).
// InvalidArgument names the field that is wrong.
absl::StatusOr<ww::v1::Article> MakeArticle(ww::v1::Article article, const ArticleLimits& limits);

// The article for one feed item.
ww::v1::Article ArticleFromFeedItem(const feeds::FeedItem& item, const std::string& feed_url,
                                    const std::string& source);

// The raw-topic record of an article: keyed by its id, with the W3C `traceparent` that
// follows it through the pipeline (a child of `parent` when the submitter sent one, else a
// new trace) and its ingest time (ww-ingested-ms) in headers.
kafka::OutRecord ArticleRecord(const std::string& topic, const ww::v1::Article& article,
                               const std::optional<runtime::TraceContext>& parent = std::nullopt);

// Counts an article published to the raw topic, by how it came ("submit" or "feed"):
// ww_articles_published_total{via}. Call with n = 0 to show the series before any arrives.
void CountPublished(const std::string& via, uint64_t n = 1);

}  // namespace ww::services
