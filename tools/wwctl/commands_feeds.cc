// wwctl feeds add|remove|list|import-opml: the feeds ww-ingestor polls, over IngestService.
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/feeds/opml.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"
#include "ww/v1/ingest.grpc.pb.h"

namespace ww::wwctl {
namespace {

std::unique_ptr<ww::v1::IngestService::Stub> Stub(const ParsedArgs& a) {
  return ww::v1::IngestService::NewStub(Channel(a, a.value("ingestor")));
}

std::string When(int64_t ms) { return ms == 0 ? "-" : Rfc3339(ms); }

// One JSON line per feed, the seen-item bookkeeping left out.
std::string Json(ww::v1::FeedState f) {
  f.clear_seen_item_ids();
  return ToJsonLine(f);
}

int Add(const ParsedArgs& a, const std::vector<std::string>& urls, const std::string& command) {
  if (urls.empty()) return Fail(command, "give at least one feed URL", 2);
  auto stub = Stub(a);
  int failed = 0;
  for (const std::string& url : urls) {
    auto ctx = Context(a, absl::Seconds(30));
    ww::v1::AddFeedRequest req;
    req.set_url(url);
    ww::v1::FeedState state;
    grpc::Status s = stub->AddFeed(ctx.get(), req, &state);
    if (!s.ok()) {
      if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
        return FailRpc(command, a.value("ingestor"), s);
      }
      std::fprintf(stderr, "wwctl feeds %s: %s: %s\n", command.c_str(), url.c_str(),
                   s.error_message().c_str());
      ++failed;
      continue;
    }
    if (FormatFromFlag(a.value("output")) == Format::kJson) {
      std::printf("%s\n", Json(state).c_str());
    } else {
      std::printf("%s\t%s\n", state.id().c_str(), state.url().c_str());
    }
  }
  return failed == 0 ? 0 : 1;
}

int FeedsAdd(const ParsedArgs& a) { return Add(a, a.positional(), "add"); }

int FeedsImportOpml(const ParsedArgs& a) {
  if (a.positional().size() != 1) return Fail("feeds import-opml", "give one OPML file", 2);
  absl::StatusOr<std::string> text = ReadFile(a.positional()[0]);
  if (!text.ok()) return Fail("feeds import-opml", std::string(text.status().message()));
  auto urls = feeds::FeedUrlsFromOpml(*text);
  if (!urls.ok()) return Fail("feeds import-opml", std::string(urls.status().message()));
  if (urls->empty()) return Fail("feeds import-opml", "no outline with an xmlUrl in the file");
  return Add(a, *urls, "import-opml");
}

int FeedsRemove(const ParsedArgs& a) {
  if (a.positional().empty()) return Fail("feeds remove", "give a feed URL or id", 2);
  auto stub = Stub(a);
  int failed = 0;
  for (const std::string& which : a.positional()) {
    auto ctx = Context(a, absl::Seconds(30));
    ww::v1::RemoveFeedRequest req;
    (absl::StartsWith(which, "fd-") ? req.mutable_id() : req.mutable_url())->assign(which);
    ww::v1::RemoveFeedResponse resp;
    grpc::Status s = stub->RemoveFeed(ctx.get(), req, &resp);
    if (!s.ok()) {
      failed += FailRpc("feeds remove", a.value("ingestor"), s);
      continue;
    }
    std::printf("removed %s\n", resp.id().c_str());
  }
  return failed == 0 ? 0 : 1;
}

int FeedsList(const ParsedArgs& a) {
  auto stub = Stub(a);
  auto ctx = Context(a, absl::Seconds(30));
  ww::v1::ListFeedsResponse resp;
  grpc::Status s = stub->ListFeeds(ctx.get(), {}, &resp);
  if (!s.ok()) return FailRpc("feeds list", a.value("ingestor"), s);
  if (FormatFromFlag(a.value("output")) == Format::kJson) {
    for (const auto& f : resp.feeds()) std::printf("%s\n", Json(f).c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : resp.feeds()) {
    rows.push_back({f.url(),
                    f.healthy() ? (f.consecutive_failures() > 0 ? "failing" : "ok") : "UNHEALTHY",
                    When(f.last_success_unix_ms()), When(f.next_poll_unix_ms()),
                    absl::StrCat(f.items_published()), f.last_error().substr(0, 60)});
  }
  std::fputs(
      Table({"URL", "HEALTH", "LAST SUCCESS", "NEXT POLL", "ITEMS", "LAST ERROR"}, rows).c_str(),
      stdout);
  return 0;
}

}  // namespace

void AddFeedCommands(Cli& cli) {
  const OptionSpec output{"output", "text|json", "output format", "text"};
  cli.Add({{"feeds", "add"},
           "Adds feeds for ww-ingestor to poll (state in the compacted <prefix>feeds).",
           "URL...",
           "wwctl feeds add https://www.theguardian.com/world/rss",
           {output},
           FeedsAdd});
  cli.Add({{"feeds", "remove"},
           "Stops polling feeds, by URL or id.",
           "URL|ID...",
           "wwctl feeds remove https://www.theguardian.com/world/rss",
           {},
           FeedsRemove});
  cli.Add({{"feeds", "list"},
           "Lists feeds with their health, last success and next poll.",
           "",
           "wwctl feeds list --output json",
           {output},
           FeedsList});
  cli.Add({{"feeds", "import-opml"},
           "Adds every feed of an OPML subscription list.",
           "FILE",
           "wwctl feeds import-opml subscriptions.opml",
           {output},
           FeedsImportOpml});
}

}  // namespace ww::wwctl
