#include "services/ingestor/feed_poller.h"

#include <thread>

#include "libs/fetch/fetch.h"
#include "libs/feeds/feed.h"
#include "libs/runtime/log.h"

namespace ww::services {
namespace {
const runtime::Logger& Log() {
  static const runtime::Logger log("ingestor.feeds");
  return log;
}
}  // namespace

int FeedPoller::PollOnce() {
  int published = 0;
  for (const std::string& url : options_.feed_urls) {
    FeedState& st = state_[url];
    fetch::Request req;
    req.url = url;
    req.etag = st.etag;
    req.last_modified = st.last_modified;
    req.allow_file = options_.allow_file_urls;
    auto resp = fetch::Fetch(req);
    if (!resp.ok()) {
      Log().Warn("feed fetch failed", {{"feed", url}, {"error", resp.status().ToString()}});
      continue;
    }
    if (resp->not_modified) continue;
    st.etag = resp->etag;
    st.last_modified = resp->last_modified;
    auto feed = feeds::ParseFeed(resp->body, resp->content_type);
    if (!feed.ok()) {
      Log().Warn("feed parse failed", {{"feed", url}, {"error", feed.status().ToString()}});
      continue;
    }
    for (const std::string& w : feed->warnings) Log().Info("feed recovered", {{"feed", url}, {"warning", w}});
    const std::string source = feed->title.empty() ? url : feed->title;
    for (const feeds::FeedItem& item : feed->items) {
      if (st.seen_items.count(item.id)) continue;
      auto article = MakeArticle(ArticleFromFeedItem(item, url, source), options_.limits);
      if (!article.ok()) {
        Log().Warn("feed item skipped", {{"feed", url}, {"item", item.id},
                                         {"error", article.status().ToString()}});
        st.seen_items.insert(item.id);
        continue;
      }
      auto sent = producer_->Send({raw_topic_, article->id(), article->SerializeAsString()});
      if (!sent.ok()) {
        // Not marked seen: the next poll tries again.
        Log().Error("cannot publish feed item", {{"feed", url}, {"error", sent.status().ToString()}});
        continue;
      }
      st.seen_items.insert(item.id);
      ++published;
    }
  }
  return published;
}

void FeedPoller::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    int n = PollOnce();
    if (n > 0) Log().Info("feed items published", {{"count", n}});
    for (absl::Time next = absl::Now() + options_.interval; !stop.load() && absl::Now() < next;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

}  // namespace ww::services
