#pragma once
// AlertService over gRPC: Subscribe (live stream, resumable with a cursor) and ListAlerts
// (pages of past alerts). Thread-safe.
//
// Subscribe and SubscribeBatched use the callback API with raw messages: a stream costs no
// thread, and each live alert is serialised once by the hub and its bytes shared by every
// stream (a batch is framed around them, not copied). A stream has at most one write in
// flight; what arrives meanwhile waits in the stream's bounded hub queue, and with
// SubscribeBatched goes out together in the next message. Only a stream resuming with a cursor gets
// a thread, to replay what it missed from the alerts topic (Kafka reads block), and only until it
// has caught up. ListAlerts blocks its own gRPC thread.
#include <string>

#include "libs/kafka/record.h"
#include "libs/rpc/auth.h"
#include "services/alerter/alert_hub.h"
#include "ww/v1/alerts.grpc.pb.h"

namespace ww::services {

class AlertServiceImpl final
    : public ww::v1::AlertService::WithRawCallbackMethod_SubscribeBatched<
          ww::v1::AlertService::WithRawCallbackMethod_Subscribe<ww::v1::AlertService::Service>> {
 public:
  AlertServiceImpl(AlertHub* hub, kafka::ClientConfig client, std::string alerts_topic)
      : hub_(hub), client_(std::move(client)), topic_(std::move(alerts_topic)) {}

  // `request` is a serialised SubscribeRequest; the stream's messages are serialised Alerts.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* ctx,
                                                        const grpc::ByteBuffer* request) override;
  // The same, with serialised AlertBatches as the stream's messages.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* SubscribeBatched(
      grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request) override;
  grpc::Status ListAlerts(grpc::ServerContext* ctx, const ww::v1::ListAlertsRequest* req,
                          ww::v1::ListAlertsResponse* resp) override;

 private:
  grpc::ServerWriteReactor<grpc::ByteBuffer>* StartSubscription(grpc::CallbackServerContext* ctx,
                                                                const grpc::ByteBuffer* request,
                                                                bool batched);
  // The caller's filter; INVALID_ARGUMENT for a bad severity.
  grpc::Status MakeFilter(const rpc::Caller& caller, const ww::v1::AlertFilter& f,
                          AlertFilterSpec* out) const;

  AlertHub* hub_;
  kafka::ClientConfig client_;
  std::string topic_;
};

}  // namespace ww::services
