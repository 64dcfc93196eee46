#pragma once
// IngestService over gRPC: Submit publishes one article to the raw topic; AddFeed, RemoveFeed
// and ListFeeds manage the feeds the poller owns (state on the feeds topic). Thread-safe.
#include <string>

#include "libs/kafka/producer.h"
#include "libs/rpc/limits.h"
#include "services/ingestor/articles.h"
#include "services/ingestor/feed_poller.h"
#include "ww/v1/ingest.grpc.pb.h"

namespace ww::services {

class IngestServiceImpl final : public ww::v1::IngestService::Service {
 public:
  IngestServiceImpl(kafka::Producer* producer, std::string raw_topic, ArticleLimits limits,
                    FeedPoller* poller = nullptr, rpc::TenantLimits tenant_limits = {})
      : producer_(producer),
        raw_topic_(std::move(raw_topic)),
        limits_(limits),
        poller_(poller),
        max_feeds_(tenant_limits.max_feeds),
        submits_(tenant_limits.submit_per_second, tenant_limits.submit_burst) {}

  grpc::Status Submit(grpc::ServerContext* ctx, const ww::v1::SubmitRequest* req,
                      ww::v1::SubmitResponse* resp) override;
  grpc::Status AddFeed(grpc::ServerContext* ctx, const ww::v1::AddFeedRequest* req,
                       ww::v1::FeedState* resp) override;
  grpc::Status RemoveFeed(grpc::ServerContext* ctx, const ww::v1::RemoveFeedRequest* req,
                          ww::v1::RemoveFeedResponse* resp) override;
  grpc::Status ListFeeds(grpc::ServerContext* ctx, const ww::v1::ListFeedsRequest* req,
                         ww::v1::ListFeedsResponse* resp) override;

 private:
  kafka::Producer* producer_;
  std::string raw_topic_;
  ArticleLimits limits_;
  FeedPoller* poller_;              // not owned; null: feed management is UNIMPLEMENTED
  int64_t max_feeds_;               // per tenant; 0: no limit
  rpc::TenantRateLimiter submits_;  // per tenant
};

}  // namespace ww::services
