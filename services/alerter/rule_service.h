#pragma once
// RuleService over gRPC: validates rules, writes them to the compacted rules topic under
// the caller's tenant, and answers once this replica has read its own write. Thread-safe.
#include <string>

#include "libs/kafka/producer.h"
#include "services/alerter/rules_table.h"
#include "ww/v1/alerts.grpc.pb.h"

namespace ww::services {

class RuleServiceImpl final : public ww::v1::RuleService::Service {
 public:
  RuleServiceImpl(kafka::Producer* producer, std::string topic, RulesTable* table,
                  int64_t max_rules = 0)
      : producer_(producer), topic_(std::move(topic)), table_(table), max_rules_(max_rules) {}

  grpc::Status PutRules(grpc::ServerContext* ctx, const ww::v1::PutRulesRequest* req,
                        ww::v1::PutRulesResponse* resp) override;
  grpc::Status DeleteRule(grpc::ServerContext* ctx, const ww::v1::DeleteRuleRequest* req,
                          ww::v1::DeleteRuleResponse* resp) override;
  grpc::Status ListRules(grpc::ServerContext* ctx, const ww::v1::ListRulesRequest* req,
                         ww::v1::ListRulesResponse* resp) override;

 private:
  kafka::Producer* producer_;
  std::string topic_;
  RulesTable* table_;
  int64_t max_rules_;  // per tenant; 0: no limit
};

}  // namespace ww::services
