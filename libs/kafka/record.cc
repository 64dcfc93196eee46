#include "libs/kafka/record.h"

#include "absl/strings/str_cat.h"

namespace ww::kafka {

std::optional<std::string_view> Record::header(std::string_view key) const {
  for (const Header& h : headers) {
    if (h.key == key) return h.value;
  }
  return std::nullopt;
}

OutRecord DeadLetterOf(const Record& in, const absl::Status& why, std::string_view stage,
                       const std::string& deadletter_topic) {
  OutRecord out;
  out.topic = deadletter_topic;
  out.key = in.key;
  out.value = in.value;
  out.tombstone = in.tombstone;
  out.headers = in.headers;
  out.headers.push_back({std::string(kHeaderDlqReason), why.ToString()});
  out.headers.push_back({std::string(kHeaderDlqStage), std::string(stage)});
  out.headers.push_back({std::string(kHeaderDlqTopic), in.topic});
  out.headers.push_back({std::string(kHeaderDlqPartition), absl::StrCat(in.partition)});
  out.headers.push_back({std::string(kHeaderDlqOffset), absl::StrCat(in.offset)});
  return out;
}

}  // namespace ww::kafka
