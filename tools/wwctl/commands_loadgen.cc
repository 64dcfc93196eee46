// wwctl loadgen: submits generated articles to the running pipeline at a set rate (or as fast
// as it takes them) and measures the time from each submit to the alert it raises, as an
// operator sizing a deployment would (issue 18). The alerts come from a subscription opened
// before the first submit; an alert is matched to its article by URL (every article has its
// own; an update of a story's alert carries the newest one as latest_url). Each article is
// submitted with a trace of its own (W3C traceparent), which every stage passes on to the
// records it makes; after the run, the records of that trace on each topic tell how long each
// hop took (loadgen.h, ArticleTimeline).
#include <atomic>
#include <cstdio>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/runtime/json.h"
#include "libs/runtime/trace.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/kafka_hops.h"
#include "tools/wwctl/loadgen.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"
#include "ww/v1/alerts.grpc.pb.h"
#include "ww/v1/ingest.grpc.pb.h"

namespace ww::wwctl {
namespace {

struct Options {
  double rate = 100;  // articles a second; 0: as fast as the pipeline takes them
  absl::Duration duration = absl::Seconds(30);
  int64_t count = 0;  // 0: for `duration`
  int concurrency = 8;
  absl::Duration settle = absl::Seconds(10);
  absl::Duration warmup = absl::Seconds(60);
  absl::Duration ramp = absl::Seconds(30);  // at the rate, not measured (with --duration)
  LoadMix mix;
  uint64_t seed = 1;
  bool hops = true;             // read the topics after the run for the time of each hop
  bool kafka_baseline = false;  // then the same load through hops that do nothing
};

absl::StatusOr<Options> ParseOptions(const ParsedArgs& a) {
  Options o;
  if (!absl::SimpleAtod(a.value("rate"), &o.rate) || o.rate < 0) {
    return absl::InvalidArgumentError("--rate must be a number of articles a second (0: max)");
  }
  auto duration = ParseDuration(a.value("duration"));
  if (!duration.ok()) return duration.status();
  o.duration = *duration;
  auto settle = ParseDuration(a.value("settle"));
  if (!settle.ok()) return settle.status();
  o.settle = *settle;
  auto warmup = ParseDuration(a.value("warmup"));
  if (!warmup.ok()) return warmup.status();
  o.warmup = *warmup;
  auto ramp = ParseDuration(a.value("ramp"));
  if (!ramp.ok()) return ramp.status();
  o.ramp = *ramp;
  if (!absl::SimpleAtoi(a.value("count"), &o.count) || o.count < 0) {
    return absl::InvalidArgumentError("--count must be a whole number (0: for --duration)");
  }
  if (!absl::SimpleAtoi(a.value("concurrency"), &o.concurrency) || o.concurrency < 1) {
    return absl::InvalidArgumentError("--concurrency must be 1 or more");
  }
  if (!absl::SimpleAtod(a.value("mentions"), &o.mix.mentions) || o.mix.mentions < 0 ||
      o.mix.mentions > 1 || !absl::SimpleAtod(a.value("copies"), &o.mix.copies) ||
      o.mix.copies < 0 || o.mix.copies > 1) {
    return absl::InvalidArgumentError("--mentions and --copies are shares between 0 and 1");
  }
  o.mix.names = absl::StrSplit(a.value("names"), ',', absl::SkipWhitespace());
  if (a.value("seed").empty()) {
    // A run's articles must be new to the pipeline: the same articles again are copies of
    // the last run's, which the deduper folds into their stories (no new alerts).
    o.seed = static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  } else if (!absl::SimpleAtoi(a.value("seed"), &o.seed)) {
    return absl::InvalidArgumentError("--seed must be a whole number");
  }
  if (a.value("hops") != "true" && a.value("hops") != "false") {
    return absl::InvalidArgumentError("--hops is true or false");
  }
  o.hops = a.value("hops") == "true";
  if (a.has("kafka-baseline")) {
    if (o.rate <= 0) {
      return absl::InvalidArgumentError(
          "--kafka-baseline needs a --rate (the hops run at the pipeline's rate)");
    }
    if (o.count > 0) return absl::InvalidArgumentError("--kafka-baseline runs for --duration");
    o.kafka_baseline = true;
  }
  return o;
}

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

// The run's articles: their timelines, found by URL (an alert names it) and by trace id (a
// record's traceparent header names it).
struct Timelines {
  std::vector<ArticleTimeline> all;
  std::map<std::string, size_t> by_url, by_trace;
  size_t alerted = 0;  // articles whose first alert arrived

  void Add(const std::string& url, const std::string& trace_id, int64_t submitted_us) {
    by_url[url] = all.size();
    if (!trace_id.empty()) by_trace[trace_id] = all.size();
    all.push_back({.submitted_ms = static_cast<double>(submitted_us) / 1000});
  }
  bool Alerted(const std::string& url) const {
    auto it = by_url.find(url);
    return it != by_url.end() && all[it->second].received_ms > 0;
  }
};

// Stamps each article's timeline with the first record of its trace on each topic written
// since `since_ms`. An error when a topic cannot be read (no Kafka access from here).
absl::Status StampFromTopics(const ParsedArgs& a, int64_t since_ms, Timelines& t) {
  const std::string prefix = a.value("topic-prefix");
  const std::pair<std::string, int64_t ArticleTimeline::*> topics[] = {
      {prefix + "articles.raw", &ArticleTimeline::raw_ms},
      {prefix + "articles.unique", &ArticleTimeline::unique_ms},
      {prefix + "articles.tagged", &ArticleTimeline::tagged_ms},
      {prefix + "alerts", &ArticleTimeline::alert_ms}};
  for (const auto& entry : topics) {
    const std::string& topic = entry.first;
    int64_t ArticleTimeline::*const field = entry.second;  // a lambda cannot capture a binding
    absl::Status s = ReadRange(KafkaClient(a), topic, since_ms, 0, [&](const kafka::Record& r) {
      auto tp = r.header(runtime::kTraceparentHeader);
      if (!tp) return;
      auto trace = runtime::TraceContext::Parse(*tp);
      if (!trace) return;
      auto it = t.by_trace.find(trace->trace_id);
      if (it == t.by_trace.end()) return;
      int64_t& at = t.all[it->second].*field;
      if (at == 0 || r.timestamp_ms < at) at = r.timestamp_ms;
    });
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat(topic, ": ", s.message()));
  }
  return absl::OkStatus();
}

ww::v1::SubmitRequest ToRequest(const LoadArticle& article) {
  ww::v1::SubmitRequest req;
  req.set_title(article.title);
  req.set_text(article.text);
  req.set_url(article.url);
  req.set_source(article.source);
  req.set_published_unix_ms(absl::ToUnixMillis(absl::Now()));
  return req;
}

nlohmann::ordered_json LatencyJson(const LatencyStats& l) {
  return {{"count", l.count()},
          {"p50_ms", l.Quantile(0.5)},
          {"p90_ms", l.Quantile(0.9)},
          {"p99_ms", l.Quantile(0.99)},
          {"max_ms", l.Max()}};
}

// The same load through four hops that do nothing, plain and transactional (kafka_hops.h).
struct Baseline {
  HopsResult plain, transactional;
  std::string error;
};

void RunBaseline(const ParsedArgs& a, const Options& o, const std::string& run, bool json,
                 Baseline* out) {
  for (bool txn : {false, true}) {
    HopsOptions h;
    h.transactional = txn;
    h.rate = o.rate;
    h.duration = o.duration;
    h.ramp = o.ramp;
    h.concurrency = o.concurrency;
    h.topic_base =
        absl::StrCat(a.value("topic-prefix"), "loadgen.", run, txn ? ".txn." : ".plain.");
    h.deadletter_topic = a.value("topic-prefix") + "deadletter";
    if (!json) {
      std::fprintf(stderr, "the raw Kafka path: %s hops at %g/s for %s...\n",
                   txn ? "4 transactional" : "4 plain", o.rate,
                   absl::FormatDuration(o.ramp + o.duration).c_str());
    }
    ArticleGenerator gen(o.mix, o.seed);
    absl::Status s = RunKafkaHops(
        KafkaClient(a), h, [&] { return gen.Next(run).text; },
        txn ? &out->transactional : &out->plain);
    if (!s.ok()) {
      out->error = std::string(s.message());
      std::fprintf(stderr, "wwctl loadgen: the raw Kafka path failed: %s\n", out->error.c_str());
      return;
    }
  }
}

nlohmann::ordered_json HopsJson(const std::array<LatencyStats, kHops>& hops) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (int h = 0; h < kHops; ++h) {
    if (hops[h].count() == 0) continue;
    j[kHopNames[h]] = {{"count", hops[h].count()},
                       {"p50_ms", hops[h].Quantile(0.5)},
                       {"p99_ms", hops[h].Quantile(0.99)},
                       {"max_ms", hops[h].Max()}};
  }
  return j;
}

int Loadgen(const ParsedArgs& a) {
  const std::string cmd = "loadgen";
  auto parsed = ParseOptions(a);
  if (!parsed.ok()) return Fail(cmd, std::string(parsed.status().message()), 2);
  const Options o = *parsed;
  const bool json = FormatFromFlag(a.value("output")) == Format::kJson;

  // The alerts first, so that none raised by the first articles is missed.
  auto alerts_stub = ww::v1::AlertService::NewStub(Channel(a, a.value("alerter")));
  auto alerts_ctx = Context(a, absl::InfiniteDuration());
  auto reader = alerts_stub->SubscribeBatched(alerts_ctx.get(), ww::v1::SubscribeRequest());
  reader->WaitForInitialMetadata();

  absl::Mutex mu;
  Timelines timelines;
  std::set<std::string> named_urls;  // measured articles that name a watched name
  std::set<std::string> ramp_urls;   // submitted during --ramp: not measured
  LatencyStats to_alert, raised;     // received, and raised/updated, minus submit
  std::atomic<int64_t> alerts{0}, unmatched{0};
  std::thread alert_reader([&] {
    ww::v1::AlertBatch batch;
    while (reader->Read(&batch)) {
      const int64_t now = NowMicros();
      for (const ww::v1::Alert& alert : batch.alerts()) {
        ++alerts;
        const std::string& url = alert.latest_url().empty() ? alert.url() : alert.latest_url();
        absl::MutexLock lock(&mu);
        auto it = timelines.by_url.find(url);
        if (it == timelines.by_url.end()) {
          if (ramp_urls.contains(url)) {
            --alerts;  // the ramp's, not measured
          } else {
            ++unmatched;  // another client's article, or one submitted before this run
          }
          continue;
        }
        ArticleTimeline& t = timelines.all[it->second];
        if (t.received_ms > 0) continue;  // its second rule
        t.received_ms = static_cast<double>(now) / 1000;
        ++timelines.alerted;
        to_alert.Add(t.received_ms - t.submitted_ms);
        const int64_t when_ms =
            alert.version() > 1 ? alert.updated_unix_ms() : alert.raised_unix_ms();
        raised.Add(static_cast<double>(when_ms) - t.submitted_ms);
      }
    }
  });

  // Submitters: article i is due at start + i / rate; each thread takes the next i.
  const std::string run = absl::StrCat(absl::ToUnixSeconds(absl::Now()));
  ArticleGenerator generator(o.mix, o.seed);
  auto ingest_stub = ww::v1::IngestService::NewStub(Channel(a, a.value("ingestor")));
  // A pipeline just started is still joining its consumer groups: one probe article that
  // names a watched name, and its alert, before the clock starts.
  bool probe_alerted = true;  // the probe article raised its alert (or there was none)
  if (!o.mix.names.empty()) {
    LoadMix probe_mix = o.mix;
    probe_mix.mentions = 1;
    probe_mix.copies = 0;
    const LoadArticle probe = ArticleGenerator(probe_mix, o.seed + 1).Next(run + "-probe");
    const ww::v1::SubmitRequest req = ToRequest(probe);
    ww::v1::SubmitResponse resp;
    auto ctx = Context(a, absl::Seconds(30));
    if (grpc::Status s = ingest_stub->Submit(ctx.get(), req, &resp); !s.ok()) {
      alerts_ctx->TryCancel();
      alert_reader.join();
      return FailRpc(cmd, a.value("ingestor"), s);
    }
    {
      absl::MutexLock lock(&mu);
      timelines.Add(probe.url, "", NowMicros());
    }
    const absl::Time give_up = absl::Now() + o.warmup;
    bool warm = false;
    while (!warm && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(50));
      absl::MutexLock lock(&mu);
      warm = timelines.Alerted(probe.url);
    }
    probe_alerted = warm;
    if (!warm) {
      std::fprintf(stderr,
                   "wwctl loadgen: no alert for a probe article within %s (are --names watched, "
                   "with rules that alert on them?); measuring anyway\n",
                   absl::FormatDuration(o.warmup).c_str());
    }
    absl::MutexLock lock(&mu);
    timelines = {};
    to_alert.Clear();
    raised.Clear();
    alerts = 0;
    unmatched = 0;
  }
  absl::Mutex gen_mu;
  std::atomic<int64_t> next{0}, done{0}, failed{0}, copies{0}, named{0};
  std::string first_error;
  const absl::Time start = absl::Now();
  // The first --ramp runs at the rate unmeasured: right after a start (or a quiet spell)
  // the broker's JIT is cold and the stages' batches small, and the first second's p99
  // says more about that than about the rate.
  const absl::Time measure_from = o.count > 0 ? start : start + o.ramp;
  const absl::Time end = measure_from + o.duration;
  std::vector<std::thread> workers;
  for (int w = 0; w < o.concurrency; ++w) {
    workers.emplace_back([&] {
      for (;;) {
        const int64_t i = next++;
        if (o.count > 0 && i >= o.count) return;
        const absl::Time due =
            o.rate > 0 ? start + absl::Seconds(static_cast<double>(i) / o.rate) : absl::Now();
        if (o.count == 0 && due >= end) return;
        absl::SleepFor(due - absl::Now());
        const bool ramping = (o.rate > 0 ? due : absl::Now()) < measure_from;
        LoadArticle article;
        {
          absl::MutexLock lock(&gen_mu);
          article = generator.Next(run);
        }
        const ww::v1::SubmitRequest req = ToRequest(article);
        ww::v1::SubmitResponse resp;
        auto ctx = Context(a, absl::Seconds(30));
        const runtime::TraceContext trace = runtime::TraceContext::NewRoot(article.url);
        ctx->AddMetadata(std::string(runtime::kTraceparentHeader), trace.ToString());
        const int64_t sent = NowMicros();
        grpc::Status s = ingest_stub->Submit(ctx.get(), req, &resp);
        if (!s.ok()) {
          absl::MutexLock lock(&mu);
          if (first_error.empty()) first_error = s.error_message();
          ++failed;
          continue;
        }
        if (ramping) {
          absl::MutexLock lock(&mu);
          ramp_urls.insert(article.url);
          continue;
        }
        {
          absl::MutexLock lock(&mu);
          timelines.Add(article.url, trace.trace_id, sent);
        }
        ++done;
        copies += article.copy;
        named += article.mentions;
        if (article.mentions) {
          absl::MutexLock lock(&mu);
          named_urls.insert(article.url);
        }
      }
    });
  }
  // Progress, once a second, while the submitters run.
  std::atomic<bool> submitting{true};
  std::thread progress([&] {
    while (submitting) {
      absl::SleepFor(absl::Seconds(1));
      if (!submitting || json) continue;
      if (absl::Now() < measure_from) {
        std::fprintf(stderr, "\rramping up for %s at the rate (not measured)",
                     absl::FormatDuration(o.ramp).c_str());
        continue;
      }
      const double secs = absl::ToDoubleSeconds(absl::Now() - measure_from);
      std::fprintf(stderr,
                   "\r%.0f s: %lld submitted (%.0f/s), %lld failed, %lld alerts, p99 %.0f ms", secs,
                   static_cast<long long>(done.load()), static_cast<double>(done) / secs,
                   static_cast<long long>(failed.load()), static_cast<long long>(alerts.load()),
                   to_alert.Quantile(0.99));
    }
  });
  for (auto& t : workers) t.join();
  const double submit_secs = absl::ToDoubleSeconds(absl::Now() - measure_from);
  submitting = false;
  progress.join();
  if (!json) std::fprintf(stderr, "\n");
  // The last articles' alerts: wait up to --settle, less when every named one has its alert.
  const absl::Time settle_end = absl::Now() + o.settle;
  while (absl::Now() < settle_end) {
    {
      absl::MutexLock lock(&mu);
      if (static_cast<int64_t>(timelines.alerted) >= named.load()) break;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  alerts_ctx->TryCancel();
  alert_reader.join();
  reader->Finish();

  // Per hop, from the records each article left on the topics.
  std::array<LatencyStats, kHops> hops;
  std::string hops_error;
  if (o.hops) {
    if (!json) std::fprintf(stderr, "reading the topics for the time of each hop...\n");
    const int64_t since_ms = absl::ToUnixMillis(measure_from) - 1000;
    if (absl::Status s = StampFromTopics(a, since_ms, timelines); !s.ok()) {
      hops_error = std::string(s.message());
      std::fprintf(stderr,
                   "wwctl loadgen: no per-hop times (they need read access to the topics, "
                   "--bootstrap-servers): %s\n",
                   hops_error.c_str());
    } else {
      for (const ArticleTimeline& t : timelines.all) AddHops(t, hops);
    }
  }

  const double achieved = static_cast<double>(done) / std::max(submit_secs, 1e-9);
  size_t matched;
  int64_t named_alerted = 0;
  {
    absl::MutexLock lock(&mu);
    matched = timelines.alerted;
    for (const std::string& url : named_urls) named_alerted += timelines.Alerted(url);
  }
  // The probe, which names only --names, raised no alert: the names are not watched (or no
  // rule alerts on them), which says nothing about speed. Otherwise every named article
  // should alert (or update its story's alert); far fewer within --settle means the
  // pipeline did not keep up, whatever the percentiles say.
  const bool nothing_alerts = !probe_alerted && named_alerted == 0;
  const bool fell_behind =
      probe_alerted && static_cast<double>(named_alerted) < 0.9 * static_cast<double>(named.load());
  Baseline baseline;
  if (o.kafka_baseline) RunBaseline(a, o, run, json, &baseline);

  if (json) {
    nlohmann::ordered_json kafka = nlohmann::ordered_json::object();
    if (o.kafka_baseline && baseline.error.empty()) {
      kafka["plain_hops"] = LatencyJson(baseline.plain.latency);
      kafka["plain_hops"]["sent"] = baseline.plain.sent;
      kafka["transactional_hops"] = LatencyJson(baseline.transactional.latency);
      kafka["transactional_hops"]["sent"] = baseline.transactional.sent;
    } else if (!baseline.error.empty()) {
      kafka["error"] = baseline.error;
    }
    std::puts(runtime::ToJsonLine({{"rate_target", o.rate},
                                   {"rate_achieved", achieved},
                                   {"seconds", submit_secs},
                                   {"submitted", done.load()},
                                   {"failed", failed.load()},
                                   {"copies", copies.load()},
                                   {"naming_watched", named.load()},
                                   {"alerts", alerts.load()},
                                   {"alerts_of_other_articles", unmatched.load()},
                                   {"articles_alerted", static_cast<int64_t>(matched)},
                                   {"fell_behind", fell_behind},
                                   {"no_alerts", nothing_alerts},
                                   {"p50_ms", to_alert.Quantile(0.5)},
                                   {"p90_ms", to_alert.Quantile(0.9)},
                                   {"p99_ms", to_alert.Quantile(0.99)},
                                   {"max_ms", to_alert.Max()},
                                   {"raised_p50_ms", raised.Quantile(0.5)},
                                   {"raised_p99_ms", raised.Quantile(0.99)},
                                   {"hops", HopsJson(hops)},
                                   {"kafka_baseline", kafka}})
                  .c_str());
  } else {
    std::printf(
        "submitted %lld articles in %.1f s: %.1f/s (target %s), %lld failed\n"
        "  %lld name a watched name, %lld are copies of earlier ones\n"
        "alerts: %lld received (%lld for articles not of this run), %zu articles alerted\n"
        "submit -> alert received: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms\n"
        "submit -> alert raised (the alerter's clock): p50 %.0f ms, p99 %.0f ms\n",
        static_cast<long long>(done.load()), submit_secs, achieved,
        o.rate > 0 ? absl::StrCat(o.rate, "/s").c_str() : "as fast as it takes them",
        static_cast<long long>(failed.load()), static_cast<long long>(named.load()),
        static_cast<long long>(copies.load()), static_cast<long long>(alerts.load()),
        static_cast<long long>(unmatched.load()), matched, to_alert.Quantile(0.5),
        to_alert.Quantile(0.9), to_alert.Quantile(0.99), to_alert.Max(), raised.Quantile(0.5),
        raised.Quantile(0.99));
    if (nothing_alerts && named.load() > 0) {
      std::printf(
          "NO ALERTS: none of the %lld articles naming %s raised an alert; are those names "
          "in the watchlist, with a rule that alerts on them (wwctl watchlist apply "
          "samples/watchlist.yaml)?\n",
          static_cast<long long>(named.load()), absl::StrJoin(o.mix.names, ", ").c_str());
    }
    if (fell_behind) {
      std::printf(
          "FELL BEHIND: only %lld of the %lld articles that name a watched name raised an alert "
          "within --settle (%s); the percentiles above are of those that did. The pipeline "
          "does not sustain this rate (see ww_consumer_lag, `wwctl status`).\n",
          static_cast<long long>(named_alerted), static_cast<long long>(named.load()),
          absl::FormatDuration(o.settle).c_str());
    }
    if (o.hops && hops_error.empty()) {
      std::printf(
          "per hop, p50 / p99 / max ms (record timestamps; a stage's commit shows in the next "
          "hop):\n");
      for (int h = 0; h < kHops; ++h) {
        std::printf("  %-8s %6.0f %6.0f %6.0f   (%zu articles)\n", kHopNames[h],
                    hops[h].Quantile(0.5), hops[h].Quantile(0.99), hops[h].Max(), hops[h].count());
      }
    }
    if (o.kafka_baseline && baseline.error.empty()) {
      std::printf(
          "the same rate through 4 hops that do nothing (same broker; send -> after the "
          "last hop):\n");
      for (const auto& [name, r] :
           {std::pair<const char*, const HopsResult*>{"plain hops", &baseline.plain},
            {"transactional hops", &baseline.transactional}}) {
        std::printf(
            "  %-19s p50 %4.0f ms, p90 %4.0f ms, p99 %4.0f ms, max %4.0f ms   (%lld of "
            "%lld arrived)\n",
            name, r->latency.Quantile(0.5), r->latency.Quantile(0.9), r->latency.Quantile(0.99),
            r->latency.Max(), static_cast<long long>(r->received), static_cast<long long>(r->sent));
      }
    }
  }
  if (fell_behind) {
    std::fprintf(stderr, "wwctl loadgen: the pipeline fell behind at this rate\n");
    return 1;
  }
  if (nothing_alerts && named.load() > 0) {
    std::fprintf(stderr, "wwctl loadgen: no alerts for the named articles\n");
    return 1;
  }
  if (failed > 0) {
    std::fprintf(stderr, "wwctl loadgen: %lld submits failed, the first: %s\n",
                 static_cast<long long>(failed.load()), first_error.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

void AddLoadgenCommand(Cli& cli) {
  cli.Add({{"loadgen"},
           "Submits generated news articles to the running pipeline at --rate for --duration "
           "(or --count) and measures submit-to-alert latency from an alert subscription: "
           "throughput, p50/p90/p99/max, with a progress line, then the time of each hop "
           "(ingest, dedup, tag, alert, deliver) from the records' timestamps. A share of the "
           "articles names "
           "the watched names (--names: they must be in the watchlist, with rules that alert on "
           "them, as the sample's), a share reprints an earlier one (a copy: the deduper folds "
           "it into its story). Needs a submitter's and a subscriber's role (an admin token). "
           "Exits 1 when submits failed or the pipeline fell behind (fewer than 90% of the "
           "articles that name a watched name alerted within --settle).",
           "[--rate N] [--duration D | --count N] [--concurrency N] [--output json]",
           "wwctl loadgen --rate 500 --duration 30s",
           {{"rate", "N", "articles a second; 0: as fast as the pipeline takes them", "100"},
            {"duration", "DURATION", "how long to submit", "30s"},
            {"count", "N", "submit this many instead (0: for --duration)", "0"},
            {"concurrency", "N", "submits in flight at once", "8"},
            {"settle", "DURATION", "how long to wait for the last alerts", "10s"},
            {"warmup", "DURATION",
             "longest wait for a probe article's alert before measuring (a pipeline just started "
             "is still joining its consumer groups)",
             "60s"},
            {"ramp", "DURATION",
             "submit at the rate for this long before measuring (with --duration): the steady "
             "state is what sizes a deployment, and a broker just started runs every hop ~2x "
             "slower for its first 15-30 s of load while its JIT compiles; 0: measure from "
             "the first article (to see a cold start)",
             "30s"},
            {"kafka-baseline", "",
             "then send the same load through 4 consume -> produce hops that do nothing, plain "
             "and transactional (the stages' own loop), on topics made for it and deleted "
             "after: what Kafka alone costs at this rate (needs --rate, rights to create topics)",
             ""},
            {"mentions", "SHARE", "share of articles that name a watched name", "0.5"},
            {"copies", "SHARE", "share of articles that reprint an earlier one", "0.1"},
            {"names", "NAME,...", "the watched names to mention",
             "Kim Jong Un,Vladivostok,Vladimir Putin"},
            {"seed", "N",
             "seed of the articles (same seed, same articles: on a pipeline that saw them "
             "they are copies and raise no alerts); default: a new one each run",
             ""},
            {"hops", "true|false",
             "after the run, read the topics for the time of each hop (ingest, dedup, tag, "
             "alert, deliver) from the records' timestamps; needs read access to the topics",
             "true"},
            {"output", "text|json", "output format", "text"}},
           Loadgen});
}

}  // namespace ww::wwctl
