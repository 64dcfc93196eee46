#include "libs/stories/decider.h"

namespace ww::stories {

absl::StatusOr<std::unique_ptr<Decider>> Decider::Create(DeciderOptions options) {
  auto copies = dedup::StoryClusterer::Create(options.copies);
  if (!copies.ok()) return copies.status();
  auto stories = StoryIndex::Create(options.stories);
  if (!stories.ok()) return stories.status();
  return std::unique_ptr<Decider>(new Decider(*std::move(copies), *std::move(stories)));
}

ArticleDecision Decider::Assign(const dedup::ArticleKey& article, int64_t now_ms) {
  ArticleDecision d;
  d.copy = copies_.Assign(article, now_ms);
  if (d.copy.redelivery) return d;
  d.story =
      d.copy.duplicate_of.empty()
          ? stories_.AddReport(article.id, article.source, article.title, article.text, now_ms)
          : stories_.AddCopy(d.copy.cluster.id, article.source, now_ms);
  return d;
}

void Decider::Commit() {
  copies_.Commit();
  stories_.Commit();
}

void Decider::Rollback() {
  copies_.Rollback();
  stories_.Rollback();
}

}  // namespace ww::stories
