#pragma once
// Who changed what, when and from where: every call of a method marked
// `option (ww.v1.audited) = true` in its proto (the watchlist, rules and feeds edits) ends
// with a ww.v1.AuditRecord handed to a sink (the services write it to ww.audit; `wwctl
// audit` reads it). A gRPC server interceptor, so no handler records anything itself.
// Calls refused before their handler (no token, wrong role) are not recorded here: the
// auth processor refuses them and logs nothing per call.
#include <grpcpp/support/server_interceptor.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ww/v1/records.pb.h"

namespace ww::rpc {

// Receives each record, on the thread that ends the call; must be thread-safe.
using AuditSink = std::function<void(const ww::v1::AuditRecord&)>;

// True for a method whose proto marks it audited.
bool IsAudited(std::string_view path);

// Records the audited calls of the server of `service` ("ww-tagger").
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> AuditInterceptors(
    std::string service, AuditSink sink);

}  // namespace ww::rpc
