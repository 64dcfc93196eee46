// Does one broken destination slow the others? The notifier's dispatcher (one lane per
// destination) and its real network sender (libcurl, SSRF policy, Standard Webhooks signing)
// deliver a steady stream of alerts to three webhook receivers on loopback. In the first
// phase all three answer at once (the reference); in the second, one of them hangs (accepts
// the connection and never answers, so every attempt waits out --send_timeout) for
// --outage; then it recovers and its backlog drains. Printed: per phase and destination, the
// deliveries made and the delivery delay (owed to accepted) at p50, p99 and max.
//
// What is not in the path: Kafka. The outbox records (ww.deliveries) are handed to the
// dispatcher in memory and its tombstones are kept in memory, so the figures are the
// dispatcher's and the network's, not the broker's (the e2e tier covers the broker path).
//
//   build/bin/ww_notifier_isolation_bench [--rate 10] [--reference 20s] [--outage 60s]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/delivery/destination.h"
#include "services/notifier/destinations_table.h"
#include "services/notifier/dispatcher.h"
#include "services/notifier/network_sender.h"
#include "services/notifier/notify_stage.h"
#include "tests/support/http_server.h"

ABSL_FLAG(double, rate, 10, "alerts per second, each owed to all three destinations");
ABSL_FLAG(absl::Duration, reference, absl::Seconds(20), "phase 1: every destination answers");
ABSL_FLAG(absl::Duration, outage, absl::Seconds(60), "phase 2: destination 'hangs' hangs");
ABSL_FLAG(absl::Duration, send_timeout, absl::Seconds(10), "the notifier's --send_timeout");

namespace {

using ww::testing::HttpServer;

// A webhook receiver that notes when each webhook-id was accepted; while `hang` is set it
// holds every request without answering (until the client gives up or the bench ends).
class Receiver {
 public:
  Receiver() : http_([this](const std::string& r) { return Handle(r); }) {}
  ~Receiver() { stop_ = true; }
  std::string Url() const { return http_.Url("/hook"); }
  void set_hang(bool h) { hang_ = h; }
  std::map<std::string, absl::Time> accepted() {
    absl::MutexLock lock(&mu_);
    return accepted_;
  }

 private:
  HttpServer::Response Handle(const std::string& request) {
    bool held = false;
    while (hang_ && !stop_) {
      held = true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    // A request held through the outage was given up by its sender long ago: answering it
    // now is not a delivery (the notifier sends it again).
    if (held) return HttpServer::Reply("503 Service Unavailable", "", "");
    const absl::Time now = absl::Now();
    absl::MutexLock lock(&mu_);
    accepted_.emplace(HttpServer::Header(request, "webhook-id"), now);
    return HttpServer::Reply("200 OK", "", "ok");
  }

  std::atomic<bool> hang_{false}, stop_{false};
  absl::Mutex mu_;
  std::map<std::string, absl::Time> accepted_;
  HttpServer http_;  // last: stops before the state it uses goes
};

struct Owed {
  std::string destination, webhook_id, phase;
  absl::Time at;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using namespace ww;
  const std::vector<std::string> names = {"healthy-a", "healthy-b", "hangs"};
  std::map<std::string, std::unique_ptr<Receiver>> receivers;
  services::DestinationsTable table;
  std::vector<kafka::Record> destination_records;
  for (const std::string& name : names) {
    receivers[name] = std::make_unique<Receiver>();
    auto d = delivery::ParseDestinationYaml(
        absl::StrCat("{id: ", name, ", type: webhook, url: '", receivers[name]->Url(),
                     "', rate_per_second: 100}"),
        "default");
    if (!d.ok()) {
      std::fprintf(stderr, "%s\n", d.status().ToString().c_str());
      return 1;
    }
    ww::v1::Destination stored;
    stored.set_id(d->id);
    stored.set_owner("default");
    stored.set_yaml(d->yaml);
    kafka::Record r;
    r.key = services::DestinationsTable::Key("default", d->id);
    r.value = stored.SerializeAsString();
    destination_records.push_back(std::move(r));
  }
  table.Apply(destination_records);

  auto policy = fetch::AddressPolicy::Create({"127.0.0.1/32"});
  services::NetworkSender sender(*policy, absl::GetFlag(FLAGS_send_timeout));
  services::DispatcherOptions o;
  o.deadletter_topic = "bench.deadletter";
  o.find_destination = [&table](const std::string& key) { return table.Find(key); };
  o.destinations_loaded = [] { return true; };
  o.produce = [](const kafka::OutRecord&) { return absl::OkStatus(); };
  services::Dispatcher dispatcher(std::move(o), &sender);
  dispatcher.Start();

  std::vector<Owed> owed;
  int64_t seq = 0;
  auto run_phase = [&](const std::string& phase, absl::Duration length) {
    const absl::Duration every = absl::Seconds(1) / absl::GetFlag(FLAGS_rate);
    const absl::Time end = absl::Now() + length;
    absl::Time next = absl::Now();
    while (absl::Now() < end) {
      std::vector<kafka::Record> batch;
      ww::v1::Alert a;
      a.set_id(absl::StrCat("bench-", seq++));
      a.set_version(1);
      a.set_owner("default");
      a.set_rule_id("r1");
      a.set_entity_id("kim-jong-un");
      a.set_severity("high");
      a.set_title("Kim arrives in Vladivostok");
      a.set_url("https://news.example/kim");
      const absl::Time now = absl::Now();
      a.set_raised_unix_ms(absl::ToUnixMillis(now));
      for (const std::string& name : names) {
        ww::v1::PendingDelivery p;
        p.set_destination_key("default/" + name);
        *p.mutable_alert() = a;
        p.set_created_unix_ms(absl::ToUnixMillis(now));
        kafka::Record r;
        r.topic = "bench.deliveries";
        r.key = services::NotifyStage::DeliveryKey(p.destination_key(), a);
        r.value = p.SerializeAsString();
        r.offset = seq;
        batch.push_back(std::move(r));
        owed.push_back({name, absl::StrCat("msg_", a.id(), "_v1"), phase, now});
      }
      dispatcher.Apply(batch);
      next += every;
      absl::SleepFor(next - absl::Now());
    }
  };

  std::printf("phase 1 (%s): every destination answers\n",
              absl::FormatDuration(absl::GetFlag(FLAGS_reference)).c_str());
  run_phase("reference", absl::GetFlag(FLAGS_reference));
  std::printf("phase 2 (%s): 'hangs' holds every request without answering\n",
              absl::FormatDuration(absl::GetFlag(FLAGS_outage)).c_str());
  receivers["hangs"]->set_hang(true);
  run_phase("outage", absl::GetFlag(FLAGS_outage));
  receivers["hangs"]->set_hang(false);
  const absl::Time recovered = absl::Now();
  std::printf("'hangs' answers again; waiting for its backlog\n");
  // Everything owed delivered, or two minutes.
  absl::Time drained = absl::InfiniteFuture();
  while (absl::Now() < recovered + absl::Minutes(2)) {
    size_t done = 0;
    for (const std::string& name : names) {
      auto accepted = receivers[name]->accepted();
      for (const Owed& w : owed) done += w.destination == name && accepted.contains(w.webhook_id);
    }
    if (done == owed.size()) {
      drained = absl::Now();
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  dispatcher.Stop();

  std::printf("\n%-10s %-10s %6s %9s %9s %9s %9s\n", "phase", "destination", "owed", "delivered",
              "p50 ms", "p99 ms", "max ms");
  for (const std::string phase : {"reference", "outage"}) {
    for (const std::string& name : names) {
      auto accepted = receivers[name]->accepted();
      std::vector<double> delays;
      size_t n = 0;
      for (const Owed& w : owed) {
        if (w.phase != phase || w.destination != name) continue;
        ++n;
        auto it = accepted.find(w.webhook_id);
        if (it != accepted.end()) delays.push_back(absl::ToDoubleMilliseconds(it->second - w.at));
      }
      std::printf("%-10s %-10s %6zu %9zu %9.1f %9.1f %9.1f\n", phase.c_str(), name.c_str(), n,
                  delays.size(), Percentile(delays, 0.5), Percentile(delays, 0.99),
                  Percentile(delays, 1.0));
    }
  }
  if (drained == absl::InfiniteFuture()) {
    std::printf("\n'hangs' backlog NOT drained within 2 minutes of recovery\n");
    return 1;
  }
  std::printf("\n'hangs' backlog drained %.1f s after it answered again\n",
              absl::ToDoubleSeconds(drained - recovered));
  return 0;
}
