#include "services/notifier/destination_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "libs/delivery/destination.h"
#include "libs/rpc/auth.h"
#include "services/common/table_writer.h"
#include "ww/v1/records.pb.h"

namespace ww::services {
namespace {

constexpr char kReplica[] = "this notifier";

ww::v1::Destination Stored(const delivery::Destination& d) {
  ww::v1::Destination stored;
  stored.set_id(d.id);
  stored.set_owner(d.owner);
  stored.set_yaml(d.yaml);
  return stored;
}

}  // namespace

grpc::Status DestinationServiceImpl::PutDestinations(grpc::ServerContext* ctx,
                                                     const ww::v1::PutDestinationsRequest* req,
                                                     ww::v1::PutDestinationsResponse* resp) {
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  auto parsed = delivery::ParseDestinationsYaml(req->yaml(), caller.tenant);
  if (!parsed.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(parsed.status().message()));
  }
  TableWriter writer(producer_, topic_);
  std::set<std::string> keep;
  for (const delivery::Destination& d : *parsed) {
    const std::string key = DestinationsTable::Key(caller.tenant, d.id);
    if (grpc::Status s = writer.Put(key, Stored(d).SerializeAsString()); !s.ok()) return s;
    keep.insert(key);
    resp->set_upserted(resp->upserted() + 1);
  }
  if (req->replace_all()) {
    // The list is the tenant's whole list: its others go; another tenant's are not its own.
    for (const auto& [key, d] : *table_->snapshot()) {
      if (d.owner != caller.tenant || keep.contains(key)) continue;
      if (grpc::Status s = writer.Delete(key); !s.ok()) return s;
      resp->set_deleted(resp->deleted() + 1);
    }
  }
  return writer.AwaitRead(table_->progress(), kReplica);
}

grpc::Status DestinationServiceImpl::DeleteDestination(grpc::ServerContext* ctx,
                                                       const ww::v1::DeleteDestinationRequest* req,
                                                       ww::v1::DeleteDestinationResponse*) {
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  const std::string key = DestinationsTable::Key(caller.tenant, req->id());
  if (!table_->Find(key).has_value()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("no destination '", req->id(), "'"));
  }
  TableWriter writer(producer_, topic_);
  if (grpc::Status s = writer.Delete(key); !s.ok()) return s;
  return writer.AwaitRead(table_->progress(), kReplica);
}

grpc::Status DestinationServiceImpl::ListDestinations(grpc::ServerContext* ctx,
                                                      const ww::v1::ListDestinationsRequest*,
                                                      ww::v1::ListDestinationsResponse* resp) {
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  for (const auto& [key, d] : *table_->snapshot()) {
    if (d.owner == caller.tenant) *resp->add_destinations() = Stored(d);
  }
  return grpc::Status::OK;
}

}  // namespace ww::services
