#include "services/tagger/watchlist_service.h"

#include <algorithm>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/limits.h"
#include "libs/runtime/ids.h"
#include "services/common/table_writer.h"
#include "services/tagger/convert.h"

namespace ww::services {
grpc::Status WatchlistServiceImpl::AwaitApplied(const std::map<int32_t, int64_t>& written) {
  absl::Time deadline = absl::Now() + absl::Seconds(15);
  for (;;) {
    bool applied = true;
    for (const auto& [p, off] : written) applied = applied && table_->applied_offset(p) >= off;
    // The reader thread rebuilds right after applying; wait for that build too.
    if (applied) {
      table_->RebuildIfChanged();
      return grpc::Status::OK;
    }
    if (absl::Now() > deadline) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                          "written to Kafka, but this tagger has not read it back within 15 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

grpc::Status WatchlistServiceImpl::PutEntities(grpc::ServerContext* ctx,
                                               const ww::v1::PutEntitiesRequest* req,
                                               ww::v1::PutEntitiesResponse* resp) {
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  std::set<std::string> ids;
  for (const ww::v1::Entity& e : req->entities()) {
    if (absl::Status s = tagging::ValidateEntity(FromProto(e)); !s.ok()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("entity '", e.id(), "': ", s.message()));
    }
    if (!ids.insert(e.id()).second) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("entity '", e.id(), "' is listed twice"));
    }
  }
  // The tenant's entities after this call, against its limit.
  const std::set<std::string> had = table_->ids(caller.tenant);
  std::set<std::string> after = ids;
  if (!req->replace_all()) after.insert(had.begin(), had.end());
  if (grpc::Status s =
          rpc::CheckCount(caller.tenant, "watchlist entities", static_cast<int64_t>(after.size()),
                          max_entities_, "--tenant_max_entities");
      !s.ok()) {
    return s;
  }
  TableWriter writer(producer_, topic_);
  for (const ww::v1::Entity& e : req->entities()) {
    if (grpc::Status s =
            writer.Put(runtime::QualifiedId(caller.tenant, e.id()), e.SerializeAsString());
        !s.ok()) {
      return s;
    }
    resp->set_upserted(resp->upserted() + 1);
  }
  if (req->replace_all()) {
    // Only the caller's own entities: another tenant's watchlist is not this one's to drop.
    for (const std::string& id : had) {
      if (ids.count(id)) continue;
      if (grpc::Status s = writer.Delete(runtime::QualifiedId(caller.tenant, id)); !s.ok()) {
        return s;
      }
      resp->set_deleted(resp->deleted() + 1);
    }
  }
  grpc::Status s = AwaitApplied(writer.written());
  resp->set_watchlist_version(table_->version());
  return s;
}

grpc::Status WatchlistServiceImpl::DeleteEntity(grpc::ServerContext* ctx,
                                                const ww::v1::DeleteEntityRequest* req,
                                                ww::v1::DeleteEntityResponse*) {
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  if (!table_->ids(caller.tenant).contains(req->id())) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("no entity with id '", req->id(), "' in the watchlist"));
  }
  TableWriter writer(producer_, topic_);
  if (grpc::Status s = writer.Delete(runtime::QualifiedId(caller.tenant, req->id())); !s.ok()) {
    return s;
  }
  return AwaitApplied(writer.written());
}

grpc::Status WatchlistServiceImpl::ListEntities(grpc::ServerContext* ctx,
                                                const ww::v1::ListEntitiesRequest*,
                                                ww::v1::ListEntitiesResponse* resp) {
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  for (const tagging::Entity& e : table_->entities(caller.tenant))
    *resp->add_entities() = ToProto(e);
  resp->set_watchlist_version(table_->version());
  return grpc::Status::OK;
}

}  // namespace ww::services
