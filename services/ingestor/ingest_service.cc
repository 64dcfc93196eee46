#include "services/ingestor/ingest_service.h"

#include <algorithm>

#include "libs/rpc/auth.h"
#include "libs/rpc/limits.h"
#include "libs/rpc/server.h"
#include "libs/runtime/log.h"

namespace ww::services {

grpc::Status IngestServiceImpl::Submit(grpc::ServerContext* ctx, const ww::v1::SubmitRequest* req,
                                       ww::v1::SubmitResponse* resp) {
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  if (grpc::Status s = submits_.Take(caller.tenant); !s.ok()) return s;
  ww::v1::Article a;
  a.set_title(req->title());
  a.set_text(req->text());
  a.set_url(req->url());
  a.set_source(req->source());
  a.set_published_unix_ms(req->published_unix_ms());
  a.set_language(req->language());
  auto article = MakeArticle(std::move(a), limits_);
  if (!article.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        std::string(article.status().message()));
  }
  // A caller that traces its own work sends W3C `traceparent` metadata: the article's
  // trace continues it.
  std::optional<runtime::TraceContext> parent;
  const auto& meta = ctx->client_metadata();
  if (auto it = meta.find(std::string(runtime::kTraceparentHeader)); it != meta.end()) {
    parent = runtime::TraceContext::Parse(std::string_view(it->second.data(), it->second.size()));
  }
  const kafka::OutRecord record = ArticleRecord(raw_topic_, *article, parent);
  auto sent = producer_->Send(record);
  if (!sent.ok()) {
    // While Kafka is away every submit fails alike: a line a second, with the count.
    static runtime::LogLimiter limiter;
    if (int64_t held_back = 0; limiter.Allow(&held_back)) {
      runtime::Logger("ingestor")
          .Error("cannot publish article",
                 {{"error", sent.status().ToString()}, {"same_errors_not_logged", held_back}});
    }
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(sent.status().message()));
  }
  CountPublished("submit");
  const std::string& traceparent = record.headers.front().value;  // ArticleRecord puts it first
  runtime::Logger("ingestor")
      .Info("article published", {{"id", article->id()}, {"traceparent", traceparent}});
  resp->set_article_id(article->id());
  return grpc::Status::OK;
}

namespace {
const grpc::Status kNoPoller(grpc::StatusCode::UNIMPLEMENTED, "feed polling is not enabled");
}  // namespace

grpc::Status IngestServiceImpl::AddFeed(grpc::ServerContext* ctx, const ww::v1::AddFeedRequest* req,
                                        ww::v1::FeedState* resp) {
  if (poller_ == nullptr) return kNoPoller;
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  // A new feed of the tenant's, against its limit (a feed it has already costs nothing).
  const std::vector<ww::v1::FeedState> own = poller_->ListFeeds(caller.tenant);
  const std::string id = FeedIdOf(req->url());
  const bool known =
      std::any_of(own.begin(), own.end(), [&](const ww::v1::FeedState& f) { return f.id() == id; });
  if (!known) {
    if (grpc::Status s =
            rpc::CheckCount(caller.tenant, "feeds", static_cast<int64_t>(own.size()) + 1,
                            max_feeds_, "--tenant_max_feeds");
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<ww::v1::FeedState> added = poller_->AddFeed(req->url(), caller.tenant);
  if (!added.ok()) return rpc::ToGrpc(added.status());
  *resp = std::move(*added);
  resp->clear_seen_item_ids();
  resp->clear_owners();
  return grpc::Status::OK;
}

grpc::Status IngestServiceImpl::RemoveFeed(grpc::ServerContext* ctx,
                                           const ww::v1::RemoveFeedRequest* req,
                                           ww::v1::RemoveFeedResponse* resp) {
  if (poller_ == nullptr) return kNoPoller;
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  absl::StatusOr<std::string> id =
      poller_->RemoveFeed(req->id().empty() ? req->url() : req->id(), caller.tenant);
  if (!id.ok()) return rpc::ToGrpc(id.status());
  resp->set_id(*id);
  return grpc::Status::OK;
}

grpc::Status IngestServiceImpl::ListFeeds(grpc::ServerContext* ctx, const ww::v1::ListFeedsRequest*,
                                          ww::v1::ListFeedsResponse* resp) {
  if (poller_ == nullptr) return kNoPoller;
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  for (ww::v1::FeedState& s : poller_->ListFeeds(caller.tenant)) *resp->add_feeds() = std::move(s);
  return grpc::Status::OK;
}

}  // namespace ww::services
