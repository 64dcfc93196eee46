#pragma once
// What the services that own a compacted table topic (the tagger's watchlist, the alerter's
// rules, the notifier's destinations) do with a gRPC call that changes it: write its records,
// remember how far each partition was written, and answer once this replica has read them
// back (a caller reads its own write). One per call; not thread-safe.
#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "libs/kafka/producer.h"
#include "services/common/table_progress.h"

namespace ww::services {

class TableWriter {
 public:
  TableWriter(kafka::Producer* producer, std::string topic)
      : producer_(producer), topic_(std::move(topic)) {}

  // The record `key` -> `value`; a failed send answers with the producer's status.
  grpc::Status Put(const std::string& key, const std::string& value);
  // A tombstone for `key`.
  grpc::Status Delete(const std::string& key);
  // Waits until `progress` has read every record written so far; DEADLINE_EXCEEDED after
  // `timeout`, saying that `who` ("this alerter") has not read it back.
  grpc::Status AwaitRead(TableProgress& progress, std::string_view who,
                         absl::Duration timeout = absl::Seconds(15)) const;
  // The highest offset written to each partition.
  const std::map<int32_t, int64_t>& written() const { return written_; }

 private:
  grpc::Status Send(const kafka::OutRecord& record);

  kafka::Producer* producer_;
  std::string topic_;
  std::map<int32_t, int64_t> written_;
};

}  // namespace ww::services
