#include "services/alerter/rule_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "libs/alerting/rule.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/limits.h"
#include "services/common/table_writer.h"

namespace ww::services {
namespace {
constexpr char kReplica[] = "this alerter";
}  // namespace

grpc::Status RuleServiceImpl::PutRules(grpc::ServerContext* ctx, const ww::v1::PutRulesRequest* req,
                                       ww::v1::PutRulesResponse* resp) {
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  const std::string& tenant = caller.tenant;
  auto rules = alerting::ParseRulesYaml(req->yaml(), tenant);
  if (!rules.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(rules.status().message()));
  }
  // The tenant's rules after this call, against its limit.
  std::set<std::string> after;
  for (const alerting::Rule& r : *rules) after.insert(r.id);
  if (!req->replace_all()) {
    for (const alerting::Rule& r : *table_->snapshot()) {
      if (r.owner == tenant) after.insert(r.id);
    }
  }
  if (grpc::Status s = rpc::CheckCount(tenant, "alert rules", static_cast<int64_t>(after.size()),
                                       max_rules_, "--tenant_max_rules");
      !s.ok()) {
    return s;
  }
  TableWriter writer(producer_, topic_);
  std::set<std::string> keys;
  for (const alerting::Rule& r : *rules) {
    ww::v1::Rule stored;
    stored.set_id(r.id);
    stored.set_owner(tenant);
    stored.set_yaml(r.yaml);
    std::string value = stored.SerializeAsString();
    std::string key = RulesTable::Key(tenant, r.id);
    keys.insert(key);
    if (grpc::Status s = writer.Put(key, value); !s.ok()) return s;
    resp->set_upserted(resp->upserted() + 1);
  }
  if (req->replace_all()) {
    for (const alerting::Rule& r : *table_->snapshot()) {
      std::string key = RulesTable::Key(r.owner, r.id);
      if (r.owner != tenant || keys.count(key)) continue;
      if (grpc::Status s = writer.Delete(key); !s.ok()) return s;
      resp->set_deleted(resp->deleted() + 1);
    }
  }
  return writer.AwaitRead(table_->progress(), kReplica);
}

grpc::Status RuleServiceImpl::DeleteRule(grpc::ServerContext* ctx,
                                         const ww::v1::DeleteRuleRequest* req,
                                         ww::v1::DeleteRuleResponse*) {
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  const std::string& tenant = caller.tenant;
  bool found = false;
  for (const alerting::Rule& r : *table_->snapshot())
    found = found || (r.owner == tenant && r.id == req->id());
  if (!found) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("no rule '", req->id(), "'"));
  }
  TableWriter writer(producer_, topic_);
  if (grpc::Status s = writer.Delete(RulesTable::Key(tenant, req->id())); !s.ok()) return s;
  return writer.AwaitRead(table_->progress(), kReplica);
}

grpc::Status RuleServiceImpl::ListRules(grpc::ServerContext* ctx, const ww::v1::ListRulesRequest*,
                                        ww::v1::ListRulesResponse* resp) {
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  const std::string& tenant = caller.tenant;
  for (const alerting::Rule& r : *table_->snapshot()) {
    if (r.owner != tenant) continue;
    ww::v1::Rule* out = resp->add_rules();
    out->set_id(r.id);
    out->set_owner(r.owner);
    out->set_yaml(r.yaml);
  }
  return grpc::Status::OK;
}

}  // namespace ww::services
