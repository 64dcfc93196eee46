#pragma once
// The watchlist as this tagger replica knows it: the compacted topic ww.watchlist folded
// into a map, and the matcher compiled from it. Apply() is called by the one thread that
// reads the topic; matcher() by any thread. A new matcher is built beside the old one and
// swapped in atomically, so tagging never pauses. Thread-safe.
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "libs/kafka/record.h"
#include "libs/tagging/matcher.h"
#include "libs/tagging/watchlist.h"

namespace ww::services {

// Entity id -> canonical name.
using EntityNames = absl::flat_hash_map<std::string, std::string>;

// What the tagger tags one article with. Copied for every article, so it only shares its
// parts: a copy is two reference counts, whatever the size of the watchlist (a copy of the
// names themselves cost 30 ms an article at 119,000 entities).
struct MatcherSnapshot {
  std::shared_ptr<const tagging::Matcher> matcher;
  std::shared_ptr<const EntityNames> names;  // never null once built
  int64_t version = 0;                       // watchlist records applied when built

  // The entity's canonical name, or "" when unknown.
  const std::string& name(const std::string& entity_id) const {
    static const std::string kNone;
    if (names == nullptr) return kNone;
    auto it = names->find(entity_id);
    return it == names->end() ? kNone : it->second;
  }
};

class WatchlistTable {
 public:
  WatchlistTable();

  // Folds records of the watchlist topic in; a tombstone deletes. Bad records are logged
  // and skipped (they were validated before being written).
  void Apply(const std::vector<kafka::Record>& records);
  // Compiles the matcher from the current entities if they changed since the last build.
  void RebuildIfChanged();

  MatcherSnapshot snapshot() const;
  // One tenant's entities (keys "tenant/id", runtime::QualifiedId), by the ids the tenant
  // gave them; and only those ids.
  std::vector<tagging::Entity> entities(const std::string& tenant) const;
  std::set<std::string> ids(const std::string& tenant) const;
  // Highest offset applied per partition, to wait for one's own writes.
  int64_t applied_offset(int32_t partition) const;
  int64_t version() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, tagging::Entity> entities_ ABSL_GUARDED_BY(mu_);
  std::map<int32_t, int64_t> applied_ ABSL_GUARDED_BY(mu_);
  int64_t version_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t built_version_ ABSL_GUARDED_BY(mu_) = -1;
  MatcherSnapshot snapshot_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ww::services
