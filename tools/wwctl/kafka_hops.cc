#include "tools/wwctl/kafka_hops.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/reader.h"
#include "libs/kafka/stage_loop.h"
#include "libs/runtime/string_view.h"

namespace ww::wwctl {
namespace {

constexpr std::string_view kSentHeader = "ww-loadgen-sent-us";
constexpr std::string_view kMeasuredHeader = "ww-loadgen-measured";  // due after the ramp

std::vector<kafka::OutRecord> Forward(const std::vector<kafka::Record>& in,
                                      const std::string& topic) {
  std::vector<kafka::OutRecord> out;
  out.reserve(in.size());
  for (const kafka::Record& r : in) {
    kafka::OutRecord o{topic, r.key, r.value};
    o.headers = r.headers;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

absl::Status RunKafkaHops(const kafka::ClientConfig& client, const HopsOptions& o,
                          const std::function<std::string()>& value, HopsResult* result) {
  if (o.hops < 1 || o.rate <= 0 || o.concurrency < 1) {
    return absl::InvalidArgumentError("kafka hops: hops, rate and concurrency must be positive");
  }
  std::vector<std::string> topics;
  std::vector<kafka::TopicSpec> specs;
  for (int i = 0; i <= o.hops; ++i) {
    topics.push_back(absl::StrCat(o.topic_base, i));
    specs.push_back({topics.back(), o.partitions});
  }
  if (absl::Status s = kafka::EnsureTopics(client, specs); !s.ok()) return s;
  struct Cleanup {
    const kafka::ClientConfig& client;
    const std::vector<std::string>& topics;
    ~Cleanup() { kafka::DeleteTopics(client, topics).IgnoreError(); }
  } cleanup{client, topics};

  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<kafka::StageLoop>> loops;
  absl::Status hop_error;
  absl::Mutex error_mu;
  auto fail = [&](const absl::Status& s) {
    absl::MutexLock lock(&error_mu);
    hop_error.Update(s);
  };
  auto stop_all = [&] {
    stop = true;
    for (auto& t : threads) t.join();
    threads.clear();
  };
  for (int i = 0; i < o.hops; ++i) {
    const std::string next = topics[i + 1];
    if (o.transactional) {
      kafka::StageOptions so;
      so.stage = absl::StrCat("kafka-hop-", i);
      so.client = client;
      so.group_id = absl::StrCat(o.topic_base, "group-", i);
      so.input_topics = {topics[i]};
      so.deadletter_topic = o.deadletter_topic;
      so.transactional_id = absl::StrCat(o.topic_base, "tx-", i);
      auto loop = kafka::StageLoop::Create(
          so, {[next](const kafka::Record& r) -> absl::StatusOr<std::vector<kafka::OutRecord>> {
            return Forward({r}, next);
          }});
      if (!loop.ok()) {
        stop_all();
        return loop.status();
      }
      loops.push_back(*std::move(loop));
      kafka::StageLoop* l = loops.back().get();
      threads.emplace_back([&, l] {
        if (absl::Status s = l->Run(stop); !s.ok()) fail(s);
      });
    } else {
      auto reader = kafka::TopicReader::Create(client, topics[i], kafka::StartFrom::kBeginning);
      auto producer = kafka::Producer::Create(client);
      if (!reader.ok() || !producer.ok()) {
        stop_all();
        return reader.ok() ? producer.status() : reader.status();
      }
      threads.emplace_back([&, next,
                            reader = std::shared_ptr<kafka::TopicReader>(std::move(*reader)),
                            producer = std::shared_ptr<kafka::Producer>(std::move(*producer))] {
        while (!stop.load()) {
          std::vector<kafka::Record> batch = reader->Poll(absl::Milliseconds(100));
          if (batch.empty()) continue;
          if (absl::Status s = producer->SendAll(Forward(batch, next)); !s.ok()) fail(s);
        }
      });
    }
  }

  // The end of the chain: each record's latency, unless it was sent during the ramp.
  auto last = kafka::TopicReader::Create(client, topics.back(), kafka::StartFrom::kBeginning);
  if (!last.ok()) {
    stop_all();
    return last.status();
  }
  std::atomic<int64_t> received{0};
  threads.emplace_back([&, reader = std::shared_ptr<kafka::TopicReader>(std::move(*last))] {
    while (!stop.load()) {
      for (const kafka::Record& r : reader->Poll(absl::Milliseconds(100))) {
        int64_t sent_us = 0;
        auto h = r.header(kSentHeader);
        if (!h || !absl::SimpleAtoi(runtime::ToAbsl(*h), &sent_us) || !r.header(kMeasuredHeader))
          continue;
        const int64_t now_us = absl::ToUnixMicros(absl::Now());
        result->latency.Add(static_cast<double>(now_us - sent_us) / 1000);
        ++received;
      }
    }
  });
  // The transactional hops join their groups first (the pipeline's did before loadgen).
  const absl::Time ready_by = absl::Now() + absl::Seconds(60);
  for (const auto& l : loops) {
    while (!l->stats().assigned.load() && absl::Now() < ready_by) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    if (!l->stats().assigned.load()) {
      stop_all();
      return absl::DeadlineExceededError(
          absl::StrCat("kafka hops: ", l->name(), " did not join its group within 60 s"));
    }
  }

  auto sender = kafka::Producer::Create(client);
  if (!sender.ok()) {
    stop_all();
    return sender.status();
  }
  const absl::Time begin = absl::Now();
  const absl::Time measure_from = begin + o.ramp;
  const absl::Time end = measure_from + o.duration;
  absl::Mutex value_mu;
  std::atomic<int64_t> next{0}, sent{0};
  std::vector<std::thread> senders;
  for (int w = 0; w < o.concurrency; ++w) {
    senders.emplace_back([&] {
      for (;;) {
        const int64_t i = next++;
        const absl::Time due = begin + absl::Seconds(static_cast<double>(i) / o.rate);
        if (due >= end || stop.load()) return;
        absl::SleepFor(due - absl::Now());
        kafka::OutRecord r{topics.front(), absl::StrCat("r", i), ""};
        {
          absl::MutexLock lock(&value_mu);
          r.value = value();
        }
        // Measured by when it was due, not sent: a late send in the ramp is still the ramp's.
        const bool measured = due >= measure_from;
        r.headers.push_back(
            {std::string(kSentHeader), absl::StrCat(absl::ToUnixMicros(absl::Now()))});
        if (measured) r.headers.push_back({std::string(kMeasuredHeader), "1"});
        if (absl::Status s = (*sender)->Send(r).status(); !s.ok()) {
          fail(s);
          continue;
        }
        if (measured) ++sent;
      }
    });
  }
  for (auto& t : senders) t.join();
  result->seconds = absl::ToDoubleSeconds(absl::Now() - measure_from);
  const absl::Time settle_by = absl::Now() + o.settle;
  while (received.load() < sent.load() && absl::Now() < settle_by) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  stop_all();
  result->sent = sent.load();
  result->received = received.load();
  absl::MutexLock lock(&error_mu);
  return hop_error;
}

}  // namespace ww::wwctl
