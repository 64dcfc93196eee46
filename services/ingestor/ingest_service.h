#pragma once
// IngestService over gRPC: Submit publishes one article to the raw topic. Thread-safe.
#include <string>

#include "libs/kafka/producer.h"
#include "services/ingestor/articles.h"
#include "ww/v1/ingest.grpc.pb.h"

namespace ww::services {

class IngestServiceImpl final : public ww::v1::IngestService::Service {
 public:
  IngestServiceImpl(kafka::Producer* producer, std::string raw_topic, ArticleLimits limits)
      : producer_(producer), raw_topic_(std::move(raw_topic)), limits_(limits) {}

  grpc::Status Submit(grpc::ServerContext* ctx, const ww::v1::SubmitRequest* req,
                      ww::v1::SubmitResponse* resp) override;

 private:
  kafka::Producer* producer_;
  std::string raw_topic_;
  ArticleLimits limits_;
};

}  // namespace ww::services
