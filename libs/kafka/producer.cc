#include "libs/kafka/producer.h"

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "libs/kafka/client.h"

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

}  // namespace

struct Producer::Impl {
  KafkaHandle rk;
  absl::Mutex mu;
  std::set<std::string> known_topics ABSL_GUARDED_BY(mu);  // checked to exist once
  std::atomic<bool> stop{false};
  std::thread poller;
};

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Producer::~Producer() {
  Flush(absl::Seconds(10));
  impl_->stop = true;
  if (impl_->poller.joinable()) impl_->poller.join();
}

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(const ClientConfig& config) {
  auto conf = internal::MakeConf(
      config, {{"enable.idempotence", "true"}, {"acks", "all"}, {"linger.ms", "2"}});
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_dr_msg_cb(*conf, OnDelivery);
  auto rk = internal::NewClient(RD_KAFKA_PRODUCER, *conf);
  if (!rk.ok()) return rk.status();
  auto impl = std::make_unique<Impl>();
  impl->rk = std::move(*rk);
  Impl* raw = impl.get();
  impl->poller = std::thread([raw] {
    while (!raw->stop.load()) rd_kafka_poll(raw->rk.get(), 100);
  });
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

absl::Status Producer::Enqueue(const OutRecord& r, Pending* pending, absl::Duration timeout) {
  // The topic must exist: topics are created by the project, never auto-created. Checked
  // once per topic, not per record.
  bool known;
  {
    absl::MutexLock lock(&impl_->mu);
    known = impl_->known_topics.count(r.topic) > 0;
  }
  if (!known) {
    auto partitions = internal::PartitionCount(
        impl_->rk.get(), r.topic, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
    if (!partitions.ok()) return partitions.status();
    absl::MutexLock lock(&impl_->mu);
    impl_->known_topics.insert(r.topic);
  }
  rd_kafka_headers_t* hdrs = internal::ToHeaders(r.headers);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      impl_->rk.get(), RD_KAFKA_V_TOPIC(r.topic.c_str()),
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

absl::StatusOr<Delivered> Producer::Await(std::unique_ptr<Pending> pending,
                                          const std::string& topic, absl::Duration timeout) {
  if (!pending->done.WaitForNotificationWithTimeout(timeout)) {
    // The delivery callback still holds the pointer: leak it rather than free it under it.
    (void)pending.release();
    return absl::UnavailableError(absl::StrCat("no acknowledgement from Kafka for ", topic,
                                               " within ", absl::FormatDuration(timeout)));
  }
  if (pending->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return internal::ToStatus(pending->err, absl::StrCat("produce to ", topic));
  }
  return pending->delivered;
}

absl::StatusOr<Delivered> Producer::Send(const OutRecord& r, absl::Duration timeout) {
  auto pending = std::make_unique<Pending>();
  if (absl::Status s = Enqueue(r, pending.get(), timeout); !s.ok()) return s;
  return Await(std::move(pending), r.topic, timeout);
}

absl::Status Producer::SendAll(const std::vector<OutRecord>& records, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<std::unique_ptr<Pending>> pending;
  pending.reserve(records.size());
  absl::Status first;
  for (const OutRecord& r : records) {
    auto p = std::make_unique<Pending>();
    if (absl::Status s = Enqueue(r, p.get(), timeout); !s.ok()) {
      first.Update(s);
      break;
    }
    pending.push_back(std::move(p));
  }
  // Every enqueued record is awaited, even after an error: its callback uses its Pending.
  for (size_t i = 0; i < pending.size(); ++i) {
    auto d = Await(std::move(pending[i]), records[i].topic,
                   std::max(absl::ZeroDuration(), deadline - absl::Now()));
    if (!d.ok()) first.Update(d.status());
  }
  return first;
}

void Producer::Flush(absl::Duration timeout) {
  rd_kafka_flush(impl_->rk.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout)));
}

}  // namespace ww::kafka
