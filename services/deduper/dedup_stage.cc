#include "services/deduper/dedup_stage.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/dedup/fingerprint.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/table.h"
#include "libs/runtime/log.h"
#include "libs/runtime/metrics.h"
#include "libs/runtime/retry.h"
#include "ww/v1/records.pb.h"

namespace ww::services {

absl::StatusOr<std::vector<kafka::OutRecord>> FingerprintArticle(const kafka::Record& in,
                                                                 const std::string& claims_topic) {
  ww::v1::Article article;
  if (in.tombstone || !article.ParseFromString(in.value) || article.id().empty()) {
    return absl::InvalidArgumentError("not a ww.v1.Article (bad protobuf or missing id)");
  }
  // The ingestor sets the hash; pushed or older records may lack it. The near-copy sketch
  // is made by the decider, which alone knows the boilerplate learned from the stream.
  if (article.content_hash().empty()) {
    article.set_content_hash(
        dedup::ContentHash(article.text().empty() ? article.title() : article.text()));
  }
  kafka::OutRecord out;
  out.topic = claims_topic;
  out.key = article.id();
  out.partition = 0;
  out.value = article.SerializeAsString();
  return kafka::OneRecord(std::move(out));
}

absl::StatusOr<std::unique_ptr<DedupStage>> DedupStage::Create(std::string unique_topic,
                                                               std::string duplicates_topic,
                                                               stories::DeciderOptions options,
                                                               Replay replay,
                                                               CommittedOffset committed) {
  if (auto c = stories::Decider::Create(options); !c.ok()) return c.status();
  return std::unique_ptr<DedupStage>(new DedupStage(std::move(unique_topic),
                                                    std::move(duplicates_topic), options,
                                                    std::move(replay), std::move(committed)));
}

DedupStage::DedupStage(std::string unique_topic, std::string duplicates_topic,
                       stories::DeciderOptions options, Replay replay, CommittedOffset committed)
    : unique_topic_(std::move(unique_topic)),
      duplicates_topic_(std::move(duplicates_topic)),
      options_(options),
      replay_(std::move(replay)),
      committed_(std::move(committed)),
      decider_(*stories::Decider::Create(options_)) {}

std::optional<kafka::OutRecord> DedupStage::Decide(const kafka::Record& claim, bool* garbage) {
  ww::v1::Article article;
  if (claim.tombstone || !article.ParseFromString(claim.value) || article.id().empty()) {
    *garbage = true;
    return std::nullopt;
  }
  dedup::ArticleKey key;
  key.id = article.id();
  key.source = article.source();
  key.url = article.url();
  // Headline and text lent to the decider and put back (they are most of a record).
  key.title = std::move(*article.mutable_title());
  key.text = std::move(*article.mutable_text());
  key.content_hash = article.content_hash();
  // The claim's timestamp, not the wall clock: every replica replays the same times.
  const stories::ArticleDecision decision = decider_->Assign(key, claim.timestamp_ms);
  *article.mutable_title() = std::move(key.title);
  *article.mutable_text() = std::move(key.text);
  const dedup::Decision& d = decision.copy;
  if (d.redelivery) return std::nullopt;
  if (d.duplicate_of.empty()) ++(decision.story.joined ? pending_joined_ : pending_new_stories_);
  article.set_cluster_id(d.cluster.id);
  article.set_duplicate_of(d.duplicate_of);
  article.set_duplicate_similarity(static_cast<float>(d.similarity));
  article.clear_cluster_sources();
  for (const std::string& s : d.cluster.sources) article.add_cluster_sources(s);
  article.set_cluster_first_seen_unix_ms(d.cluster.first_seen_ms);
  article.set_cluster_last_seen_unix_ms(d.cluster.last_seen_ms);
  article.set_cluster_articles(d.cluster.articles);
  const stories::StoryInfo& story = decision.story.story;
  article.set_story_id(story.id);
  article.set_story_articles(story.articles);
  article.set_story_reports(story.reports);
  article.clear_story_sources();
  for (const std::string& s : story.sources) article.add_story_sources(s);
  article.set_story_source_count(story.source_count);
  article.set_story_first_seen_unix_ms(story.first_seen_ms);
  article.set_story_last_seen_unix_ms(story.last_seen_ms);
  article.set_story_headline(story.headline);
  article.set_story_probability(static_cast<float>(decision.story.probability));
  kafka::OutRecord out;
  out.key = article.id();
  if (d.duplicate_of.empty()) {
    out.topic = unique_topic_;
  } else {
    out.topic = duplicates_topic_;
    ++pending_duplicates_;
    out.headers.push_back({"ww-duplicate-of", d.duplicate_of});
    out.headers.push_back({"ww-cluster-id", d.cluster.id});
  }
  out.headers.push_back({"ww-story-id", story.id});
  out.value = article.SerializeAsString();
  return out;
}

absl::Status DedupStage::Rebuild(int64_t before) {
  static const runtime::Logger log("deduper");
  decider_ = *stories::Decider::Create(options_);
  next_offset_ = committed_next_offset_ = -1;  // whatever happens below, nothing is in sync
  size_t n = 0;
  absl::Status s = replay_(before, [&](const kafka::Record& r) {
    bool garbage = false;
    Decide(r, &garbage);
    if (++n % 1000 == 0) decider_->Commit();  // bounds memory; answers do not change
  });
  decider_->Commit();
  // Replayed decisions were counted when they were first made.
  pending_duplicates_ = pending_joined_ = pending_new_stories_ = 0;
  if (!s.ok()) {
    log.Warn("cannot replay the claims topic: will try again", {{"error", s.ToString()}});
    return absl::UnavailableError(
        absl::StrCat("cannot rebuild the clusters from the claims "
                     "topic: ",
                     s.message()));
  }
  log.Info("clusters rebuilt from the claims topic", {{"before_offset", before},
                                                      {"claims", n},
                                                      {"articles", decider_->copies().articles()},
                                                      {"stories", decider_->stories().stories()}});
  next_offset_ = committed_next_offset_ = before;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<kafka::OutRecord>> DedupStage::Process(const kafka::Record& claim) {
  if (OutOfSync(claim.offset)) {
    if (absl::Status s = Rebuild(claim.offset); !s.ok()) return s;
  }
  revoked_ = false;  // in sync again (OutOfSync said so, or Rebuild made it)
  next_offset_ = claim.offset + 1;
  bool garbage = false;
  std::optional<kafka::OutRecord> out = Decide(claim, &garbage);
  if (garbage) return absl::InvalidArgumentError("claim is not a ww.v1.Article");
  if (!out) return std::vector<kafka::OutRecord>{};
  return kafka::OneRecord(*std::move(out));
}

bool DedupStage::OutOfSync(int64_t offset) const {
  if (offset == next_offset_) return false;
  if (next_offset_ < 0 || offset < next_offset_ || !committed_) return true;
  // Offsets also skip over transaction markers. Within a batch (something decided since
  // the last commit) the loop delivers one assignment's records in order: a gap is markers.
  if (next_offset_ != committed_next_offset_) return false;
  // At the start of a batch: while this replica kept the partition, nobody else decided
  // anything. Once it was taken away (even if given back), nothing was missed only when the
  // group's committed offset is still the one this replica committed.
  if (!revoked_) return false;
  absl::StatusOr<int64_t> committed = committed_();
  return !committed.ok() || *committed != committed_next_offset_;
}

void DedupStage::Commit() {
  static runtime::Counter& duplicates = runtime::Metrics::Default().counter(
      "ww_dedup_duplicates_total", "articles found to be copies of an earlier story");
  duplicates.Increment(static_cast<double>(pending_duplicates_));
  pending_duplicates_ = 0;
  static runtime::Counter& joined = runtime::Metrics::Default().counter(
      "ww_stories_reports_total", "new reports (not copies), by whether they joined a story",
      {{"decision", "joined"}});
  static runtime::Counter& started = runtime::Metrics::Default().counter(
      "ww_stories_reports_total", "new reports (not copies), by whether they joined a story",
      {{"decision", "new_story"}});
  joined.Increment(static_cast<double>(pending_joined_));
  started.Increment(static_cast<double>(pending_new_stories_));
  pending_joined_ = pending_new_stories_ = 0;
  decider_->Commit();
  committed_next_offset_ = next_offset_;
}

void DedupStage::Rollback() {
  pending_duplicates_ = pending_joined_ = pending_new_stories_ = 0;
  decider_->Rollback();
  next_offset_ = committed_next_offset_;
}

DedupStage::Replay ReplayFromTopic(kafka::ClientConfig client, std::string claims_topic) {
  return [client = std::move(client), claims_topic = std::move(claims_topic)](
             int64_t before, const std::function<void(const kafka::Record&)>& fold) {
    if (before <= 0) return absl::OkStatus();
    // Bounded, so that a replay that cannot finish gives the stage loop back its turn (it
    // retries later) rather than wedging it.
    const absl::Time deadline = absl::Now() + absl::Minutes(10);
    auto stopped = [deadline] { return runtime::ShutdownRequested() || absl::Now() > deadline; };
    auto table = kafka::TableReader::Open(client, claims_topic, {.name = "dedup claims"}, stopped);
    if (!table.ok()) return table.status();
    return (*table)->CatchUp(
        [&](const std::vector<kafka::Record>& batch) {
          for (const kafka::Record& r : batch) {
            if (r.offset < before) fold(r);
          }
        },
        stopped);
  };
}

DedupStage::CommittedOffset CommittedFromGroup(kafka::ClientConfig client, std::string group,
                                               std::string claims_topic) {
  return [client = std::move(client), group = std::move(group),
          claims_topic = std::move(claims_topic)]() -> absl::StatusOr<int64_t> {
    auto offsets = kafka::CommittedOffsets(client, group, claims_topic);
    if (!offsets.ok()) return offsets.status();
    if (offsets->empty()) return absl::NotFoundError("claims topic has no partition");
    return (*offsets)[0];
  };
}

}  // namespace ww::services
