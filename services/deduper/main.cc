// ww-deduper: ww.articles.raw -> ww.dedup.claims -> ww.articles.unique | duplicates.
// Two stage loops (see dedup_stage.h): fingerprinting scales with the replicas; deciding
// runs on the one-partition claims topic, so every copy of a story meets one total order.
#include "absl/flags/flag.h"
#include "libs/runtime/config.h"
#include "libs/runtime/huge_pages.h"
#include "libs/runtime/log.h"
#include "services/common/flags.h"
#include "services/common/host.h"
#include "services/deduper/dedup_stage.h"

ABSL_FLAG(absl::Duration, window, absl::Hours(72), "how long a story is remembered");
ABSL_FLAG(double, min_containment, ww::dedup::MatchOptions().min_containment,
          "near copy: at least this share of the smaller text's shingles (after learned "
          "boilerplate) are also in the other article's (lower confidence bound, 0..1]");
ABSL_FLAG(int, boilerplate_stories, ww::dedup::BoilerplateOptions().min_stories,
          "a shingle carried by this many recent stories is boilerplate, not evidence (2..255)");
ABSL_FLAG(absl::Duration, story_quiet, absl::Hours(36),
          "a story that has taken no new report for this long takes no more: the next report "
          "about the same people starts a new story (and a new alert)");
ABSL_FLAG(double, story_min_probability, ww::stories::StoryOptions().min_probability,
          "a new report joins the most likely story when the model gives it at least this "
          "probability of reporting the same event (0..1; higher: fewer merges, more stories)");
ABSL_FLAG(std::string, group_id, "ww-deduper", "consumer group of the deduper replicas");

int main(int argc, char** argv) {
  using namespace ww;
  // The window's tables are read at random: 2 MiB pages spare most TLB misses (huge_pages.h).
  runtime::UseHugePageHeap(argv);
  runtime::ParseConfig(argc, argv,
                       "ww-deduper: drops copies and near copies of a story already seen within "
                       "--window, and groups independent reports of one event into stories.\nReads "
                       "<prefix>articles.raw, writes <prefix>dedup.claims, "
                       "<prefix>articles.unique and <prefix>articles.duplicates.");
  runtime::Logger log("deduper");
  log.Info("heap", {{"transparent_huge_pages", runtime::HugePageHeapState()}});
  const services::Topics topics = services::TopicsFromFlags();
  const kafka::ClientConfig client = services::ClientConfigFromFlags();
  stories::DeciderOptions options;
  options.copies.window_ms = absl::ToInt64Milliseconds(absl::GetFlag(FLAGS_window));
  options.copies.match.min_containment = absl::GetFlag(FLAGS_min_containment);
  options.copies.boilerplate.min_stories = absl::GetFlag(FLAGS_boilerplate_stories);
  options.stories.window_ms = options.copies.window_ms;
  options.stories.quiet_ms = absl::ToInt64Milliseconds(absl::GetFlag(FLAGS_story_quiet));
  options.stories.min_probability = absl::GetFlag(FLAGS_story_min_probability);
  const std::string group = absl::GetFlag(FLAGS_group_id);
  auto stage = services::DedupStage::Create(
      topics.unique, topics.duplicates, options,
      services::ReplayFromTopic(client, topics.dedup_claims),
      services::CommittedFromGroup(client, group + "-clusters", topics.dedup_claims));
  if (!stage.ok()) {
    log.Error("bad configuration", {{"error", stage.status().ToString()}});
    return 2;
  }
  services::ServiceHost host("ww-deduper");
  absl::Status added = host.AddStage(
      services::StageOptionsFromFlags("deduper-fingerprint", group, {topics.raw}),
      {[&](const kafka::Record& r) { return services::FingerprintArticle(r, topics.dedup_claims); },
       nullptr, nullptr});
  if (added.ok()) {
    // The clusters are rebuilt from the claims topic by the stage itself, on its first
    // record and after every takeover (DedupStage::Process).
    added = host.AddStage(
        services::StageOptionsFromFlags("deduper", group + "-clusters", {topics.dedup_claims}),
        {[&](const kafka::Record& r) { return (*stage)->Process(r); }, [&] { (*stage)->Commit(); },
         [&] { (*stage)->Rollback(); }, [&] { (*stage)->OnRevoke(); }});
  }
  if (!added.ok()) {
    log.Error("bad configuration", {{"error", added.ToString()}});
    return 2;
  }
  return host.Run(absl::GetFlag(FLAGS_grpc_listen));
}
