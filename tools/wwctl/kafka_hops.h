#pragma once
// The raw Kafka path beside the pipeline (`wwctl loadgen --kafka-baseline`, issue 18): the
// same records through a chain of consume -> produce hops on the same broker, hops that do
// nothing, so that a load test shows what Kafka itself costs and what is Wirewatch's work.
//
//   plain          each hop reads its topic without a group and re-sends every batch it
//                  reads (idempotent producer, acks=all, one wait per batch, no offsets):
//                  about the least a hop can cost
//   transactional  each hop is kafka::StageLoop with a function that copies its input: the
//                  pipeline's own loop (consumer group, read_committed, outputs and offsets
//                  in one transaction) without the pipeline's work
//
// A record's latency is from just before its first send to its arrival after the last hop.
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/kafka/record.h"
#include "tools/wwctl/loadgen.h"

namespace ww::wwctl {

struct HopsOptions {
  int hops = 4;
  bool transactional = false;
  double rate = 500;  // records a second (> 0)
  absl::Duration duration = absl::Seconds(20);
  absl::Duration ramp = absl::Seconds(5);  // at the rate first, not measured
  int concurrency = 8;                     // sends in flight, as loadgen's submits
  int partitions = 3;
  // Topics topic_base + "0" .. + hops are created for the run and deleted after it.
  std::string topic_base;
  std::string deadletter_topic;  // must exist: the transactional loops want one
  absl::Duration settle = absl::Seconds(10);
};

struct HopsResult {
  int64_t sent = 0;      // measured records sent (the ramp's not counted)
  int64_t received = 0;  // of those, arrived after the last hop
  double seconds = 0;    // of measured sending
  LatencyStats latency;  // ms
};

// Runs the chain once; `value` gives each record's value (e.g. an article's text). An error
// when the topics cannot be made or a hop cannot start.
absl::Status RunKafkaHops(const kafka::ClientConfig& client, const HopsOptions& options,
                          const std::function<std::string()>& value, HopsResult* result);

}  // namespace ww::wwctl
