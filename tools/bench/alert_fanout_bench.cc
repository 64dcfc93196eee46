// Alert fan-out benchmark: N gRPC subscribers of a running ww-alerter, alerts written to
// the alerts topic at R per second, delivery latency from "raised" (the alert's
// raised_unix_ms, set just before it is written to Kafka) to "received" by each
// subscriber, on one machine and one clock. Prints p50 / p99 / max, deliveries, and the
// alerter's CPU and memory (from /proc) over the run. See tools/bench/alert_fanout.sh.
// The client is cheap on purpose, so it does not starve the alerter of the cores they
// share: callback API streams (no thread per stream) over a few channels.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <thread>
#include <type_traits>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/kafka/producer.h"
#include "ww/v1/alerts.grpc.pb.h"

ABSL_FLAG(std::string, bootstrap_servers, "127.0.0.1:9092", "Kafka brokers");
ABSL_FLAG(std::string, alerts_topic, "ww.alerts", "the alerter's alerts topic");
ABSL_FLAG(std::string, alerter, "127.0.0.1:50054", "ww-alerter gRPC address");
ABSL_FLAG(int, alerter_pid, 0, "pid of ww-alerter, for CPU and memory figures");
ABSL_FLAG(int, subscribers, 1000, "concurrent Subscribe streams");
ABSL_FLAG(int, rate, 100, "alerts written per second");
ABSL_FLAG(int, seconds, 20, "how long to write alerts");
ABSL_FLAG(int, warmup, 2, "seconds of alerts written first and left out of the figures");
ABSL_FLAG(int, channels, 8, "gRPC channels (HTTP/2 connections) the streams are spread over");
ABSL_FLAG(bool, batched, false,
          "subscribe with SubscribeBatched (alerts due together share a message) instead of "
          "Subscribe (one alert per message)");
ABSL_FLAG(bool, timeline, false, "also print p50 / p99 for the alerts raised in each second");
ABSL_FLAG(int, max_batch, 0, "SubscribeBatched's max_batch (0: the server's most)");

namespace {

struct ProcSample {
  double cpu_seconds = 0;
  long rss_kb = 0;
};

ProcSample Sample(int pid) {
  ProcSample s;
  if (pid <= 0) return s;
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(stat, line);
  std::istringstream in(line.substr(line.rfind(')') + 2));
  std::vector<std::string> f((std::istream_iterator<std::string>(in)), {});
  if (f.size() > 13) s.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / sysconf(_SC_CLK_TCK);
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "VmRSS:")) s.rss_kb = std::stol(line.substr(6));
  }
  return s;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1,
                      static_cast<size_t>(std::lround(p * static_cast<double>(v.size() - 1))));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return v[i];
}

// One Subscribe (Response = Alert) or SubscribeBatched (Response = AlertBatch) stream:
// reads until cancelled, keeping the latency of each measured alert. gRPC runs one
// stream's callbacks one at a time, so its own vector needs no lock.
class StreamBase {
 public:
  virtual ~StreamBase() = default;
  void Cancel() { ctx_.TryCancel(); }
  // Blocks until the stream ended; its final status.
  grpc::Status Wait() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&done_));
    return status_;
  }
  const std::vector<double>& latencies_ms() const { return latencies_ms_; }
  const std::vector<int64_t>& raised_ms() const { return raised_ms_; }
  size_t messages() const { return messages_; }
  size_t alerts() const { return alerts_; }

 protected:
  StreamBase(const std::string& run, std::atomic<int>* live) : run_(run), live_(live) {}
  void Received(const ww::v1::Alert& a) {
    ++alerts_;
    if (a.rule_id() == run_ && a.version() != 0) {  // version 0: warm-up
      latencies_ms_.push_back(static_cast<double>(absl::GetCurrentTimeNanos()) / 1e6 -
                              static_cast<double>(a.raised_unix_ms()));
      raised_ms_.push_back(a.raised_unix_ms());
    }
  }
  void Done(const grpc::Status& s) {
    absl::MutexLock lock(&mu_);
    status_ = s;
    done_ = true;
  }

  const std::string run_;
  std::atomic<int>* live_;
  grpc::ClientContext ctx_;
  ww::v1::SubscribeRequest request_;
  std::vector<double> latencies_ms_;
  std::vector<int64_t> raised_ms_;  // of the same alerts
  size_t messages_ = 0;
  size_t alerts_ = 0;
  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

template <typename Response>
class Stream final : public StreamBase, public grpc::ClientReadReactor<Response> {
 public:
  Stream(ww::v1::AlertService::Stub* stub, const std::string& run, std::atomic<int>* live,
         int max_batch)
      : StreamBase(run, live) {
    if constexpr (std::is_same_v<Response, ww::v1::AlertBatch>) {
      request_.set_max_batch(max_batch);
      stub->async()->SubscribeBatched(&ctx_, &request_, this);
    } else {
      stub->async()->Subscribe(&ctx_, &request_, this);
    }
    this->StartRead(&response_);
    this->StartCall();
  }
  void OnReadInitialMetadataDone(bool ok) override {
    if (ok) ++*live_;
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    ++messages_;
    if constexpr (std::is_same_v<Response, ww::v1::AlertBatch>) {
      for (const ww::v1::Alert& a : response_.alerts()) Received(a);
    } else {
      Received(response_);
    }
    this->StartRead(&response_);
  }
  void OnDone(const grpc::Status& s) override { Done(s); }

 private:
  Response response_;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int n = absl::GetFlag(FLAGS_subscribers);
  const int rate = absl::GetFlag(FLAGS_rate);
  const int seconds = absl::GetFlag(FLAGS_seconds);
  const int pid = absl::GetFlag(FLAGS_alerter_pid);
  const std::string run = absl::StrCat("bench-", absl::ToUnixMillis(absl::Now()));

  // Several channels, as several clients would have: one HTTP/2 connection each.
  std::vector<std::unique_ptr<ww::v1::AlertService::Stub>> stubs;
  for (int c = 0; c < std::max(1, absl::GetFlag(FLAGS_channels)); ++c) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.use_local_subchannel_pool", 1);
    args.SetString("bench.channel", absl::StrCat(c));  // distinct args: distinct connections
    stubs.push_back(ww::v1::AlertService::NewStub(grpc::CreateCustomChannel(
        absl::GetFlag(FLAGS_alerter), grpc::InsecureChannelCredentials(), args)));
  }
  std::atomic<int> live{0};
  const bool batched = absl::GetFlag(FLAGS_batched);
  std::vector<std::unique_ptr<StreamBase>> streams;
  for (int i = 0; i < n; ++i) {
    auto* stub = stubs[i % stubs.size()].get();
    if (batched) {
      streams.push_back(std::make_unique<Stream<ww::v1::AlertBatch>>(
          stub, run, &live, absl::GetFlag(FLAGS_max_batch)));
    } else {
      streams.push_back(std::make_unique<Stream<ww::v1::Alert>>(stub, run, &live, 0));
    }
  }
  absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (live.load() < n && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(50));
  if (live.load() < n) {
    std::fprintf(stderr, "only %d of %d subscribers got live within 60 s\n", live.load(), n);
  }
  std::fprintf(stderr, "%d subscribers live; writing %d alerts/s for %d s\n", live.load(), rate,
               seconds);

  auto producer = ww::kafka::Producer::Create({absl::GetFlag(FLAGS_bootstrap_servers), {}});
  if (!producer.ok()) return 1;
  ProcSample before = Sample(pid), client_before = Sample(getpid());
  absl::Time start = absl::Now(), start_measure = start;
  long rss_max = 0;
  int written = 0;
  // A few sender threads, so the rate holds without waiting for each acknowledgement
  // (and without a thread per alert, which would cost the client's core more than it reads).
  absl::Mutex outbox_mu;
  std::deque<ww::v1::Alert> outbox;
  bool closed = false;
  std::vector<std::thread> senders;
  for (int t = 0; t < 16; ++t) {
    senders.emplace_back([&] {
      for (;;) {
        ww::v1::Alert a;
        {
          absl::MutexLock lock(&outbox_mu);
          auto has_work = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(outbox_mu) {
            return !outbox.empty() || closed;
          };
          outbox_mu.Await(absl::Condition(&has_work));
          if (outbox.empty()) return;
          a = std::move(outbox.front());
          outbox.pop_front();
        }
        (void)(*producer)->Send({absl::GetFlag(FLAGS_alerts_topic), a.id(), a.SerializeAsString()});
      }
    });
  }
  const int warm = rate * absl::GetFlag(FLAGS_warmup);
  for (int k = 0; k < warm + rate * seconds; ++k) {
    absl::Time due = start + absl::Seconds(1) * k / rate;
    if (k == warm)
      before = Sample(pid), client_before = Sample(getpid()), start_measure = absl::Now();
    if (due > absl::Now()) absl::SleepFor(due - absl::Now());
    ww::v1::Alert a;
    a.set_id(absl::StrCat(run, "-", k));
    a.set_rule_id(run);
    a.set_version(k < warm ? 0 : 1);
    a.set_severity("info");
    a.set_title("fan-out benchmark");
    a.set_raised_unix_ms(absl::ToUnixMillis(absl::Now()));
    {
      absl::MutexLock lock(&outbox_mu);
      outbox.push_back(std::move(a));
    }
    if (k >= warm) ++written;
    if (k % rate == 0) rss_max = std::max(rss_max, Sample(pid).rss_kb);
  }
  {
    absl::MutexLock lock(&outbox_mu);
    closed = true;
  }
  for (auto& t : senders) t.join();
  absl::SleepFor(absl::Seconds(3));  // the last deliveries
  ProcSample after = Sample(pid), client_after = Sample(getpid());
  double wall = absl::ToDoubleSeconds(absl::Now() - start_measure);
  for (auto& s : streams) s->Cancel();
  int ended_badly = 0;
  size_t messages = 0, alerts = 0;
  std::vector<double> v;
  std::map<int64_t, std::vector<double>> by_second;  // raised second -> latencies
  for (auto& s : streams) {
    grpc::Status status = s->Wait();
    if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) ++ended_badly;
    v.insert(v.end(), s->latencies_ms().begin(), s->latencies_ms().end());
    for (size_t i = 0; i < s->raised_ms().size(); ++i) {
      by_second[s->raised_ms()[i] / 1000].push_back(s->latencies_ms()[i]);
    }
    messages += s->messages();
    alerts += s->alerts();
  }

  const double expected = static_cast<double>(written) * n;
  std::printf(
      "subscribers %d, alerts %d at %d/s, deliveries %zu of %.0f (%.2f%%), streams ended "
      "with an error %d\n",
      n, written, rate, v.size(), expected, 100.0 * v.size() / expected, ended_badly);
  std::printf("rpc %s: %.2f alerts per stream message\n",
              batched ? "SubscribeBatched" : "Subscribe",
              messages == 0 ? 0.0 : static_cast<double>(alerts) / static_cast<double>(messages));
  std::printf("latency ms: p50 %.1f  p99 %.1f  max %.1f\n", Percentile(v, 0.50),
              Percentile(v, 0.99), v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()));
  if (absl::GetFlag(FLAGS_timeline)) {
    for (auto& [second, l] : by_second) {
      std::printf("  raised at +%llds: %zu deliveries, p50 %.1f ms, p99 %.1f ms\n",
                  static_cast<long long>(second - by_second.begin()->first), l.size(),
                  Percentile(l, 0.5), Percentile(l, 0.99));
    }
  }
  std::printf("client: %.1f us of CPU per delivery\n",
              v.empty() ? 0.0
                        : 1e6 * (client_after.cpu_seconds - client_before.cpu_seconds) /
                              static_cast<double>(v.size()));
  if (pid > 0) {
    const double cpu = after.cpu_seconds - before.cpu_seconds;
    std::printf(
        "alerter: %.0f%% of one core, RSS %ld MB at the end (max %ld MB), %.1f us of CPU "
        "per delivery\n",
        100.0 * cpu / wall, after.rss_kb / 1024, std::max(rss_max, after.rss_kb) / 1024,
        v.empty() ? 0.0 : 1e6 * cpu / static_cast<double>(v.size()));
  }
  return 0;
}
