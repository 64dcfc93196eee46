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

namespace {

struct Pending {
  absl::Notification done;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  Delivered delivered;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* p = static_cast<Pending*>(m->_private);
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

absl::StatusOr<Delivered> Producer::Send(const OutRecord& r, absl::Duration timeout) {
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
  auto pending = std::make_unique<Pending>();
  rd_kafka_headers_t* hdrs = internal::ToHeaders(r.headers);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      impl_->rk.get(), RD_KAFKA_V_TOPIC(r.topic.c_str()),
      RD_KAFKA_V_PARTITION(r.partition < 0 ? RD_KAFKA_PARTITION_UA : r.partition),
      RD_KAFKA_V_KEY(r.key.data(), r.key.size()),
      RD_KAFKA_V_VALUE(r.tombstone ? nullptr : const_cast<char*>(r.value.data()),
                       r.tombstone ? 0 : r.value.size()),
      RD_KAFKA_V_TIMESTAMP(r.timestamp_ms), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(pending.get()), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
    return internal::ToStatus(err, absl::StrCat("produce to ", r.topic));
  }
  if (!pending->done.WaitForNotificationWithTimeout(timeout)) {
    // The delivery callback still holds the pointer: leak it rather than free it under it.
    (void)pending.release();
    return absl::UnavailableError(absl::StrCat("no acknowledgement from Kafka for ", r.topic,
                                               " within ", absl::FormatDuration(timeout)));
  }
  if (pending->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return internal::ToStatus(pending->err, absl::StrCat("produce to ", r.topic));
  }
  return pending->delivered;
}

void Producer::Flush(absl::Duration timeout) {
  rd_kafka_flush(impl_->rk.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout)));
}

}  // namespace ww::kafka
