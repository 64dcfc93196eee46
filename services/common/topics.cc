#include "services/common/topics.h"

namespace ww::services {

Topics Topics::WithPrefix(const std::string& p) {
  return {p + "feeds",
          p + "articles.raw",
          p + "articles.unique",
          p + "articles.duplicates",
          p + "articles.tagged",
          p + "alerts",
          p + "watchlist",
          p + "rules",
          p + "deadletter",
          p + "dedup.claims",
          p + "destinations",
          p + "deliveries",
          p + "audit"};
}

std::vector<kafka::TopicSpec> TopicSpecs(const Topics& t, int partitions) {
  const std::map<std::string, std::string> compacted = {{"cleanup.policy", "compact"}};
  const std::map<std::string, std::string> week = {{"retention.ms", "604800000"}};
  const std::map<std::string, std::string> month = {{"retention.ms", "2592000000"}};
  const std::map<std::string, std::string> year = {{"retention.ms", "31536000000"}};
  return {
      {t.feeds, 1, 1, compacted},
      {t.raw, partitions, 1, week},
      {t.unique, partitions, 1, week},
      {t.duplicates, partitions, 1, week},
      {t.tagged, partitions, 1, week},
      {t.alerts, partitions, 1, month},
      {t.watchlist, 1, 1, compacted},
      {t.rules, 1, 1, compacted},
      {t.deadletter, 1, 1, month},
      {t.dedup_claims, 1, 1, week},  // one partition: the deduper's total order
      {t.destinations, 1, 1, compacted},
      {t.deliveries, partitions, 1, compacted},
      {t.audit, 1, 1, year},
  };
}

}  // namespace ww::services
