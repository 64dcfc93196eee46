#pragma once
// Plain data that crosses the Kafka adapter boundary. No librdkafka types.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace ww::kafka {

struct Header {
  std::string key;
  std::string value;
};

// A record read from a topic.
struct Record {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  std::string key;
  std::string value;
  bool tombstone = false;  // null value (a delete on a compacted topic)
  std::vector<Header> headers;
  int64_t timestamp_ms = 0;

  // The first header named `key`, if any.
  std::optional<std::string_view> header(std::string_view key) const;
};

// A record to write. partition -1 lets the partitioner choose by key.
struct OutRecord {
  std::string topic;
  std::string key;
  std::string value;
  bool tombstone = false;
  std::vector<Header> headers;
  int32_t partition = -1;
  int64_t timestamp_ms = 0;  // 0: now
};

// A stage's result of one record, moved in. (`std::vector<OutRecord>{std::move(r)}` copies
// it: an initializer list's elements are const, so each article's bytes were copied once
// more at the end of a stage.)
inline std::vector<OutRecord> OneRecord(OutRecord record) {
  std::vector<OutRecord> out;
  out.push_back(std::move(record));
  return out;
}

// Where and how to reach the brokers. `properties` are passed to librdkafka as they are
// (security.protocol, sasl.*, ssl.*), so TLS and SASL need no code change.
struct ClientConfig {
  std::string bootstrap_servers = "127.0.0.1:9092";
  std::map<std::string, std::string> properties;
};

// Header names Wirewatch puts on records.
inline constexpr std::string_view kHeaderDlqReason = "ww-dlq-reason";
inline constexpr std::string_view kHeaderDlqStage = "ww-dlq-stage";
inline constexpr std::string_view kHeaderDlqTopic = "ww-dlq-source-topic";
inline constexpr std::string_view kHeaderDlqPartition = "ww-dlq-source-partition";
inline constexpr std::string_view kHeaderDlqOffset = "ww-dlq-source-offset";
inline constexpr std::string_view kHeaderSourceStage = "ww-source-stage";
// When the ingestor published the article a record descends from (Unix ms). The stage
// loop copies it, with `traceparent`, from each input to its outputs, so the time from
// ingest to any topic (an alert above all) can be measured where the output is written.
inline constexpr std::string_view kHeaderIngestedMs = "ww-ingested-ms";

// `in` as a record of the dead-letter topic: its key, value and headers, plus why, by which
// stage, and where it came from (so `wwctl deadletter retry` can send it back).
OutRecord DeadLetterOf(const Record& in, const absl::Status& why, std::string_view stage,
                       const std::string& deadletter_topic);

}  // namespace ww::kafka
