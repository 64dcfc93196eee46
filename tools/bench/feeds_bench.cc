// Feed parsing and polling throughput, each side by side with its reference in one process.
//
// Parsing, over every XML feed of ../shared/data/feeds (gofeed-testdata parser/{atom,rss}
// and feedparser-tests: small real-world and edge-case feeds), bytes/s = MB/s of feed XML:
//   Parse/Wirewatch     ww::feeds::ParseFeed: encoding detection and conversion, repairs,
//                       libxml2 recover-mode DOM, items, dates, canonical URLs, HTML to text
//   Parse/Libxml2Floor  xmlReadMemory + xmlFreeDoc of the same bytes (RECOVER|NONET): the
//                       parser floor ParseFeed is built on, nothing extracted
// Polling, `--feeds` feeds of 20 items served by a loopback HTTP server in this process
// (tests/support/http_server.h, one connection at a time), FeedPoller with in-memory sinks and
// 4 workers; items/s = feeds/s (wall clock: the work happens on the workers and the server
// thread; the CPU column is the whole process, server included):
//   Poll/200            first polls: every feed fetched, parsed, its 20 items published
//   Poll/304            conditional GETs answered 304 Not Modified
//
//   ww_feeds_bench [--feeds=200] [benchmark flags]
// The parse benchmarks are skipped with a message when the shared data is absent.
#include <benchmark/benchmark.h>
#include <libxml/parser.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/feeds/feed.h"
#include "services/ingestor/feed_poller.h"
#include "tests/support/http_server.h"
#include "tools/bench/bench_data.h"

namespace {

std::vector<std::string> g_feeds;
size_t g_feed_bytes = 0;
int g_poll_feeds = 200;

void LoadFeeds(const std::string& data_dir) {
  namespace fs = std::filesystem;
  for (const char* sub : {"feeds/gofeed-testdata/parser/atom", "feeds/gofeed-testdata/parser/rss",
                          "feeds/feedparser-tests"}) {
    fs::path dir = fs::path(data_dir) / sub;
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".xml") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream buf;
      buf << in.rdbuf();
      g_feed_bytes += buf.str().size();
      g_feeds.push_back(buf.str());
    }
  }
}

void BM_ParseWirewatch(benchmark::State& state) {
  size_t items = 0;
  for (auto _ : state) {
    for (const std::string& doc : g_feeds) {
      auto feed = ww::feeds::ParseFeed(doc);
      if (feed.ok()) items += feed->items.size();
      benchmark::DoNotOptimize(feed);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * g_feed_bytes));
  state.counters["feeds"] = static_cast<double>(g_feeds.size());
  state.counters["items/pass"] = static_cast<double>(items) / state.iterations();
}

void BM_ParseLibxml2Floor(benchmark::State& state) {
  for (auto _ : state) {
    for (const std::string& doc : g_feeds) {
      xmlDocPtr parsed = xmlReadMemory(
          doc.data(), static_cast<int>(doc.size()), nullptr, nullptr,
          XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
      benchmark::DoNotOptimize(parsed);
      xmlFreeDoc(parsed);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * g_feed_bytes));
}

// /feed/<n>: 20 items, ETag "e<n>", 304 on a matching If-None-Match.
ww::testing::HttpServer::Response ServeFeed(const std::string& request) {
  using ww::testing::HttpServer;
  std::string path = HttpServer::Path(request);
  if (!absl::StartsWith(path, "/feed/")) return HttpServer::Reply("404 Not Found", "", "");
  std::string n = path.substr(6);
  auto body = [&] {
    std::string body = absl::StrCat(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Feed ", n,
        "</title><link>https://news.example/", n, "/</link>");
    for (int i = 0; i < 20; ++i) {
      absl::StrAppend(&body, "<item><title>Story ", i, " of feed ", n,
                      "</title><link>https://news.example/", n, "/", i, "?utm_source=rss</link>",
                      "<guid>", n, "-", i,
                      "</guid><pubDate>Tue, 02 Sep 2025 14:05:00 GMT</pubDate>",
                      "<description>&lt;p&gt;A paragraph of the story, with &amp;amp; entities "
                      "and &lt;b&gt;markup&lt;/b&gt;, long enough to look like a lead.&lt;/p&gt;"
                      "</description></item>");
    }
    return body + "</channel></rss>";
  };
  return HttpServer::Conditional(request, absl::StrCat("\"e", n, "\""), "application/rss+xml",
                                 body);
}

struct PollRig {
  ww::testing::HttpServer server{ServeFeed};
  std::mutex mu;
  size_t published = 0;
  std::unique_ptr<ww::services::FeedPoller> poller;

  void Reset() {
    ww::services::FeedPollerOptions o;
    o.address_policy = *ww::fetch::AddressPolicy::Create({"127.0.0.1/32"});
    o.schedule.jitter = 0;
    ww::services::FeedSinks sinks;
    sinks.publish = [this](const ww::v1::Article&) {
      std::lock_guard<std::mutex> l(mu);
      ++published;
      return absl::OkStatus();
    };
    sinks.store = [](const std::string&, const ww::v1::FeedState*) { return absl::OkStatus(); };
    poller = std::make_unique<ww::services::FeedPoller>(o, sinks);
    for (int i = 0; i < g_poll_feeds; ++i) {
      (void)poller->AddFeed(server.Url(absl::StrCat("/feed/", i)));
    }
  }
};

const absl::Time kT0 = absl::FromUnixSeconds(1756800000);

void BM_Poll200(benchmark::State& state) {
  PollRig rig;
  for (auto _ : state) {
    state.PauseTiming();
    rig.Reset();
    state.ResumeTiming();
    rig.poller->PollDue(kT0);
  }
  state.SetItemsProcessed(state.iterations() * g_poll_feeds);
  state.counters["items_published/iter"] = static_cast<double>(rig.published) / state.iterations();
  if (rig.published != static_cast<size_t>(state.iterations() * g_poll_feeds * 20)) {
    state.SkipWithError("not every item was published");
  }
}

void BM_Poll304(benchmark::State& state) {
  PollRig rig;
  rig.Reset();
  rig.poller->PollDue(kT0);
  rig.published = 0;
  absl::Time now = kT0;
  for (auto _ : state) {
    now += absl::Hours(1);  // every feed due again
    rig.poller->PollDue(now);
  }
  state.SetItemsProcessed(state.iterations() * g_poll_feeds);
  if (rig.published != 0) state.SkipWithError("a 304 published items");
}

}  // namespace

void Quiet(void*, const char*, ...) {}

int main(int argc, char** argv) {
  xmlSetGenericErrorFunc(nullptr, Quiet);  // the floor's libxml2 would print every recovery
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::StartsWith(arg, "--feeds=")) {
      if (!absl::SimpleAtoi(arg.substr(8), &g_poll_feeds) || g_poll_feeds < 1) {
        std::fprintf(stderr, "--feeds wants a positive number\n");
        return 2;
      }
    } else {
      rest.push_back(argv[i]);
    }
  }
  std::optional<std::string> data = ww::bench::FindDataDir();
  if (data) LoadFeeds(*data);
  if (g_feeds.empty()) {
    std::printf("feeds_bench: no feeds in ../shared/data/feeds; parse benchmarks skipped\n");
  } else {
    std::printf("feeds_bench: %zu feeds, %.2f MB of XML\n", g_feeds.size(), g_feed_bytes / 1e6);
    benchmark::RegisterBenchmark("Parse/Wirewatch", BM_ParseWirewatch)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("Parse/Libxml2Floor", BM_ParseLibxml2Floor)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("Poll/200", BM_Poll200)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MeasureProcessCPUTime();
  benchmark::RegisterBenchmark("Poll/304", BM_Poll304)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MeasureProcessCPUTime();
  int bench_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&bench_argc, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
