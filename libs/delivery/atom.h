#pragma once
// Alerts as an Atom 1.0 feed (RFC 4287), for feed readers: pure, no network; ww-notifier
// serves it at GET /alerts.atom.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ww/v1/records.pb.h"

namespace ww::delivery {

struct AtomFeedInfo {
  std::string id;        // the feed's permanent id, e.g. "urn:wirewatch:alerts:default"
  std::string title;     // "Wirewatch alerts"
  std::string self_url;  // the URL the feed was fetched from (rel="self"); may be empty
  absl::Time updated;    // the newest entry's time, or now when there is none
};

// One <entry> per alert, in the order given (newest first, as readers expect). An entry's id
// is "urn:wirewatch:alert:" + alert id, the same for every version, so a reader shows an
// updated story (new outlets) as the same entry with a newer <updated>; <published> is when
// it was raised. Title "[SEVERITY] rule: headline", link to the article, author the first
// outlet, a category per watched entity, summary the snippet, content (text) the details.
// Text is escaped for XML; characters XML 1.0 does not allow are dropped.
std::string AtomFeed(const std::vector<ww::v1::Alert>& alerts, const AtomFeedInfo& info);

}  // namespace ww::delivery
