#include "libs/kafka/producer.h"

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "libs/kafka/client.h"
#include "libs/runtime/log.h"

namespace ww::kafka {

using internal::KafkaHandle;

struct Producer::Pending {
  absl::Notification done;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  Delivered delivered;
};

namespace {

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* p = static_cast<Producer::Pending*>(m->_private);
  if (p == nullptr) return;
  p->err = m->err;
  p->delivered = {m->partition, m->offset};
  p->done.Notify();
}

const runtime::Logger& Log() {
  static const runtime::Logger log("kafka.producer");
  return log;
}

// A producer handle shared by the calls using it. The last holder of a replaced handle
// purges what it still held (each record's caller hears of it) and destroys it.
using SharedHandle = std::shared_ptr<rd_kafka_t>;

absl::StatusOr<SharedHandle> NewProducerHandle(const ClientConfig& config) {
  auto conf = internal::MakeConf(
      config, {{"enable.idempotence", "true"}, {"acks", "all"}, {"linger.ms", "2"}});
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_dr_msg_cb(*conf, OnDelivery);
  auto rk = internal::NewClient(RD_KAFKA_PRODUCER, *conf);
  if (!rk.ok()) return rk.status();
  return SharedHandle(rk->release(), [](rd_kafka_t* h) {
    if (rd_kafka_fatal_error(h, nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_purge(h, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_flush(h, 1000);  // serves the purged records' delivery callbacks
    }
    rd_kafka_destroy(h);
  });
}

}  // namespace

struct Producer::Impl {
  ClientConfig config;
  absl::Mutex mu;
  SharedHandle rk ABSL_GUARDED_BY(mu);
  std::set<std::string> known_topics ABSL_GUARDED_BY(mu);  // checked to exist once
  std::atomic<bool> stop{false};
  std::thread poller;

  SharedHandle Current() {
    absl::MutexLock lock(&mu);
    return rk;
  }

  // An idempotent producer's fatal error (the broker lost records it had acknowledged,
  // e.g. after a kill -9 without fsync, and the sequence numbers no longer line up) leaves
  // the handle unusable for good: every later record fails. A new handle (a new producer
  // id) continues; the records the old one held fail to their callers, who send them again
  // (a record sent twice is a redelivery of the same key, which the pipeline absorbs).
  // True when `used` is (now) replaced, so the caller may try again on the new handle.
  bool ReplaceIfFatal(const SharedHandle& used) {
    char why[512] = "";
    const rd_kafka_resp_err_t cause = rd_kafka_fatal_error(used.get(), why, sizeof why);
    if (cause == RD_KAFKA_RESP_ERR_NO_ERROR) return false;
    absl::MutexLock lock(&mu);
    if (rk != used) return true;  // another caller replaced it already
    auto fresh = NewProducerHandle(config);
    if (!fresh.ok()) {
      Log().Error("producer hit a fatal error and could not be replaced",
                  {{"cause", rd_kafka_err2name(cause)},
                   {"error", why},
                   {"replace_error", fresh.status().ToString()}});
      return false;
    }
    Log().Warn("producer hit a fatal error; replaced it with a new one",
               {{"cause", rd_kafka_err2name(cause)}, {"error", why}});
    rk = std::move(*fresh);
    return true;
  }

  // Hands the record to librdkafka on `handle`; `pending` is told of its delivery.
  absl::Status Enqueue(rd_kafka_t* handle, const OutRecord& record, Pending* pending,
                       absl::Duration timeout);
};

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Producer::~Producer() {
  Flush(absl::Seconds(10));
  impl_->stop = true;
  if (impl_->poller.joinable()) impl_->poller.join();
}

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(const ClientConfig& config) {
  auto rk = NewProducerHandle(config);
  if (!rk.ok()) return rk.status();
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  {
    absl::MutexLock lock(&impl->mu);
    impl->rk = std::move(*rk);
  }
  Impl* raw = impl.get();
  impl->poller = std::thread([raw] {
    while (!raw->stop.load()) rd_kafka_poll(raw->Current().get(), 100);
  });
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

absl::Status Producer::Impl::Enqueue(rd_kafka_t* handle, const OutRecord& r, Pending* pending,
                                     absl::Duration timeout) {
  // The topic must exist: topics are created by the project, never auto-created. Checked
  // once per topic, not per record.
  bool known;
  {
    absl::MutexLock lock(&mu);
    known = known_topics.count(r.topic) > 0;
  }
  if (!known) {
    auto partitions = internal::PartitionCount(
        handle, r.topic, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
    if (!partitions.ok()) return partitions.status();
    absl::MutexLock lock(&mu);
    known_topics.insert(r.topic);
  }
  rd_kafka_headers_t* hdrs = internal::ToHeaders(r.headers);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      handle, RD_KAFKA_V_TOPIC(r.topic.c_str()),
      RD_KAFKA_V_PARTITION(r.partition < 0 ? RD_KAFKA_PARTITION_UA : r.partition),
      RD_KAFKA_V_KEY(r.key.data(), r.key.size()),
      RD_KAFKA_V_VALUE(r.tombstone ? nullptr : const_cast<char*>(r.value.data()),
                       r.tombstone ? 0 : r.value.size()),
      RD_KAFKA_V_TIMESTAMP(r.timestamp_ms), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(pending), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
    return internal::ToStatus(err, absl::StrCat("produce to ", r.topic));
  }
  return absl::OkStatus();
}

namespace {

// Waits for `pending`'s delivery on `handle`. Gives up early when the handle hits a fatal
// error (its records are failed only when it is destroyed). When it gives up, librdkafka
// still holds the pointer: the Pending is leaked rather than freed under it.
absl::StatusOr<Delivered> Await(std::unique_ptr<Producer::Pending> pending, rd_kafka_t* handle,
                                const std::string& topic, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (pending->done.WaitForNotificationWithTimeout(std::min(left, absl::Milliseconds(100)))) {
      break;
    }
    char why[512] = "";
    if (rd_kafka_fatal_error(handle, why, sizeof why) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      (void)pending.release();
      return absl::UnavailableError(
          absl::StrCat("produce to ", topic, ": the producer hit a fatal error: ", why));
    }
    if (left <= absl::ZeroDuration()) {
      (void)pending.release();
      return absl::UnavailableError(absl::StrCat("no acknowledgement from Kafka for ", topic,
                                                 " within ", absl::FormatDuration(timeout)));
    }
  }
  if (pending->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return internal::ToStatus(pending->err, absl::StrCat("produce to ", topic));
  }
  return pending->delivered;
}

}  // namespace

absl::StatusOr<Delivered> Producer::Send(const OutRecord& r, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (int attempt = 1;; ++attempt) {
    SharedHandle handle = impl_->Current();
    auto pending = std::make_unique<Pending>();
    absl::StatusOr<Delivered> d;
    if (absl::Status s = impl_->Enqueue(handle.get(), r, pending.get(), deadline - absl::Now());
        s.ok()) {
      d = Await(std::move(pending), handle.get(), r.topic, deadline - absl::Now());
    } else {
      d = s;
    }
    // One more try on a new handle when this one died of a fatal error.
    if (d.ok() || attempt == 2 || !impl_->ReplaceIfFatal(handle)) return d;
  }
}

absl::Status Producer::SendAll(const std::vector<OutRecord>& records, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (int attempt = 1;; ++attempt) {
    SharedHandle handle = impl_->Current();
    std::vector<std::unique_ptr<Pending>> pending;
    pending.reserve(records.size());
    absl::Status first;
    for (const OutRecord& r : records) {
      auto p = std::make_unique<Pending>();
      if (absl::Status s = impl_->Enqueue(handle.get(), r, p.get(), deadline - absl::Now());
          !s.ok()) {
        first.Update(s);
        break;
      }
      pending.push_back(std::move(p));
    }
    // Every enqueued record is awaited, even after an error: its callback uses its Pending.
    for (size_t i = 0; i < pending.size(); ++i) {
      auto d = Await(std::move(pending[i]), handle.get(), records[i].topic,
                     std::max(absl::ZeroDuration(), deadline - absl::Now()));
      if (!d.ok()) first.Update(d.status());
    }
    // All again on a new handle when this one died of a fatal error (the ones that did
    // land are redelivered: same keys).
    if (first.ok() || attempt == 2 || !impl_->ReplaceIfFatal(handle)) return first;
  }
}

void Producer::Flush(absl::Duration timeout) {
  rd_kafka_flush(impl_->Current().get(), static_cast<int>(absl::ToInt64Milliseconds(timeout)));
}

}  // namespace ww::kafka
