#include "libs/stories/decider.h"

namespace ww::stories {

absl::StatusOr<std::unique_ptr<Decider>> Decider::Create(DeciderOptions options) {
  auto copies = dedup::StoryClusterer::Create(options.copies);
  if (!copies.ok()) return copies.status();
  auto stories = StoryIndex::Create(options.stories);
  if (!stories.ok()) return stories.status();
  return std::unique_ptr<Decider>(new Decider(*std::move(copies), *std::move(stories)));
}

ArticleDecision Decider::Assign(dedup::ArticleKey article, int64_t now_ms) {
  const std::string id = article.id, source = article.source, title = article.title;
  // The clusterer takes the text; keep it only when this is a new report.
  std::string text = article.text;
  ArticleDecision d;
  d.copy = copies_.Assign(std::move(article), now_ms);
  if (d.copy.redelivery) return d;
  d.story = d.copy.duplicate_of.empty() ? stories_.AddReport(id, source, title, text, now_ms)
                                        : stories_.AddCopy(d.copy.cluster.id, source, now_ms);
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
