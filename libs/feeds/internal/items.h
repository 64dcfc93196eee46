// Internal to ww::feeds: what every format's parser shares once it has found an item's fields.
#ifndef WW_LIBS_FEEDS_INTERNAL_ITEMS_H_
#define WW_LIBS_FEEDS_INTERNAL_ITEMS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/feeds/feed.h"

namespace ww::feeds::internal {

// Parses `date_raw` into item.published (an unparseable date becomes a warning and the item
// keeps no date, so the caller's fetch time stands), skips an item with no title, url and text
// (with a warning), fills the id (given id, else url, else "sha256:" of title and text) and
// appends the item to feed->items.
void FinishItem(FeedItem item, const std::string& date_raw, Feed* feed);

// `ref` resolved against `base` (RFC 3986) when it is relative and base is set; else `ref`.
std::string ResolveUrl(absl::string_view base, absl::string_view ref);

// Fills `feed` (format, title, link, items) from a JSON Feed document in UTF-8.
// InvalidArgument "not a feed: ..." when it is not JSON or not a JSON Feed.
absl::Status ParseJsonFeed(absl::string_view utf8, Feed* feed);

}  // namespace ww::feeds::internal

#endif  // WW_LIBS_FEEDS_INTERNAL_ITEMS_H_
