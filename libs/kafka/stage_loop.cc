#include "libs/kafka/stage_loop.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/kafka/client.h"
#include "libs/kafka/transactions.h"
#include "libs/runtime/log.h"
#include "libs/runtime/metrics.h"
#include "libs/runtime/retry.h"
#include "libs/runtime/trace.h"

namespace ww::kafka {

namespace {

const runtime::Logger& Log() {
  static const runtime::Logger log("kafka.stage");
  return log;
}

int Ms(absl::Duration d) { return static_cast<int>(absl::ToInt64Milliseconds(d)); }

bool HasHeader(const OutRecord& r, std::string_view key) {
  for (const Header& h : r.headers) {
    if (h.key == key) return true;
  }
  return false;
}

// What an input passes on to the outputs made from it: its trace, one span further, and
// the time its article was ingested.
struct Lineage {
  std::optional<runtime::TraceContext> trace;
  std::string traceparent;  // the child's, for the outputs
  int64_t ingested_ms = 0;

  Lineage(const Record& in, const std::string& stage) {
    if (auto tp = in.header(runtime::kTraceparentHeader)) {
      trace = runtime::TraceContext::Parse(*tp);
      if (trace) traceparent = trace->Child(stage).ToString();
    }
    if (auto ms = in.header(kHeaderIngestedMs)) {
      if (!absl::SimpleAtoi(absl::string_view(ms->data(), ms->size()), &ingested_ms))
        ingested_ms = 0;
    }
  }

  void PassOn(OutRecord& o) const {
    if (trace && !HasHeader(o, runtime::kTraceparentHeader)) {
      o.headers.push_back({std::string(runtime::kTraceparentHeader), traceparent});
    }
    if (ingested_ms > 0 && !HasHeader(o, kHeaderIngestedMs)) {
      o.headers.push_back({std::string(kHeaderIngestedMs), absl::StrCat(ingested_ms)});
    }
  }
};

}  // namespace

struct StageLoop::Impl {
  StageOptions options;
  Stage stage;
  internal::KafkaHandle consumer;
  std::unique_ptr<Transactions> txn;
  StageStats stats;
  // Set by librdkafka's error callback: no broker answers (cleared when one does), or the
  // consumer hit a fatal error (only a new process makes a new consumer).
  std::atomic<bool> broker_down{false};
  absl::Time last_probe = absl::InfinitePast();
  std::string consumer_fatal;  // written on the loop's thread (poll serves callbacks)
  // The stage asked for the batch to be read again later (its process() was Unavailable).
  std::atomic<bool> stage_waiting{false};
  // After a batch was rolled back for a reason other than the broker's absence (an output
  // the broker refused at delivery: too large for its topic, a topic gone or forbidden),
  // its records are retried one per transaction up to these offsets; one that fails alone
  // kPoisonStrikes times in a row is dead-lettered with the reason. The others commit.
  static constexpr int kPoisonStrikes = 3;
  std::map<std::pair<std::string, int32_t>, int64_t> isolate_through;
  std::tuple<std::string, int32_t, int64_t> suspect{"", -1, -1};
  int strikes = 0;
  runtime::Backoff stage_backoff{{absl::Milliseconds(500), absl::Seconds(10)}};
  struct {
    runtime::Counter* commits;
    runtime::Counter* aborts;
    runtime::Histogram* batch_seconds;
    runtime::Histogram* commit_seconds;
    runtime::Histogram* batch_records;
  } metrics{};
  absl::Time lag_updated = absl::InfinitePast();
  // Set by the rebalance callback: the batch being collected may hold records of
  // partitions this replica no longer owns, so it is dropped and read again.
  bool rebalanced = false;

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    self->rebalanced = true;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      rd_kafka_assign(rk, partitions);  // positions start from the committed offsets
      self->stats.assigned = partitions->cnt > 0;
      self->stats.joined = true;
      Log().Info("partitions assigned",
                 {{"stage", self->options.stage}, {"count", partitions->cnt}});
    } else {
      rd_kafka_assign(rk, nullptr);
      self->stats.assigned = false;
      if (self->stage.on_revoke) self->stage.on_revoke();
      Log().Info("partitions revoked",
                 {{"stage", self->options.stage}, {"count", partitions->cnt}});
    }
  }

  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      char why[512];
      rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk, why, sizeof why);
      self->consumer_fatal = absl::StrCat(rd_kafka_err2name(cause), ": ", why);
      return;
    }
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
      if (!self->broker_down.exchange(true)) {
        Log().Warn("no broker answers: waiting for one (not ready meanwhile)",
                   {{"stage", self->options.stage}, {"error", reason}});
      }
      return;
    }
    // Connection churn while brokers come and go: librdkafka reconnects by itself.
    if (!self->broker_down.load()) {
      Log().Warn("kafka client error",
                 {{"stage", self->options.stage},
                  {"error", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))},
                  {"reason", reason}});
    }
  }

  void BrokerAnswers() {
    if (broker_down.exchange(false)) {
      Log().Info("broker answers again", {{"stage", options.stage}});
    }
  }

  // While no broker answered, asks for metadata once a second: the first answer ends the
  // wait even when no records come.
  void ProbeBroker() {
    if (!broker_down.load() || absl::Now() - last_probe < absl::Seconds(1)) return;
    last_probe = absl::Now();
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(consumer.get(), 0, nullptr, &md, 500) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_metadata_destroy(md);
      BrokerAnswers();
    }
  }

  // Reads the batch's partitions again from where the batch began: the offsets after the
  // last commit, since a batch follows its predecessor's commit. A seek, not a new
  // assignment: quickly repeated assignment changes trip an assertion in librdkafka
  // (confluentinc/librdkafka#5573), and an outage aborts many batches in a row. A
  // partition revoked meanwhile refuses the seek; its new owner starts at the commit.
  void SeekBack(const std::vector<Record>& batch) {
    std::map<std::pair<std::string, int32_t>, int64_t> first;
    for (const Record& r : batch) first.emplace(std::pair(r.topic, r.partition), r.offset);
    internal::PartitionList list(rd_kafka_topic_partition_list_new(first.size()));
    for (const auto& [tp, offset] : first) {
      rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset = offset;
    }
    if (rd_kafka_error_t* e = rd_kafka_seek_partitions(consumer.get(), list.get(), 0)) {
      Log().Warn("seek back", {{"stage", options.stage}, {"error", rd_kafka_error_string(e)}});
      rd_kafka_error_destroy(e);
    }
  }

  absl::Status Produce(const OutRecord& r) { return txn->Produce(r); }

  OutRecord DeadLetter(const Record& in, const absl::Status& why) const {
    return DeadLetterOf(in, why, options.stage, options.deadletter_topic);
  }

  void InitMetrics() {
    auto& m = runtime::Metrics::Default();
    // Series at zero from the start, so the first dead letter is an increase() to alert on.
    for (const std::string& topic : options.input_topics) {
      CountFlow(kIn, topic, 0);
      CountFlow(kDead, topic, 0);
    }
    const runtime::Labels l = {{"stage", options.stage}};
    metrics.commits = &m.counter("ww_transactions_total", "Kafka transactions by result",
                                 {{"stage", options.stage}, {"result", "commit"}});
    metrics.aborts = &m.counter("ww_transactions_total", "Kafka transactions by result",
                                {{"stage", options.stage}, {"result", "abort"}});
    metrics.batch_seconds =
        &m.histogram("ww_stage_batch_seconds", "time to process and commit one batch", l);
    // Where a stage's latency goes under load: the commit (send offsets, flush, end the
    // transaction) against the batch's processing, and how many records a batch carried.
    metrics.commit_seconds =
        &m.histogram("ww_stage_commit_seconds", "time to commit one batch's transaction", l,
                     {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5});
    metrics.batch_records = &m.histogram("ww_stage_batch_records", "records in one batch", l,
                                         {1, 2, 5, 10, 20, 50, 100, 200, 500});
  }

  // Committed records per topic: read from it (in), written to it (out), or read from it
  // and dead-lettered.
  enum Flow { kIn, kOut, kDead };
  std::map<std::pair<Flow, std::string>, runtime::Counter*> flows;
  void CountFlow(Flow flow, const std::string& topic, uint64_t n) {
    runtime::Counter*& c = flows[{flow, topic}];
    if (c == nullptr) {
      static constexpr const char* kNames[] = {"ww_records_in_total", "ww_records_out_total",
                                               "ww_records_deadlettered_total"};
      static constexpr const char* kHelp[] = {
          "records consumed and committed, by input topic",
          "records produced and committed, by output topic",
          "records sent to the dead-letter topic, by input topic"};
      c = &runtime::Metrics::Default().counter(kNames[flow], kHelp[flow],
                                               {{"stage", options.stage}, {"topic", topic}});
    }
    c->Increment(static_cast<double>(n));
  }

  // Output topic names are few; keep one stable copy of each (the histogram's label).
  std::map<std::string, runtime::Histogram*, std::less<>> end_to_end;
  const std::string& OutputTopic(const std::string& topic) {
    auto it = end_to_end.find(topic);
    if (it == end_to_end.end()) {
      it = end_to_end
               .emplace(topic, &runtime::Metrics::Default().histogram(
                                   "ww_end_to_end_seconds",
                                   "time from the article's ingest to a record derived from it "
                                   "being committed, by output topic",
                                   {{"topic", topic}},
                                   {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}))
               .first;
    }
    return it->first;
  }
  runtime::Histogram& EndToEnd(const std::string& topic) { return *end_to_end.find(topic)->second; }

  // Consumer lag per assigned partition, from the watermarks librdkafka already has.
  void UpdateLag() {
    if (absl::Now() - lag_updated < absl::Seconds(1)) return;
    lag_updated = absl::Now();
    rd_kafka_topic_partition_list_t* assignment = nullptr;
    if (rd_kafka_assignment(consumer.get(), &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    internal::PartitionList owned(assignment);
    rd_kafka_position(consumer.get(), owned.get());
    for (int i = 0; i < owned->cnt; ++i) {
      const auto& tp = owned->elems[i];
      int64_t lo = 0, hi = 0;
      if (rd_kafka_get_watermark_offsets(consumer.get(), tp.topic, tp.partition, &lo, &hi) !=
              RD_KAFKA_RESP_ERR_NO_ERROR ||
          hi < 0 || tp.offset < 0) {
        continue;
      }
      runtime::Metrics::Default()
          .gauge("ww_consumer_lag", "records not yet consumed, per partition",
                 {{"stage", options.stage},
                  {"topic", tp.topic},
                  {"partition", absl::StrCat(tp.partition)}})
          .Set(static_cast<double>(std::max<int64_t>(0, hi - tp.offset)));
    }
  }

  // Collects up to max_batch records, waiting at most max_batch_wait after the first (by
  // default, none: what has arrived).
  std::vector<Record> Collect(const std::atomic<bool>& stop) {
    std::vector<Record> batch;
    rebalanced = false;
    absl::Time deadline = absl::InfiniteFuture();
    const size_t max_batch = isolate_through.empty() ? options.max_batch : 1;
    while (batch.size() < max_batch && !stop.load()) {
      int wait = batch.empty() ? 200 : std::max(0, Ms(deadline - absl::Now()));
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), wait);
      if (rebalanced) {
        // The assignment changed under this batch: drop it. Every partition of the new
        // assignment starts at its committed offset (OnRebalance), so what was dropped is
        // read again, here or by the new owner. A message that came with the change is of
        // the new assignment (librdkafka discards the old one's): it starts the new batch.
        batch.clear();
        rebalanced = false;
        deadline = absl::InfiniteFuture();
      }
      if (m == nullptr) {
        if (batch.empty()) return batch;  // idle: let the caller check `stop`
        if (absl::Now() >= deadline) break;
        continue;
      }
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        BrokerAnswers();
        if (batch.empty()) deadline = absl::Now() + options.max_batch_wait;
        batch.push_back(internal::ToRecord(m));
      } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        Log().Warn("consume error",
                   {{"stage", options.stage}, {"error", rd_kafka_message_errstr(m)}});
      }
      rd_kafka_message_destroy(m);
    }
    return batch;
  }

  // Processes and commits one batch. OK: committed. Aborted: rolled back, read it again.
  // Unavailable: the stage cannot decide now (rolled back; wait, then read it again).
  // Cancelled: stopped while waiting for the broker. FailedPrecondition: permanent.
  absl::Status Transact(const std::vector<Record>& batch, const std::function<bool()>& stopped) {
    if (absl::Status s = txn->Begin(stopped); !s.ok()) return s;
    OffsetMap next_offsets;
    uint64_t out = 0, dead = 0;
    std::map<std::pair<Flow, std::string>, uint64_t> flow;         // counted once committed
    std::vector<std::pair<const std::string*, int64_t>> ingested;  // output topic, ingest ms
    for (const Record& in : batch) {
      next_offsets[{in.topic, in.partition}] = in.offset + 1;
      ++flow[{kIn, in.topic}];
      absl::StatusOr<std::vector<OutRecord>> result = stage.process(in);
      if (absl::IsUnavailable(result.status())) {
        Log().Warn("stage cannot decide now: the batch is rolled back and read again",
                   {{"stage", options.stage}, {"error", result.status().ToString()}});
        if (absl::Status s = txn->Abort(stopped); !s.ok()) return s;
        return result.status();
      }
      const Lineage lineage(in, options.stage);
      absl::Status produced;
      if (result.ok()) {
        for (OutRecord& o : *result) {
          o.headers.push_back({std::string(kHeaderSourceStage), options.stage});
          lineage.PassOn(o);
          if (lineage.ingested_ms > 0)
            ingested.emplace_back(&OutputTopic(o.topic), lineage.ingested_ms);
          produced = Produce(o);
          if (!produced.ok()) break;
          ++out;
          ++flow[{kOut, o.topic}];
        }
      }
      if (!result.ok() || !produced.ok()) {
        absl::Status why = result.ok() ? produced : result.status();
        Log().Warn("record dead-lettered",
                   {{"stage", options.stage},
                    {"topic", in.topic},
                    {"partition", in.partition},
                    {"offset", in.offset},
                    {"reason", why.ToString()},
                    {"trace_id", lineage.trace ? lineage.trace->trace_id : ""}});
        if (absl::Status s = Produce(DeadLetter(in, why)); !s.ok()) {
          if (absl::Status a = txn->Abort(stopped); !a.ok()) return a;
          return absl::AbortedError(absl::StrCat("cannot dead-letter: ", s.ToString()));
        }
        ++dead;
        ++flow[{kDead, in.topic}];
      }
    }
    const absl::Time commit_started = absl::Now();
    if (absl::Status s = txn->Commit(next_offsets, stopped); !s.ok()) return s;
    metrics.commit_seconds->Observe(absl::ToDoubleSeconds(absl::Now() - commit_started));
    metrics.batch_records->Observe(static_cast<double>(batch.size()));
    BrokerAnswers();
    stats.records_in += batch.size();
    stats.records_out += out;
    stats.deadlettered += dead;
    ++stats.commits;
    for (const auto& [what, n] : flow) CountFlow(what.first, what.second, n);
    metrics.commits->Increment();
    const int64_t now_ms = absl::ToUnixMillis(absl::Now());
    for (const auto& [topic, ms] : ingested) {
      EndToEnd(*topic).Observe(std::max<int64_t>(0, now_ms - ms) / 1000.0);
    }
    if (stage.on_commit) stage.on_commit();
    for (const Record& in : batch) {
      auto it = isolate_through.find({in.topic, in.partition});
      if (it != isolate_through.end() && in.offset >= it->second) isolate_through.erase(it);
    }
    strikes = 0;
    return absl::OkStatus();
  }

  // A rolled-back batch: isolate its records; a record that failed alone often enough is
  // dead-lettered (true: it was, and the loop reads on after it).
  bool OnRolledBack(const std::vector<Record>& batch, const absl::Status& why,
                    const std::function<bool()>& stopped) {
    for (const Record& in : batch) {
      int64_t& through = isolate_through[{in.topic, in.partition}];
      through = std::max(through, in.offset);
    }
    if (batch.size() != 1) return false;
    const Record& in = batch.front();
    std::tuple<std::string, int32_t, int64_t> key{in.topic, in.partition, in.offset};
    strikes = key == suspect ? strikes + 1 : 1;
    suspect = key;
    if (strikes < kPoisonStrikes) return false;
    // Alone, and refused every time: its outputs cannot be delivered. The dead letter and
    // the offset go in one transaction, so no half of the record's outputs is committed.
    const absl::Status reason(why.code(), absl::StrCat("outputs refused by the broker ",
                                                       kPoisonStrikes, " times: ", why.message()));
    if (!txn->Begin(stopped).ok()) return false;
    if (!Produce(DeadLetter(in, reason)).ok()) {
      txn->Abort(stopped).IgnoreError();
      return false;
    }
    if (!txn->Commit({{{in.topic, in.partition}, in.offset + 1}}, stopped).ok()) return false;
    Log().Warn("record dead-lettered", {{"stage", options.stage},
                                        {"topic", in.topic},
                                        {"partition", in.partition},
                                        {"offset", in.offset},
                                        {"reason", reason.ToString()}});
    ++stats.records_in;
    ++stats.deadlettered;
    ++stats.commits;
    CountFlow(kIn, in.topic, 1);
    CountFlow(kDead, in.topic, 1);
    metrics.commits->Increment();
    strikes = 0;
    return true;
  }
};

StageLoop::StageLoop(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StageLoop::~StageLoop() {
  if (impl_->consumer) rd_kafka_consumer_close(impl_->consumer.get());
}

const StageStats& StageLoop::stats() const { return impl_->stats; }
const std::string& StageLoop::name() const { return impl_->options.stage; }

absl::StatusOr<std::unique_ptr<StageLoop>> StageLoop::Create(StageOptions options, Stage stage) {
  if (!stage.process) return absl::InvalidArgumentError("stage needs a process function");
  if (options.group_id.empty()) return absl::InvalidArgumentError("stage needs a group id");
  if (options.input_topics.empty()) return absl::InvalidArgumentError("stage needs input topics");
  if (options.transactional_id.empty()) {
    return absl::InvalidArgumentError("stage needs a transactional id");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->stage = std::move(stage);

  auto cconf = internal::MakeConf(options.client, {{"group.id", options.group_id},
                                                   {"enable.auto.commit", "false"},
                                                   {"isolation.level", "read_committed"},
                                                   {"auto.offset.reset", "earliest"},
                                                   {"session.timeout.ms", "10000"},
                                                   {"heartbeat.interval.ms", "1000"}});
  if (!cconf.ok()) return cconf.status();
  rd_kafka_conf_set_opaque(*cconf, impl.get());
  rd_kafka_conf_set_rebalance_cb(*cconf, &Impl::OnRebalance);
  rd_kafka_conf_set_error_cb(*cconf, &Impl::OnError);
  auto consumer = internal::NewClient(RD_KAFKA_CONSUMER, *cconf);
  if (!consumer.ok()) return consumer.status();
  impl->consumer = std::move(*consumer);
  rd_kafka_poll_set_consumer(impl->consumer.get());

  TransactionsOptions topts;
  topts.name = options.stage;
  // Short calls, resumed while retriable: a shutdown during an outage stays prompt.
  topts.call_timeout = std::min(options.transaction_timeout, absl::Seconds(5));
  topts.backoff = {absl::Milliseconds(250), absl::Seconds(2)};  // back within seconds
  topts.heartbeat = [stats = &impl->stats] {
    stats->alive_unix_ms = absl::ToUnixMillis(absl::Now());
  };
  impl->txn = std::make_unique<Transactions>(
      topts, [client = options.client, id = options.transactional_id,
              timeout = options.transaction_timeout, consumer = impl->consumer.get()] {
        return NewKafkaTxnClient(client, id, timeout, consumer);
      });
  return std::unique_ptr<StageLoop>(new StageLoop(std::move(impl)));
}

bool StageLoop::waiting() const {
  return impl_->txn->waiting() || impl_->broker_down.load() || impl_->stage_waiting.load();
}

absl::Status StageLoop::Run(const std::atomic<bool>& stop) {
  Impl& s = *impl_;
  const std::function<bool()> stopped = [&stop] { return stop.load(); };
  // Waits for the broker as long as it takes; init_transactions also aborts whatever a
  // previous incarnation left open.
  if (absl::Status started = s.txn->Start(stopped); !started.ok()) {
    return absl::IsCancelled(started) ? absl::OkStatus() : started;
  }
  rd_kafka_topic_partition_list_t* topics =
      rd_kafka_topic_partition_list_new(s.options.input_topics.size());
  for (const auto& t : s.options.input_topics) {
    rd_kafka_topic_partition_list_add(topics, t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(s.consumer.get(), topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return internal::ToStatus(err, "subscribe");
  Log().Info("stage started", {{"stage", s.options.stage}, {"group", s.options.group_id}});

  s.InitMetrics();
  while (!stop.load()) {
    s.stats.alive_unix_ms = absl::ToUnixMillis(absl::Now());
    std::vector<Record> batch = s.Collect(stop);
    if (!s.consumer_fatal.empty()) {
      return absl::InternalError(absl::StrCat(s.options.stage, ": the consumer hit a fatal error (",
                                              s.consumer_fatal, "); a restart makes a new one"));
    }
    s.ProbeBroker();
    s.UpdateLag();
    if (batch.empty()) continue;
    absl::Time started = absl::Now();
    absl::Status done = s.Transact(batch, stopped);
    s.metrics.batch_seconds->Observe(absl::ToDoubleSeconds(absl::Now() - started));
    if (done.ok()) {
      if (s.stage_waiting.exchange(false)) s.stage_backoff.Reset();
      continue;
    }
    if (absl::IsCancelled(done)) break;  // stopped mid-transaction: the next start resolves it
    ++s.stats.aborts;
    s.metrics.aborts->Increment();
    if (s.stage.on_abort) s.stage.on_abort();
    if (absl::IsFailedPrecondition(done) || absl::IsInvalidArgument(done)) {
      return done;  // permanent: no restart and no wait gets past it
    }
    if (absl::IsAborted(done) && s.OnRolledBack(batch, done, stopped)) {
      const Record& dead = batch.front();
      s.SeekBack({Record{dead.topic, dead.partition, dead.offset + 1}});
      continue;
    }
    s.SeekBack(batch);
    if (absl::IsUnavailable(done)) {
      s.stage_waiting = true;
      const absl::Duration wait = s.stage_backoff.Next();
      Log().Warn("stage waiting before reading the batch again",
                 {{"stage", s.options.stage}, {"retry_in_ms", absl::ToInt64Milliseconds(wait)}});
      runtime::SleepUnlessStopped(wait, stopped);
    }
  }
  Log().Info("stage stopped", {{"stage", s.options.stage},
                               {"records_in", s.stats.records_in.load()},
                               {"commits", s.stats.commits.load()}});
  return absl::OkStatus();
}

}  // namespace ww::kafka
