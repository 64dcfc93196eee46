#pragma once
// Building Article records from what the ingestor receives (a pushed article, a feed item).
#include <string>

#include "absl/status/statusor.h"
#include "libs/feeds/feed.h"
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

}  // namespace ww::services
