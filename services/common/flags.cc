#include "services/common/flags.h"

#include <unistd.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "libs/rpc/limits.h"

ABSL_FLAG(std::string, bootstrap_servers, "127.0.0.1:9092", "Kafka brokers, host:port,...");
ABSL_FLAG(ww::runtime::KeyValues, kafka_property, {},
          "a librdkafka property KEY=VALUE (security.protocol=SASL_SSL, sasl.username=..., "
          "ssl.ca.location=/ca.pem); give the flag once per property. WW_KAFKA_PROPERTY: one "
          "KEY=VALUE per line");
ABSL_FLAG(std::string, kafka_properties, "",
          "librdkafka properties as one k=v,k=v line, for one-line places such as a Kubernetes "
          ".env file (a value cannot hold a comma there); --kafka_property wins");
ABSL_FLAG(std::string, topic_prefix, "ww.", "prefix of every topic name (ww.articles.raw, ...)");
ABSL_FLAG(std::string, grpc_listen, "127.0.0.1:0", "gRPC listen address; port 0 picks one");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:0",
          "Prometheus metrics (GET /metrics) and liveness (GET /healthz) over HTTP on host:port "
          "or [v6]:port; port 0 picks one; empty: off");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate: serve gRPC over TLS (with --tls_key_file)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA: mutual TLS, a client may present a certificate it signed instead of a token, "
          "its subject naming the tenant (O=) and role (OU=); needs --tls_cert_file and "
          "--tokens_file (an empty one admits certificates only)");
ABSL_FLAG(std::string, tokens_file, "",
          "who may call this service's gRPC API: lines 'sha256:HEX TENANT ROLE' (wwctl tokens "
          "create prints them; roles subscriber, submitter, editor, admin); read again when it "
          "changes. Empty: authentication off, every caller is tenant 'default' as admin. "
          "Off loopback it needs --tls_cert_file");
ABSL_FLAG(int64_t, tenant_max_entities, ww::rpc::TenantLimits().max_entities,
          "watchlist entities one tenant may have (ww-tagger); 0: no limit");
ABSL_FLAG(int64_t, tenant_max_rules, ww::rpc::TenantLimits().max_rules,
          "alert rules one tenant may have (ww-alerter); 0: no limit");
ABSL_FLAG(int64_t, tenant_max_feeds, ww::rpc::TenantLimits().max_feeds,
          "feeds one tenant may have (ww-ingestor); 0: no limit");
ABSL_FLAG(double, tenant_submit_rate, ww::rpc::TenantLimits().submit_per_second,
          "articles a second one tenant may Submit, sustained (ww-ingestor); 0: no limit");
ABSL_FLAG(double, tenant_submit_burst, ww::rpc::TenantLimits().submit_burst,
          "articles one tenant may Submit at once above the rate");
ABSL_FLAG(absl::Duration, stall_timeout, absl::Minutes(2),
          "liveness fails when a stage loop has not gone round for this long (a wedged "
          "process); the orchestrator then restarts it");
ABSL_FLAG(absl::Duration, batch_wait, absl::ZeroDuration(),
          "how long a pipeline stage waits for more records after the first of a batch before "
          "it processes and commits them in one transaction. 0: none; records that arrive "
          "while a batch commits make the next one, so batches grow with the load. More: fewer "
          "transactions (less broker CPU) for that much more latency per stage");
ABSL_FLAG(std::string, instance_id, "",
          "stable id of this replica (pod name); default: the host name. Two live replicas of "
          "one service must not share it");

namespace ww::services {

kafka::ClientConfig ClientConfigFromFlags() {
  kafka::ClientConfig c;
  c.bootstrap_servers = absl::GetFlag(FLAGS_bootstrap_servers);
  for (absl::string_view kv :
       absl::StrSplit(absl::GetFlag(FLAGS_kafka_properties), ',', absl::SkipWhitespace())) {
    std::pair<std::string, std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
    c.properties[p.first] = p.second;
  }
  for (auto& [key, value] : absl::GetFlag(FLAGS_kafka_property).pairs) c.properties[key] = value;
  return c;
}

rpc::TenantLimits TenantLimitsFromFlags() {
  return {absl::GetFlag(FLAGS_tenant_max_entities), absl::GetFlag(FLAGS_tenant_max_rules),
          absl::GetFlag(FLAGS_tenant_max_feeds), absl::GetFlag(FLAGS_tenant_submit_rate),
          absl::GetFlag(FLAGS_tenant_submit_burst)};
}

Topics TopicsFromFlags() { return Topics::WithPrefix(absl::GetFlag(FLAGS_topic_prefix)); }

std::string InstanceId() {
  std::string id = absl::GetFlag(FLAGS_instance_id);
  if (!id.empty()) return id;
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) return "local";
  return host;
}

kafka::StageOptions StageOptionsFromFlags(std::string stage, std::string group_id,
                                          std::vector<std::string> input_topics) {
  kafka::StageOptions o;
  o.stage = std::move(stage);
  o.client = ClientConfigFromFlags();
  o.group_id = std::move(group_id);
  o.input_topics = std::move(input_topics);
  o.deadletter_topic = TopicsFromFlags().deadletter;
  o.transactional_id = o.group_id + "-" + InstanceId();
  o.max_batch_wait = absl::GetFlag(FLAGS_batch_wait);
  return o;
}

}  // namespace ww::services
