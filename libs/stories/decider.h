#pragma once
// The deduper's whole decision for one article: is it a copy (libs/dedup StoryClusterer),
// and which story does it belong to (StoryIndex). A copy belongs to its report's story; the
// first article of a copy cluster is a new report and joins the story of its event, or
// starts one. The deduper's stage, `wwctl dedup`, `wwctl stories` and the evaluation all run
// this one class, so they decide alike. Deterministic, journalled, not thread-safe (see
// clusterer.h and story_index.h).
#include <memory>

#include "absl/status/statusor.h"
#include "libs/dedup/clusterer.h"
#include "libs/stories/story_index.h"

namespace ww::stories {

struct DeciderOptions {
  dedup::ClustererOptions copies;
  StoryOptions stories;
};

struct ArticleDecision {
  dedup::Decision copy;
  StoryDecision story;  // unset (empty id) for a redelivery
};

class Decider {
 public:
  // InvalidArgument for a bad option of either layer.
  static absl::StatusOr<std::unique_ptr<Decider>> Create(DeciderOptions options);

  ArticleDecision Assign(const dedup::ArticleKey& article, int64_t now_ms);
  void Commit();
  void Rollback();

  const dedup::StoryClusterer& copies() const { return copies_; }
  const StoryIndex& stories() const { return stories_; }

 private:
  Decider(dedup::StoryClusterer copies, StoryIndex stories)
      : copies_(std::move(copies)), stories_(std::move(stories)) {}
  dedup::StoryClusterer copies_;
  StoryIndex stories_;
};

}  // namespace ww::stories
