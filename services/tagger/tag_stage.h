#pragma once
// The tagger's stage function: Article in, TaggedArticle out (with the mentions of watched
// entities in title and text: at most kMaxMentionsPerEntity of each are carried, title
// first, and the true count of each is in mention_counts, so an article that names someone
// 20,000 times is still a small record and still alerts). Thread-safe if the snapshot
// source is.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kafka/record.h"
#include "services/tagger/watchlist_table.h"

namespace ww::services {

class TagStage {
 public:
  static constexpr uint32_t kMaxMentionsPerEntity = 50;

  TagStage(std::string out_topic, std::function<MatcherSnapshot()> matcher)
      : out_topic_(std::move(out_topic)), matcher_(std::move(matcher)) {}

  // InvalidArgument for a record that is not an Article (it goes to the dead letters).
  absl::StatusOr<std::vector<kafka::OutRecord>> Process(const kafka::Record& in) const;

 private:
  std::string out_topic_;
  std::function<MatcherSnapshot()> matcher_;
};

}  // namespace ww::services
