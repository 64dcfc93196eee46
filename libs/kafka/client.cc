#include "libs/kafka/client.h"

#include "absl/strings/str_cat.h"

namespace ww::kafka::internal {

ErrorAction Classify(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS:
      return ErrorAction::kRetry;
    case RD_KAFKA_RESP_ERR__FENCED:
    case RD_KAFKA_RESP_ERR_PRODUCER_FENCED:
    case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return ErrorAction::kFatal;
    default:
      // Everything else inside a transaction (unknown topic, record too large, rebalance
      // in progress, illegal generation, ...) is handled by aborting and re-consuming.
      return ErrorAction::kAbortAndRewind;
  }
}

ErrorAction Classify(const rd_kafka_error_t* error) {
  if (error == nullptr) return ErrorAction::kRetry;
  if (rd_kafka_error_is_fatal(error)) return ErrorAction::kFatal;
  if (rd_kafka_error_txn_requires_abort(error)) return ErrorAction::kAbortAndRewind;
  if (rd_kafka_error_is_retriable(error)) return ErrorAction::kRetry;
  return Classify(rd_kafka_error_code(error));
}

absl::Status ToStatus(rd_kafka_resp_err_t err, absl::string_view context) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  std::string msg = absl::StrCat(context, ": ", rd_kafka_err2str(err));
  switch (err) {
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return absl::NotFoundError(msg);
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
      return absl::InvalidArgumentError(msg);
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
      return absl::AlreadyExistsError(msg);
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
      return absl::ResourceExhaustedError(msg);
    default:
      break;
  }
  return Classify(err) == ErrorAction::kRetry ? absl::UnavailableError(msg)
                                              : absl::InternalError(msg);
}

absl::Status ToStatus(rd_kafka_error_t* error, absl::string_view context) {
  if (error == nullptr) return absl::OkStatus();
  absl::Status s = ToStatus(rd_kafka_error_code(error), context);
  s = absl::Status(s.code(), absl::StrCat(context, ": ", rd_kafka_error_string(error)));
  rd_kafka_error_destroy(error);
  return s;
}

absl::StatusOr<rd_kafka_conf_t*> MakeConf(const ClientConfig& config,
                                          const std::map<std::string, std::string>& overrides) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& k, const std::string& v) -> absl::Status {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("kafka property ", k, "=", v, ": ", err));
    }
    return absl::OkStatus();
  };
  absl::Status s = set("bootstrap.servers", config.bootstrap_servers);
  for (const auto& [k, v] : config.properties) {
    if (s.ok()) s = set(k, v);
  }
  for (const auto& [k, v] : overrides) {
    if (s.ok()) s = set(k, v);
  }
  if (s.ok()) s = set("log_level", "3");  // errors only; the adapters log what matters
  if (!s.ok()) {
    rd_kafka_conf_destroy(conf);
    return s;
  }
  return conf;
}

absl::StatusOr<KafkaHandle> NewClient(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InvalidArgumentError(absl::StrCat("cannot create kafka client: ", err));
  }
  return KafkaHandle(rk);
}

absl::StatusOr<KafkaHandle> AdminClient(const ClientConfig& config) {
  auto conf = MakeConf(config, {});
  if (!conf.ok()) return conf.status();
  return NewClient(RD_KAFKA_PRODUCER, *conf);
}

Record ToRecord(const rd_kafka_message_t* m) {
  Record r;
  r.topic = rd_kafka_topic_name(m->rkt);
  r.partition = m->partition;
  r.offset = m->offset;
  if (m->key != nullptr) r.key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) {
    r.value.assign(static_cast<const char*>(m->payload), m->len);
  } else {
    r.tombstone = true;
  }
  rd_kafka_timestamp_type_t tstype;
  r.timestamp_ms = rd_kafka_message_timestamp(m, &tstype);
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != nullptr) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0;
         rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      r.headers.push_back(
          {name, value ? std::string(static_cast<const char*>(value), size) : std::string()});
    }
  }
  return r;
}

rd_kafka_headers_t* ToHeaders(const std::vector<Header>& headers) {
  if (headers.empty()) return nullptr;
  rd_kafka_headers_t* h = rd_kafka_headers_new(headers.size());
  for (const Header& x : headers) {
    rd_kafka_header_add(h, x.key.data(), x.key.size(), x.value.data(), x.value.size());
  }
  return h;
}

absl::Status ProduceRecord(rd_kafka_t* rk, const OutRecord& r) {
  for (;;) {
    rd_kafka_headers_t* hdrs = ToHeaders(r.headers);
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(r.topic.c_str()),
        RD_KAFKA_V_PARTITION(r.partition < 0 ? RD_KAFKA_PARTITION_UA : r.partition),
        RD_KAFKA_V_KEY(r.key.data(), r.key.size()),
        RD_KAFKA_V_VALUE(r.tombstone ? nullptr : const_cast<char*>(r.value.data()),
                         r.tombstone ? 0 : r.value.size()),
        RD_KAFKA_V_TIMESTAMP(r.timestamp_ms), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
    if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return ToStatus(err, absl::StrCat("produce to ", r.topic));
    }
    rd_kafka_poll(rk, 50);
  }
}

absl::StatusOr<int> PartitionCount(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return ToStatus(err, "metadata for " + topic);
  absl::StatusOr<int> result =
      absl::NotFoundError(absl::StrCat("topic ", topic, " does not exist"));
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (topic != t.topic) continue;
    if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt > 0) {
      result = t.partition_cnt;
    } else if (t.err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
      result = ToStatus(t.err, "metadata for " + topic);
    }
  }
  rd_kafka_metadata_destroy(md);
  return result;
}

}  // namespace ww::kafka::internal
