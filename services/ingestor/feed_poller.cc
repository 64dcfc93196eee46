#include "services/ingestor/feed_poller.h"

#include <algorithm>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/feeds/feed.h"
#include "libs/fetch/fetch.h"
#include "libs/runtime/ids.h"
#include "libs/runtime/log.h"
#include "libs/runtime/metrics.h"

namespace ww::services {
namespace {

const runtime::Logger& Log() {
  static const runtime::Logger log("ingestor.feeds");
  return log;
}

int64_t Ms(absl::Time t) { return t == absl::InfinitePast() ? 0 : absl::ToUnixMillis(t); }
absl::Time FromMs(int64_t ms) { return ms == 0 ? absl::InfinitePast() : absl::FromUnixMillis(ms); }

FeedHealth HealthOf(const ww::v1::FeedState& s) {
  FeedHealth h;
  h.consecutive_failures = s.consecutive_failures();
  h.first_failure = FromMs(s.first_failure_unix_ms());
  h.last_success = FromMs(s.last_success_unix_ms());
  h.last_error = s.last_error();
  h.healthy = s.healthy();
  h.next_poll = FromMs(s.next_poll_unix_ms());
  return h;
}

void SetHealth(const FeedHealth& h, ww::v1::FeedState* s) {
  s->set_consecutive_failures(h.consecutive_failures);
  s->set_first_failure_unix_ms(Ms(h.first_failure));
  s->set_last_success_unix_ms(Ms(h.last_success));
  s->set_last_error(h.last_error);
  s->set_healthy(h.healthy);
  s->set_next_poll_unix_ms(Ms(h.next_poll));
}

}  // namespace

std::string FeedIdOf(const std::string& url) {
  return runtime::DeterministicId("fd", {feeds::CanonicalUrl(url)});
}

FeedPoller::FeedPoller(FeedPollerOptions options, FeedSinks sinks)
    : options_(std::move(options)), sinks_(std::move(sinks)), schedule_(options_.schedule) {}

bool FeedPoller::Owns(const std::string& feed_id) const {
  if (options_.replica_count <= 1) return true;
  return static_cast<int>(runtime::Fnv1a64(feed_id) %
                          static_cast<uint64_t>(options_.replica_count)) == options_.replica_index;
}

void FeedPoller::Apply(const std::string& key, const ww::v1::FeedState* state) {
  absl::MutexLock lock(&mu_);
  if (state == nullptr) {
    feeds_.erase(key);
    return;
  }
  auto it = feeds_.find(key);
  if (it != feeds_.end() && Owns(key) &&
      it->second.last_poll_unix_ms() > state->last_poll_unix_ms()) {
    return;  // an echo of an older write of ours
  }
  feeds_[key] = *state;
}

namespace {
// The tenants of a feed; feeds written before tenants are the tenant "default"'s.
std::vector<std::string> OwnersOf(const ww::v1::FeedState& s) {
  if (s.owners().empty()) return {runtime::kDefaultTenant};
  return {s.owners().begin(), s.owners().end()};
}
bool OwnedBy(const ww::v1::FeedState& s, const std::string& tenant) {
  const std::vector<std::string> owners = OwnersOf(s);
  return std::find(owners.begin(), owners.end(), tenant) != owners.end();
}
}  // namespace

absl::StatusOr<ww::v1::FeedState> FeedPoller::AddFeed(const std::string& url_in,
                                                      const std::string& tenant) {
  std::string url(absl::StripAsciiWhitespace(url_in));
  bool http =
      absl::StartsWithIgnoreCase(url, "http://") || absl::StartsWithIgnoreCase(url, "https://");
  bool file = absl::StartsWithIgnoreCase(url, "file://");
  if (!http && !(file && options_.allow_file_urls)) {
    return absl::InvalidArgumentError(
        absl::StrCat("feed URL '", url, "' must be http or https",
                     options_.allow_file_urls ? " or file" : " (file:// needs --allow_file_urls)"));
  }
  if (http && url.size() <= url.find("://") + 3) {
    return absl::InvalidArgumentError(absl::StrCat("feed URL '", url, "' has no host"));
  }
  absl::MutexLock store_lock(&store_mu_);
  ww::v1::FeedState state;
  state.set_id(FeedIdOf(url));
  {
    absl::MutexLock lock(&mu_);
    auto it = feeds_.find(state.id());
    if (it != feeds_.end()) {
      if (OwnedBy(it->second, tenant)) return it->second;
      state = it->second;  // another tenant's feed: this one joins its owners
    }
  }
  if (state.url().empty()) {
    state.set_url(http ? feeds::CanonicalUrl(url) : url);
    state.set_added_unix_ms(absl::ToUnixMillis(absl::Now()));
    state.set_healthy(true);
  } else {
    const std::vector<std::string> owners = OwnersOf(state);
    state.mutable_owners()->Assign(owners.begin(), owners.end());
  }
  state.add_owners(tenant);
  if (absl::Status st = sinks_.store(state.id(), &state); !st.ok()) return st;
  absl::MutexLock lock(&mu_);
  feeds_[state.id()] = state;
  return state;
}

absl::StatusOr<std::string> FeedPoller::RemoveFeed(const std::string& url_or_id,
                                                   const std::string& tenant) {
  absl::MutexLock store_lock(&store_mu_);
  ww::v1::FeedState state;
  {
    absl::MutexLock lock(&mu_);
    auto it = feeds_.find(url_or_id);
    if (it == feeds_.end()) it = feeds_.find(FeedIdOf(url_or_id));
    // Another tenant's feed is, to this one, no feed at all.
    if (it != feeds_.end() && OwnedBy(it->second, tenant)) state = it->second;
  }
  if (state.id().empty()) return absl::NotFoundError(absl::StrCat("no feed '", url_or_id, "'"));
  std::vector<std::string> owners = OwnersOf(state);
  owners.erase(std::remove(owners.begin(), owners.end(), tenant), owners.end());
  state.mutable_owners()->Assign(owners.begin(), owners.end());
  const std::string id = state.id();
  if (absl::Status st = sinks_.store(id, owners.empty() ? nullptr : &state); !st.ok()) return st;
  absl::MutexLock lock(&mu_);
  if (owners.empty()) {
    feeds_.erase(id);
  } else {
    feeds_[id] = std::move(state);
  }
  return id;
}

std::vector<ww::v1::FeedState> FeedPoller::ListFeeds(
    const std::optional<std::string>& tenant) const {
  std::vector<ww::v1::FeedState> out;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, s] : feeds_) {
      if (!tenant || OwnedBy(s, *tenant)) out.push_back(s);
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.url() < b.url(); });
  for (auto& s : out) {
    s.clear_seen_item_ids();       // internal bookkeeping, not for listings
    if (tenant) s.clear_owners();  // who else reads a feed is theirs to know
  }
  return out;
}

int FeedPoller::PollFeed(ww::v1::FeedState state, absl::Time now) {
  const std::string url = state.url();
  FeedHealth health = HealthOf(state);
  fetch::Request req;
  req.url = url;
  req.etag = state.etag();
  req.last_modified = state.last_modified();
  req.allow_file = options_.allow_file_urls;
  req.address_policy = options_.address_policy;
  req.connect_timeout = options_.connect_timeout;
  req.total_timeout = options_.fetch_timeout;
  req.max_bytes = options_.max_feed_bytes;
  state.set_last_poll_unix_ms(absl::ToUnixMillis(now));
  int published = 0;
  absl::StatusOr<fetch::Response> resp = fetch::Fetch(req);
  absl::StatusOr<feeds::Feed> feed = absl::UnknownError("not fetched");
  const char* result = !resp.ok() ? "fetch_error" : resp->not_modified ? "not_modified" : "ok";
  runtime::Metrics::Default()
      .counter("ww_feeds_polled_total", "feed polls by result", {{"result", result}})
      .Increment();
  if (!resp.ok()) {
    schedule_.OnFailure(state.id(), now, resp.status(), fetch::RetryAfter(resp.status()), &health);
    Log().Warn("feed fetch failed", {{"feed", url},
                                     {"error", resp.status().ToString()},
                                     {"failures", health.consecutive_failures}});
  } else if (resp->not_modified) {
    schedule_.OnSuccess(state.id(), now, &health);
  } else if (feed = feeds::ParseFeed(resp->body, resp->content_type); !feed.ok()) {
    schedule_.OnFailure(state.id(), now, feed.status(), std::nullopt, &health);
    Log().Warn("feed parse failed", {{"feed", url}, {"error", feed.status().ToString()}});
  } else {
    for (const std::string& w : feed->warnings) {
      Log().Info("feed recovered", {{"feed", url}, {"warning", w}});
    }
    std::set<std::string> seen(state.seen_item_ids().begin(), state.seen_item_ids().end());
    const std::string source = feed->title.empty() ? url : feed->title;
    bool all_sent = true;
    for (const feeds::FeedItem& item : feed->items) {
      if (seen.count(item.id)) continue;
      feeds::FeedItem dated = item;
      // An item without a usable date keeps its fetch time.
      if (!dated.published.has_value()) dated.published = now;
      absl::StatusOr<ww::v1::Article> article =
          MakeArticle(ArticleFromFeedItem(dated, url, source), options_.limits);
      if (article.ok()) {
        if (absl::Status sent = sinks_.publish(*article); !sent.ok()) {
          Log().Error("cannot publish feed item", {{"feed", url}, {"error", sent.ToString()}});
          all_sent = false;
          continue;  // not marked seen: the next poll tries again
        }
        ++published;
      } else {
        Log().Warn("feed item skipped",
                   {{"feed", url}, {"item", item.id}, {"error", article.status().ToString()}});
      }
      seen.insert(item.id);
      state.add_seen_item_ids(item.id);
    }
    // Validators only move on once every item is out, so a failed publish is retried.
    if (all_sent) {
      state.set_etag(resp->etag);
      state.set_last_modified(resp->last_modified);
    }
    if (!feed->title.empty()) state.set_title(feed->title);
    int excess = state.seen_item_ids_size() - static_cast<int>(options_.max_seen_items);
    if (excess > 0) state.mutable_seen_item_ids()->DeleteSubrange(0, excess);
    state.set_items_published(state.items_published() + published);
    schedule_.OnSuccess(state.id(), now, &health);
  }
  SetHealth(health, &state);
  absl::MutexLock store_lock(&store_mu_);
  {
    // The owners as they are now: a tenant may have joined or left during the poll.
    absl::MutexLock lock(&mu_);
    auto it = feeds_.find(state.id());
    if (it == feeds_.end()) return published;  // removed meanwhile: write nothing back
    *state.mutable_owners() = it->second.owners();
  }
  if (absl::Status st = sinks_.store(state.id(), &state); !st.ok()) {
    Log().Error("cannot store feed state", {{"feed", url}, {"error", st.ToString()}});
  }
  absl::MutexLock lock(&mu_);
  if (feeds_.count(state.id())) feeds_[state.id()] = std::move(state);  // unless removed meanwhile
  return published;
}

int FeedPoller::PollDue(absl::Time now) {
  std::vector<ww::v1::FeedState> due;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, s] : feeds_) {
      if (Owns(id) && schedule_.Due(HealthOf(s), now)) due.push_back(s);
    }
  }
  std::atomic<size_t> next{0};
  std::atomic<int> published{0};
  auto work = [&] {
    for (size_t i = next++; i < due.size(); i = next++) published += PollFeed(due[i], now);
  };
  int n = std::clamp<int>(options_.workers, 1, std::max<int>(static_cast<int>(due.size()), 1));
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  return published;
}

void FeedPoller::Run(const std::atomic<bool>& stop, const std::function<void()>& refresh) {
  if (refresh) refresh();
  for (const std::string& url : options_.seed_urls) {
    if (absl::StatusOr<ww::v1::FeedState> added = AddFeed(url); !added.ok()) {
      Log().Error("cannot add feed", {{"feed", url}, {"error", added.status().ToString()}});
    }
  }
  while (!stop.load()) {
    if (refresh) refresh();
    int n = PollDue(absl::Now());
    if (n > 0) Log().Info("feed items published", {{"count", n}});
    if (!refresh) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace ww::services
