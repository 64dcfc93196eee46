#pragma once
// Flags every service has (each also settable as WW_<NAME>, see libs/runtime/config.h).
#include <string>

#include "absl/flags/declare.h"
#include "absl/time/time.h"
#include "libs/kafka/record.h"
#include "libs/kafka/stage_loop.h"
#include "libs/rpc/limits.h"
#include "libs/runtime/config.h"
#include "services/common/topics.h"

ABSL_DECLARE_FLAG(std::string, bootstrap_servers);
ABSL_DECLARE_FLAG(ww::runtime::KeyValues, kafka_property);
ABSL_DECLARE_FLAG(std::string, kafka_properties);
ABSL_DECLARE_FLAG(std::string, topic_prefix);
ABSL_DECLARE_FLAG(std::string, grpc_listen);
ABSL_DECLARE_FLAG(std::string, instance_id);
ABSL_DECLARE_FLAG(std::string, metrics_listen);
ABSL_DECLARE_FLAG(std::string, tls_cert_file);
ABSL_DECLARE_FLAG(std::string, tls_key_file);
ABSL_DECLARE_FLAG(std::string, tls_client_ca_file);
ABSL_DECLARE_FLAG(std::string, tokens_file);
ABSL_DECLARE_FLAG(absl::Duration, stall_timeout);

namespace ww::services {

// Broker address plus every --kafka_property KEY=VALUE (security.protocol, sasl.*, ssl.*),
// and the deprecated --kafka_properties k=v,k=v beneath them.
kafka::ClientConfig ClientConfigFromFlags();
Topics TopicsFromFlags();
// What one tenant may hold and send (--tenant_max_entities, ...).
rpc::TenantLimits TenantLimitsFromFlags();
// --instance_id, or the host name: stable per replica, it makes the transactional id.
std::string InstanceId();
// The stage loop's options from the common flags: the dead-letter topic of --topic_prefix
// and a transactional id made of the group and the instance id.
kafka::StageOptions StageOptionsFromFlags(std::string stage, std::string group_id,
                                          std::vector<std::string> input_topics);

}  // namespace ww::services
