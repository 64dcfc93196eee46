#pragma once
// Topic names. They are configuration: every name is the prefix (--topic_prefix, default
// "ww.") plus a fixed suffix, so a test or a second tenant can run a whole pipeline on
// its own set of topics.
#include <string>
#include <vector>

#include "libs/kafka/admin.h"

namespace ww::services {

struct Topics {
  std::string feeds, raw, unique, duplicates, tagged, alerts, watchlist, rules, deadletter;
  // The deduper's sequence of fingerprinted articles (one partition; see libs/dedup/README.md).
  std::string dedup_claims;
  // The notifier's destinations (a table) and the deliveries it owes (its outbox).
  std::string destinations, deliveries;
  // Who changed what (libs/rpc/audit.h): one partition, the changes in one order.
  std::string audit;
  static Topics WithPrefix(const std::string& prefix);
};

// The topics of one pipeline with their partitions and retention (compacted tables).
std::vector<kafka::TopicSpec> TopicSpecs(const Topics& topics, int partitions);

}  // namespace ww::services
