#include "services/alerter/alert_service.h"

namespace ww::services {

grpc::Status AlertServiceImpl::Subscribe(grpc::ServerContext* ctx,
                                         const ww::v1::SubscribeRequest* req,
                                         grpc::ServerWriter<ww::v1::Alert>* writer) {
  auto sub = hub_->Subscribe({req->entity_ids().begin(), req->entity_ids().end()});
  // Headers go out at once, so a client knows it is subscribed before any alert exists.
  writer->SendInitialMetadata();
  grpc::Status status = grpc::Status::OK;
  while (!ctx->IsCancelled()) {
    std::optional<ww::v1::Alert> alert = sub->Next(absl::Milliseconds(250));
    if (sub->overflowed()) {
      status = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                            "subscriber too slow: alert buffer full; subscribe again");
      break;
    }
    if (alert.has_value() && !writer->Write(*alert)) break;  // client went away
  }
  hub_->Unsubscribe(sub);
  return status;
}

}  // namespace ww::services
