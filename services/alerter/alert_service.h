#pragma once
// AlertService over gRPC: Subscribe streams alerts from the hub. Thread-safe.
#include "services/alerter/alert_hub.h"
#include "ww/v1/alerts.grpc.pb.h"

namespace ww::services {

class AlertServiceImpl final : public ww::v1::AlertService::Service {
 public:
  explicit AlertServiceImpl(AlertHub* hub) : hub_(hub) {}
  grpc::Status Subscribe(grpc::ServerContext* ctx, const ww::v1::SubscribeRequest* req,
                         grpc::ServerWriter<ww::v1::Alert>* writer) override;

 private:
  AlertHub* hub_;
};

}  // namespace ww::services
