#include "services/ingestor/articles.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/dedup/fingerprint.h"
#include "libs/feeds/url.h"
#include "libs/runtime/ids.h"
#include "libs/runtime/metrics.h"

namespace ww::services {

absl::StatusOr<ww::v1::Article> MakeArticle(ww::v1::Article a, const ArticleLimits& limits) {
  if (a.text().empty() && a.title().empty()) {
    return absl::InvalidArgumentError("article has neither title nor text");
  }
  if (a.text().size() > limits.max_text_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("text is ", a.text().size(), " bytes; the limit is ", limits.max_text_bytes));
  }
  if (a.title().size() > limits.max_title_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "title is ", a.title().size(), " bytes; the limit is ", limits.max_title_bytes));
  }
  if (!a.url().empty()) {
    if (!absl::StrContains(a.url(), "://")) {
      return absl::InvalidArgumentError(absl::StrCat("url '", a.url(), "' is not absolute"));
    }
    a.set_url(feeds::CanonicalUrl(a.url()));
  }
  if (a.source().empty()) a.set_source("unknown");
  a.set_content_hash(dedup::ContentHash(a.text().empty() ? a.title() : a.text()));
  a.set_ingested_unix_ms(absl::ToUnixMillis(absl::Now()));
  a.set_id(a.url().empty() ? runtime::DeterministicId("ar", {a.source(), a.content_hash()})
                           : runtime::DeterministicId("ar", {a.url()}));
  return a;
}

ww::v1::Article ArticleFromFeedItem(const feeds::FeedItem& item, const std::string& feed_url,
                                    const std::string& source) {
  ww::v1::Article a;
  a.set_title(item.title);
  a.set_text(item.text);
  a.set_url(item.url);
  a.set_source(source);
  a.set_feed_id(runtime::DeterministicId("fd", {feed_url}));
  if (item.published.has_value()) a.set_published_unix_ms(absl::ToUnixMillis(*item.published));
  return a;
}

kafka::OutRecord ArticleRecord(const std::string& topic, const ww::v1::Article& article,
                               const std::optional<runtime::TraceContext>& parent) {
  const runtime::TraceContext trace =
      parent ? parent->Child("ingestor") : runtime::TraceContext::NewRoot(article.id());
  kafka::OutRecord r{topic, article.id(), article.SerializeAsString()};
  r.headers.push_back({std::string(runtime::kTraceparentHeader), trace.ToString()});
  r.headers.push_back(
      {std::string(kafka::kHeaderIngestedMs), absl::StrCat(article.ingested_unix_ms())});
  return r;
}

void CountPublished(const std::string& via, uint64_t n) {
  runtime::Metrics::Default()
      .counter("ww_articles_published_total",
               "articles published to the raw topic, by how they came", {{"via", via}})
      .Increment(static_cast<double>(n));
}

}  // namespace ww::services
