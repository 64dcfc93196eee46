#pragma once
// AlertService over gRPC: Subscribe (live stream, resumable with a cursor) and ListAlerts
// (pages of past alerts). Thread-safe; each call blocks its own gRPC thread.
#include <string>

#include "libs/kafka/record.h"
#include "services/alerter/alert_hub.h"
#include "services/alerter/auth.h"
#include "ww/v1/alerts.grpc.pb.h"

namespace ww::services {

class AlertServiceImpl final : public ww::v1::AlertService::Service {
 public:
  AlertServiceImpl(AlertHub* hub, const Authenticator* auth, kafka::ClientConfig client,
                   std::string alerts_topic)
      : hub_(hub), auth_(auth), client_(std::move(client)), topic_(std::move(alerts_topic)) {}

  grpc::Status Subscribe(grpc::ServerContext* ctx, const ww::v1::SubscribeRequest* req,
                         grpc::ServerWriter<ww::v1::Alert>* writer) override;
  grpc::Status ListAlerts(grpc::ServerContext* ctx, const ww::v1::ListAlertsRequest* req,
                          ww::v1::ListAlertsResponse* resp) override;

 private:
  // The caller's filter; INVALID_ARGUMENT for a bad severity.
  grpc::Status MakeFilter(const std::string& tenant, const ww::v1::AlertFilter& f,
                          AlertFilterSpec* out) const;

  AlertHub* hub_;
  const Authenticator* auth_;
  kafka::ClientConfig client_;
  std::string topic_;
};

}  // namespace ww::services
