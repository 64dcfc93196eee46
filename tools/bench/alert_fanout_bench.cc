// Alert fan-out benchmark: N gRPC subscribers of a running ww-alerter, alerts written to
// the alerts topic at R per second, delivery latency from "raised" (the alert's
// raised_unix_ms, set just before it is written to Kafka) to "received" by each
// subscriber, on one machine and one clock. Prints p50 / p99 / max, deliveries, and the
// alerter's CPU and memory (from /proc) over the run. See tools/bench/alert_fanout.sh.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
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
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kb = std::stol(line.substr(6));
  }
  return s;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int n = absl::GetFlag(FLAGS_subscribers);
  const int rate = absl::GetFlag(FLAGS_rate);
  const int seconds = absl::GetFlag(FLAGS_seconds);
  const std::string run = absl::StrCat("bench-", absl::ToUnixMillis(absl::Now()));

  absl::Mutex mu;
  std::vector<double> latencies_ms;
  std::atomic<int> live{0}, ended_badly{0};
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts(n);
  std::vector<std::thread> threads;
  // Several channels, as many clients would have: one HTTP/2 connection each for 50 streams.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < (n + 49) / 50; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.use_local_subchannel_pool", 1);
    args.SetString("bench.channel", absl::StrCat(c));  // distinct args: distinct connections
    channels.push_back(grpc::CreateCustomChannel(absl::GetFlag(FLAGS_alerter),
                                                 grpc::InsecureChannelCredentials(), args));
  }
  for (int i = 0; i < n; ++i) {
    contexts[i] = std::make_unique<grpc::ClientContext>();
    threads.emplace_back([&, i] {
      auto stub = ww::v1::AlertService::NewStub(channels[i / 50]);
      auto reader = stub->Subscribe(contexts[i].get(), {});
      reader->WaitForInitialMetadata();
      ++live;
      ww::v1::Alert a;
      std::vector<double> mine;
      while (reader->Read(&a)) {
        if (a.rule_id() != run || a.version() == 0) continue;  // version 0: warm-up
        mine.push_back(absl::ToDoubleMilliseconds(absl::Now() - absl::FromUnixMillis(0)) -
                       static_cast<double>(a.raised_unix_ms()));
      }
      grpc::Status s = reader->Finish();
      if (!s.ok() && s.error_code() != grpc::StatusCode::CANCELLED) ++ended_badly;
      absl::MutexLock lock(&mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  while (live.load() < n) absl::SleepFor(absl::Milliseconds(50));
  std::fprintf(stderr, "%d subscribers live; writing %d alerts/s for %d s\n", n, rate, seconds);

  auto producer = ww::kafka::Producer::Create({absl::GetFlag(FLAGS_bootstrap_servers), {}});
  if (!producer.ok()) return 1;
  ProcSample before = Sample(absl::GetFlag(FLAGS_alerter_pid));
  absl::Time start = absl::Now(), start_measure = start;
  long rss_max = 0;
  int written = 0;
  const int warm = rate * absl::GetFlag(FLAGS_warmup);
  for (int k = 0; k < warm + rate * seconds; ++k) {
    absl::Time due = start + absl::Seconds(1) * k / rate;
    if (k == warm) before = Sample(absl::GetFlag(FLAGS_alerter_pid)), start_measure = absl::Now();
    if (due > absl::Now()) absl::SleepFor(due - absl::Now());
    ww::v1::Alert a;
    a.set_id(absl::StrCat(run, "-", k));
    a.set_rule_id(run);
    a.set_version(k < warm ? 0 : 1);
    a.set_severity("info");
    a.set_title("fan-out benchmark");
    a.set_raised_unix_ms(absl::ToUnixMillis(absl::Now()));
    // Sent without waiting for the acknowledgement, so the rate holds.
    std::thread([&, a] {
      (void)(*producer)->Send({absl::GetFlag(FLAGS_alerts_topic), a.id(), a.SerializeAsString()});
    }).detach();
    if (k >= warm) ++written;
    if (k % rate == 0) rss_max = std::max(rss_max, Sample(absl::GetFlag(FLAGS_alerter_pid)).rss_kb);
  }
  absl::SleepFor(absl::Seconds(3));  // the last deliveries
  ProcSample after = Sample(absl::GetFlag(FLAGS_alerter_pid));
  double wall = absl::ToDoubleSeconds(absl::Now() - start_measure);
  for (auto& c : contexts) c->TryCancel();
  for (auto& t : threads) t.join();

  std::vector<double> v = latencies_ms;
  const double expected = static_cast<double>(written) * n;
  std::printf("subscribers %d, alerts %d at %d/s, deliveries %zu of %.0f (%.2f%%), streams ended "
              "with an error %d\n",
              n, written, rate, v.size(), expected, 100.0 * v.size() / expected, ended_badly.load());
  std::printf("latency ms: p50 %.1f  p99 %.1f  max %.1f\n", Percentile(v, 0.50), Percentile(v, 0.99),
              v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()));
  if (absl::GetFlag(FLAGS_alerter_pid) > 0) {
    std::printf("alerter: %.0f%% of one core, RSS %ld MB at the end (max %ld MB)\n",
                100.0 * (after.cpu_seconds - before.cpu_seconds) / wall, after.rss_kb / 1024,
                std::max(rss_max, after.rss_kb) / 1024);
  }
  return 0;
}
