#include "libs/rpc/audit.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <utility>

#include "absl/time/clock.h"
#include "libs/rpc/auth.h"
#include "ww/v1/auth.pb.h"

namespace ww::rpc {
namespace {

constexpr size_t kMaxRequestJson = size_t{16} * 1024;

class AuditInterceptor final : public grpc::experimental::Interceptor {
 public:
  AuditInterceptor(grpc::experimental::ServerRpcInfo* info, const std::string* service,
                   const AuditSink* sink)
      : info_(info), service_(service), sink_(sink) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // Generated sync handlers receive their request as a protobuf message.
      if (const auto* m =
              static_cast<const google::protobuf::Message*>(methods->GetRecvMessage())) {
        google::protobuf::util::JsonPrintOptions options;
        options.preserve_proto_field_names = true;
        request_json_.clear();
        (void)google::protobuf::util::MessageToJsonString(*m, &request_json_, options);
        if (request_json_.size() > kMaxRequestJson) request_json_.resize(kMaxRequestJson);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      ww::v1::AuditRecord r;
      r.set_unix_ms(absl::ToUnixMillis(absl::Now()));
      r.set_service(*service_);
      r.set_method(info_->method());
      Caller caller;
      (void)CallerOf(*info_->server_context(), &caller);
      r.set_tenant(caller.tenant);
      r.set_token_id(caller.token_id);
      r.set_role(std::string(RoleName(caller.role)));
      r.set_peer(info_->server_context()->peer());
      r.set_request_json(request_json_);
      r.set_code(status.error_code());
      r.set_message(status.error_message());
      (*sink_)(r);
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  const std::string* service_;
  const AuditSink* sink_;
  std::string request_json_;
};

class AuditFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  AuditFactory(std::string service, AuditSink sink)
      : service_(std::move(service)), sink_(std::move(sink)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    if (!IsAudited(info->method())) return nullptr;  // reads are not recorded
    return new AuditInterceptor(info, &service_, &sink_);
  }

 private:
  const std::string service_;
  const AuditSink sink_;
};

}  // namespace

bool IsAudited(std::string_view path) {
  const google::protobuf::MethodDescriptor* m = FindMethod(path);
  return m != nullptr && m->options().GetExtension(ww::v1::audited);
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> AuditInterceptors(
    std::string service, AuditSink sink) {
  return std::make_unique<AuditFactory>(std::move(service), std::move(sink));
}

}  // namespace ww::rpc
