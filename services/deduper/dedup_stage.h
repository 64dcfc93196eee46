#pragma once
// The deduper's two stage functions. Both run in the shared StageLoop (consume, process,
// produce and commit offsets in one Kafka transaction); see libs/dedup/README.md for why
// there are two.
//
//  1. FingerprintArticle (any number of replicas, consumer group on ww.articles.raw):
//     parses the Article, computes its content hash when the ingestor did not, and writes
//     it to the one-partition ww.dedup.claims topic. That topic is the single total order
//     in which every replica's articles are decided.
//  2. DedupStage (consumer group on ww.dedup.claims: one active replica, the others take
//     over on a rebalance): folds the claims, in offset order, into a stories::Decider (copy
//     clusters, libs/dedup/README.md, then stories of independent reports,
//     libs/stories/README.md) and writes each article to ww.articles.unique (a new report)
//     or ww.articles.duplicates (with duplicate_of, the ww-duplicate-of header and the
//     cluster's outlets, first/last seen), both with the story (story_id and its counts). Its state
//     is a pure function of the claims before the record it processes: when a record arrives whose
//     offset is not the one after the last it decided (first record after start, after a takeover),
//     it rebuilds its clusterer by replaying the claims topic up to that offset. Nothing is kept
//     only in one pod.
//
// Not thread-safe: one stage loop owns each.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kafka/record.h"
#include "libs/stories/decider.h"

namespace ww::services {

// Stage 1. InvalidArgument for a record that is not an Article (it goes to the dead
// letters). The output goes to partition 0 of `claims_topic`, keyed by article id.
absl::StatusOr<std::vector<kafka::OutRecord>> FingerprintArticle(const kafka::Record& in,
                                                                 const std::string& claims_topic);

class DedupStage {
 public:
  // Calls `fold` for every committed record of the claims topic with offset < `before`, in
  // offset order, then returns. An error makes Process Unavailable: the stage loop rolls
  // the batch back and reads it again after a backoff, as long as the topic is away.
  using Replay = std::function<absl::Status(int64_t before,
                                            const std::function<void(const kafka::Record&)>& fold)>;

  // The offset the consumer group has committed on the claims partition (the next one to
  // decide), to tell a gap made by transaction markers from claims another replica decided.
  using CommittedOffset = std::function<absl::StatusOr<int64_t>()>;

  // InvalidArgument for bad clusterer options.
  static absl::StatusOr<std::unique_ptr<DedupStage>> Create(std::string unique_topic,
                                                            std::string duplicates_topic,
                                                            stories::DeciderOptions options,
                                                            Replay replay,
                                                            CommittedOffset committed = nullptr);

  // InvalidArgument for a claim that is not an Article; Unavailable when the clusters must
  // be rebuilt and the claims topic cannot be read now.
  absl::StatusOr<std::vector<kafka::OutRecord>> Process(const kafka::Record& claim);

  void Commit();
  void Rollback();
  // The claims partition was taken from this replica (StageLoop's on_revoke): the next gap
  // in offsets may be claims another replica decided, so the group's committed offset is
  // asked then. While it keeps the partition, a gap is transaction markers and nothing is
  // asked (an admin round trip per batch was most of the deduper's latency).
  void OnRevoke() { revoked_ = true; }
  const stories::Decider& decider() const { return *decider_; }

 private:
  DedupStage(std::string unique_topic, std::string duplicates_topic,
             stories::DeciderOptions options, Replay replay, CommittedOffset committed);
  // True when the claims before `offset` may hold some this replica has not decided.
  bool OutOfSync(int64_t offset) const;
  absl::Status Rebuild(int64_t before);
  // Decides one claim; nullopt for a redelivery or garbage.
  std::optional<kafka::OutRecord> Decide(const kafka::Record& claim, bool* garbage);

  std::string unique_topic_;
  std::string duplicates_topic_;
  int64_t pending_duplicates_ = 0;  // counted in metrics on commit
  int64_t pending_joined_ = 0, pending_new_stories_ = 0;
  stories::DeciderOptions options_;
  Replay replay_;
  CommittedOffset committed_;
  std::unique_ptr<stories::Decider> decider_;
  int64_t next_offset_ = -1;  // offset after the last claim decided
  int64_t committed_next_offset_ = -1;
  bool revoked_ = false;
};

// A Replay that reads `claims_topic` from the beginning as a kafka::TableReader (waits for
// the broker, logs progress, stops on shutdown or after 10 minutes).
DedupStage::Replay ReplayFromTopic(kafka::ClientConfig client, std::string claims_topic);
// The group's committed offset of partition 0 of `claims_topic` (admin call).
DedupStage::CommittedOffset CommittedFromGroup(kafka::ClientConfig client, std::string group,
                                               std::string claims_topic);

}  // namespace ww::services
