#pragma once
// WatchlistService over gRPC: validates entities, writes them to the compacted watchlist
// topic, and answers once this replica's matcher includes the change. Thread-safe.
#include <cstdint>
#include <map>
#include <string>

#include "libs/kafka/producer.h"
#include "services/tagger/watchlist_table.h"
#include "ww/v1/watchlist.grpc.pb.h"

namespace ww::services {

class WatchlistServiceImpl final : public ww::v1::WatchlistService::Service {
 public:
  WatchlistServiceImpl(kafka::Producer* producer, std::string topic, WatchlistTable* table,
                       int64_t max_entities = 0)
      : producer_(producer), topic_(std::move(topic)), table_(table), max_entities_(max_entities) {}

  grpc::Status PutEntities(grpc::ServerContext* ctx, const ww::v1::PutEntitiesRequest* req,
                           ww::v1::PutEntitiesResponse* resp) override;
  grpc::Status DeleteEntity(grpc::ServerContext* ctx, const ww::v1::DeleteEntityRequest* req,
                            ww::v1::DeleteEntityResponse* resp) override;
  grpc::Status ListEntities(grpc::ServerContext* ctx, const ww::v1::ListEntitiesRequest* req,
                            ww::v1::ListEntitiesResponse* resp) override;

 private:
  // Waits until the table has applied `written` and rebuilt its matcher.
  grpc::Status AwaitApplied(const std::map<int32_t, int64_t>& written);

  kafka::Producer* producer_;
  std::string topic_;
  WatchlistTable* table_;
  int64_t max_entities_;  // per tenant; 0: no limit
};

}  // namespace ww::services
