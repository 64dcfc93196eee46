// OPML subscription lists (what feed readers export) to feed URLs.
#ifndef WW_LIBS_FEEDS_OPML_H_
#define WW_LIBS_FEEDS_OPML_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ww::feeds {

// The xmlUrl of every <outline> (nested outlines included), trimmed, in document order,
// duplicates removed. Parsed without DTDs, external entities or network access. Pure and
// thread-safe. InvalidArgument when the document is not XML or its root is not <opml>.
absl::StatusOr<std::vector<std::string>> FeedUrlsFromOpml(std::string_view opml);

}  // namespace ww::feeds

#endif  // WW_LIBS_FEEDS_OPML_H_
