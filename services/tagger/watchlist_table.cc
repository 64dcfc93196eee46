#include "services/tagger/watchlist_table.h"

#include "libs/runtime/ids.h"
#include "libs/runtime/log.h"
#include "libs/runtime/metrics.h"
#include "services/tagger/convert.h"
#include "ww/v1/records.pb.h"

namespace ww::services {
namespace {
const runtime::Logger& Log() {
  static const runtime::Logger log("tagger.watchlist");
  return log;
}
}  // namespace

WatchlistTable::WatchlistTable() {
  auto empty = tagging::Matcher::Build({});
  snapshot_.matcher = empty.ok() ? *empty : nullptr;
}

void WatchlistTable::Apply(const std::vector<kafka::Record>& records) {
  absl::MutexLock lock(&mu_);
  for (const kafka::Record& r : records) {
    applied_[r.partition] = std::max(applied_[r.partition], r.offset);
    ++version_;
    if (r.tombstone) {
      entities_.erase(r.key);
      continue;
    }
    ww::v1::Entity e;
    if (!e.ParseFromString(r.value)) {
      Log().Warn("skipping a watchlist record that is not an Entity", {{"key", r.key}});
      continue;
    }
    // The key is the entity's id qualified by its tenant (runtime::QualifiedId): what the
    // matcher and the mentions carry, so that two tenants may watch one id each their way.
    tagging::Entity entity = FromProto(e);
    entity.id = r.key;
    entities_[r.key] = std::move(entity);
  }
}

void WatchlistTable::RebuildIfChanged() {
  tagging::Watchlist wl;
  int64_t version;
  {
    absl::MutexLock lock(&mu_);
    if (built_version_ == version_) return;
    version = version_;
    for (const auto& [id, e] : entities_) wl.entities.push_back(e);
  }
  absl::Time start = absl::Now();
  auto matcher = tagging::Matcher::Build(wl);  // outside the lock: tagging goes on meanwhile
  if (!matcher.ok()) {
    Log().Error("cannot build matcher", {{"error", matcher.status().ToString()}});
    absl::MutexLock lock(&mu_);
    built_version_ = version;
    return;
  }
  auto names = std::make_shared<EntityNames>();
  names->reserve(wl.entities.size());
  for (const auto& e : wl.entities) (*names)[e.id] = e.name;
  MatcherSnapshot snap{*matcher, std::move(names), version};
  absl::MutexLock lock(&mu_);
  snapshot_ = std::move(snap);
  built_version_ = version;
  auto& m = runtime::Metrics::Default();
  m.gauge("ww_matcher_aliases", "aliases in the matcher in use")
      .Set(snapshot_.matcher->alias_count());
  m.gauge("ww_matcher_entities", "entities in the matcher in use").Set(wl.entities.size());
  m.gauge("ww_matcher_build_seconds", "time the last matcher took to build")
      .Set(absl::ToDoubleSeconds(absl::Now() - start));
  Log().Info("matcher swapped in", {{"entities", wl.entities.size()},
                                    {"aliases", snapshot_.matcher->alias_count()},
                                    {"version", version},
                                    {"build_ms", absl::ToInt64Milliseconds(absl::Now() - start)}});
}

MatcherSnapshot WatchlistTable::snapshot() const {
  absl::MutexLock lock(&mu_);
  return snapshot_;
}

std::vector<tagging::Entity> WatchlistTable::entities(const std::string& tenant) const {
  absl::MutexLock lock(&mu_);
  std::vector<tagging::Entity> out;
  for (const auto& [key, e] : entities_) {
    auto [owner, id] = runtime::SplitQualifiedId(key);
    if (owner != tenant) continue;
    out.push_back(e);
    out.back().id = std::move(id);
  }
  return out;
}

std::set<std::string> WatchlistTable::ids(const std::string& tenant) const {
  absl::MutexLock lock(&mu_);
  std::set<std::string> out;
  for (const auto& [key, e] : entities_) {
    auto [owner, id] = runtime::SplitQualifiedId(key);
    if (owner == tenant) out.insert(std::move(id));
  }
  return out;
}

int64_t WatchlistTable::applied_offset(int32_t partition) const {
  absl::MutexLock lock(&mu_);
  auto it = applied_.find(partition);
  return it == applied_.end() ? -1 : it->second;
}

int64_t WatchlistTable::version() const {
  absl::MutexLock lock(&mu_);
  return built_version_;
}

}  // namespace ww::services
