#pragma once
// Internal to libs/kafka: the helpers that touch librdkafka types. Not for callers.
#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kafka/record.h"

namespace ww::kafka::internal {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;

struct ListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter>;

// What to do about an error. Decided in one place, Classify(), by one exhaustive switch.
enum class ErrorAction {
  kRetry,           // transient: try the same call again
  kAbortAndRewind,  // the transaction must be aborted and the batch re-consumed
  kFatal,           // the client is unusable: stop the stage, let the process restart
};
ErrorAction Classify(const rd_kafka_error_t* error);
ErrorAction Classify(rd_kafka_resp_err_t err);

// librdkafka error to absl::Status (Unavailable for transient broker trouble, NotFound for
// unknown topics, InvalidArgument for bad configuration, Internal otherwise).
absl::Status ToStatus(rd_kafka_resp_err_t err, absl::string_view context);
absl::Status ToStatus(rd_kafka_error_t* error, absl::string_view context);  // destroys error

// Builds a librdkafka configuration; InvalidArgument names a bad property.
absl::StatusOr<rd_kafka_conf_t*> MakeConf(const ClientConfig& config,
                                          const std::map<std::string, std::string>& overrides);

absl::StatusOr<KafkaHandle> NewClient(rd_kafka_type_t type, rd_kafka_conf_t* conf);

// How long admin and metadata requests (topics, offsets, groups) wait for the cluster.
inline constexpr int kAdminTimeoutMs = 15000;

// A client for admin and metadata requests (a producer handle: it joins no group).
absl::StatusOr<KafkaHandle> AdminClient(const ClientConfig& config);

// Converts a consumed message (not an error event) into a Record.
Record ToRecord(const rd_kafka_message_t* m);

// Headers for producev; caller owns the result until librdkafka takes it.
rd_kafka_headers_t* ToHeaders(const std::vector<Header>& headers);

// Produces one record (copied) on `rk`, waiting while librdkafka's queue is full.
absl::Status ProduceRecord(rd_kafka_t* rk, const OutRecord& r);

// Number of partitions of `topic`, NotFound when it does not exist.
absl::StatusOr<int> PartitionCount(rd_kafka_t* rk, const std::string& topic, int timeout_ms);

}  // namespace ww::kafka::internal
