#include "libs/kafka/stage_loop.h"

#include <map>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/kafka/client.h"
#include "libs/runtime/log.h"
#include "libs/runtime/metrics.h"
#include "libs/runtime/trace.h"

namespace ww::kafka {

using internal::ErrorAction;

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
      if (!absl::SimpleAtoi(absl::string_view(ms->data(), ms->size()), &ingested_ms)) ingested_ms = 0;
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
  internal::KafkaHandle producer;
  StageStats stats;
  struct {
    runtime::Counter* commits;
    runtime::Counter* aborts;
    runtime::Histogram* batch_seconds;
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
      Log().Info("partitions assigned", {{"stage", self->options.stage}, {"count", partitions->cnt}});
    } else {
      rd_kafka_assign(rk, nullptr);
      self->stats.assigned = false;
      Log().Info("partitions revoked", {{"stage", self->options.stage}, {"count", partitions->cnt}});
    }
  }

  // Starts every partition of the current assignment again from its committed offset.
  void Rewind() {
    rd_kafka_topic_partition_list_t* assignment = nullptr;
    if (rd_kafka_assignment(consumer.get(), &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    internal::PartitionList owned(assignment);
    for (int i = 0; i < owned->cnt; ++i) owned->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
    rd_kafka_assign(consumer.get(), owned.get());
  }

  absl::Status Produce(const OutRecord& r) { return internal::ProduceRecord(producer.get(), r); }

  OutRecord DeadLetter(const Record& in, const absl::Status& why) const {
    OutRecord out;
    out.topic = options.deadletter_topic;
    out.key = in.key;
    out.value = in.value;
    out.tombstone = in.tombstone;
    out.headers = in.headers;
    out.headers.push_back({std::string(kHeaderDlqReason), why.ToString()});
    out.headers.push_back({std::string(kHeaderDlqStage), options.stage});
    out.headers.push_back({std::string(kHeaderDlqTopic), in.topic});
    out.headers.push_back({std::string(kHeaderDlqPartition), absl::StrCat(in.partition)});
    out.headers.push_back({std::string(kHeaderDlqOffset), absl::StrCat(in.offset)});
    return out;
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
    metrics.batch_seconds = &m.histogram("ww_stage_batch_seconds",
                                         "time to process and commit one batch", l);
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
      static constexpr const char* kHelp[] = {"records consumed and committed, by input topic",
                                              "records produced and committed, by output topic",
                                              "records sent to the dead-letter topic, by input topic"};
      c = &runtime::Metrics::Default().counter(kNames[flow], kHelp[flow],
                                               {{"stage", options.stage}, {"topic", topic}});
    }
    c->Add(n);
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
              RD_KAFKA_RESP_ERR_NO_ERROR || hi < 0 || tp.offset < 0) {
        continue;
      }
      runtime::Metrics::Default()
          .gauge("ww_consumer_lag", "records not yet consumed, per partition",
                 {{"stage", options.stage}, {"topic", tp.topic}, {"partition", absl::StrCat(tp.partition)}})
          .Set(static_cast<double>(std::max<int64_t>(0, hi - tp.offset)));
    }
  }

  // Collects up to max_batch records, waiting at most max_batch_wait after the first.
  std::vector<Record> Collect(const std::atomic<bool>& stop) {
    std::vector<Record> batch;
    rebalanced = false;
    absl::Time deadline = absl::InfiniteFuture();
    while (batch.size() < options.max_batch && !stop.load()) {
      int wait = batch.empty() ? 200 : std::max(0, Ms(deadline - absl::Now()));
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), wait);
      if (rebalanced) {
        // The assignment changed under this batch. Drop it, and the message that came with
        // the change, and start every owned partition again from its committed offset:
        // what was dropped is read again, by this replica or by the new owner.
        if (m != nullptr) rd_kafka_message_destroy(m);
        batch.clear();
        rebalanced = false;
        Rewind();
        deadline = absl::InfiniteFuture();
        continue;
      }
      if (m == nullptr) {
        if (batch.empty()) return batch;  // idle: let the caller check `stop`
        if (absl::Now() >= deadline) break;
        continue;
      }
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (batch.empty()) deadline = absl::Now() + options.max_batch_wait;
        batch.push_back(internal::ToRecord(m));
      } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        Log().Warn("consume error", {{"stage", options.stage}, {"error", rd_kafka_message_errstr(m)}});
      }
      rd_kafka_message_destroy(m);
    }
    return batch;
  }

  // Processes and commits one batch: nullopt when committed, else what the failure calls for.
  std::optional<ErrorAction> Transact(const std::vector<Record>& batch) {
    if (rd_kafka_error_t* e = rd_kafka_begin_transaction(producer.get())) {
      ErrorAction a = internal::Classify(e);
      Log().Error("begin transaction", {{"stage", options.stage}, {"error", rd_kafka_error_string(e)}});
      rd_kafka_error_destroy(e);
      return a == ErrorAction::kRetry ? ErrorAction::kAbortAndRewind : a;
    }
    std::map<std::pair<std::string, int32_t>, int64_t> next_offsets;
    uint64_t out = 0, dead = 0;
    std::map<std::pair<Flow, std::string>, uint64_t> flow;  // counted once committed
    std::vector<std::pair<const std::string*, int64_t>> ingested;  // output topic, ingest ms
    for (const Record& in : batch) {
      next_offsets[{in.topic, in.partition}] = in.offset + 1;
      ++flow[{kIn, in.topic}];
      absl::StatusOr<std::vector<OutRecord>> result = stage.process(in);
      const Lineage lineage(in, options.stage);
      absl::Status produced;
      if (result.ok()) {
        for (OutRecord& o : *result) {
          o.headers.push_back({std::string(kHeaderSourceStage), options.stage});
          lineage.PassOn(o);
          if (lineage.ingested_ms > 0) ingested.emplace_back(&OutputTopic(o.topic), lineage.ingested_ms);
          produced = Produce(o);
          if (!produced.ok()) break;
          ++out;
          ++flow[{kOut, o.topic}];
        }
      }
      if (!result.ok() || !produced.ok()) {
        absl::Status why = result.ok() ? produced : result.status();
        Log().Warn("record dead-lettered",
                   {{"stage", options.stage}, {"topic", in.topic}, {"partition", in.partition},
                    {"offset", in.offset}, {"reason", why.ToString()},
                    {"trace_id", lineage.trace ? lineage.trace->trace_id : ""}});
        if (!Produce(DeadLetter(in, why)).ok()) return ErrorAction::kAbortAndRewind;
        ++dead;
        ++flow[{kDead, in.topic}];
      }
    }
    internal::PartitionList offsets(rd_kafka_topic_partition_list_new(next_offsets.size()));
    for (const auto& [tp, off] : next_offsets) {
      rd_kafka_topic_partition_list_add(offsets.get(), tp.first.c_str(), tp.second)->offset = off;
    }
    rd_kafka_consumer_group_metadata_t* cgmd = rd_kafka_consumer_group_metadata(consumer.get());
    rd_kafka_error_t* e = rd_kafka_send_offsets_to_transaction(
        producer.get(), offsets.get(), cgmd, Ms(options.transaction_timeout));
    rd_kafka_consumer_group_metadata_destroy(cgmd);
    if (e == nullptr) e = rd_kafka_commit_transaction(producer.get(), Ms(options.transaction_timeout));
    if (e != nullptr) {
      ErrorAction a = internal::Classify(e);
      Log().Warn("transaction failed",
                 {{"stage", options.stage}, {"error", rd_kafka_error_string(e)}});
      rd_kafka_error_destroy(e);
      return a == ErrorAction::kRetry ? ErrorAction::kAbortAndRewind : a;
    }
    stats.records_in += batch.size();
    stats.records_out += out;
    stats.deadlettered += dead;
    ++stats.commits;
    for (const auto& [what, n] : flow) CountFlow(what.first, what.second, n);
    metrics.commits->Add();
    const int64_t now_ms = absl::ToUnixMillis(absl::Now());
    for (const auto& [topic, ms] : ingested) {
      EndToEnd(*topic).Observe(std::max<int64_t>(0, now_ms - ms) / 1000.0);
    }
    if (stage.on_commit) stage.on_commit();
    return std::nullopt;
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
  auto consumer = internal::NewClient(RD_KAFKA_CONSUMER, *cconf);
  if (!consumer.ok()) return consumer.status();
  impl->consumer = std::move(*consumer);
  rd_kafka_poll_set_consumer(impl->consumer.get());

  auto pconf = internal::MakeConf(
      options.client,
      {{"transactional.id", options.transactional_id},
       {"transaction.timeout.ms", absl::StrCat(Ms(options.transaction_timeout))},
       {"linger.ms", "5"}});
  if (!pconf.ok()) return pconf.status();
  auto producer = internal::NewClient(RD_KAFKA_PRODUCER, *pconf);
  if (!producer.ok()) return producer.status();
  impl->producer = std::move(*producer);
  return std::unique_ptr<StageLoop>(new StageLoop(std::move(impl)));
}

absl::Status StageLoop::Run(const std::atomic<bool>& stop) {
  Impl& s = *impl_;
  // init_transactions also aborts whatever a previous incarnation left open.
  // In short steps, so a shutdown while the broker is unreachable is prompt (and clean:
  // nothing was read, nothing is lost).
  for (;;) {
    if (stop.load()) return absl::OkStatus();
    rd_kafka_error_t* e = rd_kafka_init_transactions(s.producer.get(), 5000);
    if (e == nullptr) break;
    s.stats.alive_unix_ms = absl::ToUnixMillis(absl::Now());  // waiting, not stuck
    ErrorAction a = internal::Classify(e);
    if (a == ErrorAction::kFatal) {
      return internal::ToStatus(e, absl::StrCat(s.options.stage, ": init transactions"));
    }
    Log().Warn("init transactions, retrying", {{"stage", s.options.stage}, {"error", rd_kafka_error_string(e)}});
    rd_kafka_error_destroy(e);
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
    s.UpdateLag();
    if (batch.empty()) continue;
    absl::Time started = absl::Now();
    std::optional<ErrorAction> failed = s.Transact(batch);
    s.metrics.batch_seconds->Observe(absl::ToDoubleSeconds(absl::Now() - started));
    if (!failed.has_value()) continue;  // committed
    ++s.stats.aborts;
    s.metrics.aborts->Add();
    if (s.stage.on_abort) s.stage.on_abort();
    if (*failed == ErrorAction::kFatal) {
      return absl::InternalError(absl::StrCat(s.options.stage, ": fatal Kafka error, stopping"));
    }
    if (rd_kafka_error_t* e = rd_kafka_abort_transaction(s.producer.get(), 30000)) {
      absl::Status st = internal::ToStatus(e, absl::StrCat(s.options.stage, ": abort transaction"));
      return st;
    }
    s.Rewind();
  }
  Log().Info("stage stopped", {{"stage", s.options.stage},
                               {"records_in", s.stats.records_in.load()},
                               {"commits", s.stats.commits.load()}});
  return absl::OkStatus();
}

}  // namespace ww::kafka
