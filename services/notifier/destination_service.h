#pragma once
// DestinationService over gRPC: validates a tenant's destinations (libs/delivery), writes
// them to the compacted destinations topic under the caller's tenant, and answers once this
// notifier has read its own write. A tenant sees and changes only its own. Thread-safe.
#include <string>

#include "libs/kafka/producer.h"
#include "services/notifier/destinations_table.h"
#include "ww/v1/destinations.grpc.pb.h"

namespace ww::services {

class DestinationServiceImpl final : public ww::v1::DestinationService::Service {
 public:
  DestinationServiceImpl(kafka::Producer* producer, std::string topic, DestinationsTable* table)
      : producer_(producer), topic_(std::move(topic)), table_(table) {}

  grpc::Status PutDestinations(grpc::ServerContext* ctx, const ww::v1::PutDestinationsRequest* req,
                               ww::v1::PutDestinationsResponse* resp) override;
  grpc::Status DeleteDestination(grpc::ServerContext* ctx,
                                 const ww::v1::DeleteDestinationRequest* req,
                                 ww::v1::DeleteDestinationResponse* resp) override;
  grpc::Status ListDestinations(grpc::ServerContext* ctx,
                                const ww::v1::ListDestinationsRequest* req,
                                ww::v1::ListDestinationsResponse* resp) override;

 private:
  kafka::Producer* producer_;
  std::string topic_;
  DestinationsTable* table_;
};

}  // namespace ww::services
