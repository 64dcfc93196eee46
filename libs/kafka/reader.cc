#include "libs/kafka/reader.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "libs/kafka/client.h"
#include "libs/runtime/log.h"

namespace ww::kafka {

namespace {
const runtime::Logger& Log() {
  static const runtime::Logger log("kafka.reader");
  return log;
}
}  // namespace

struct TopicReader::Impl {
  internal::KafkaHandle rk;
  std::string topic;
  int partitions = 0;
  std::set<int32_t> at_end;
};

TopicReader::TopicReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TopicReader::~TopicReader() {
  if (impl_->rk) rd_kafka_consumer_close(impl_->rk.get());
}

absl::StatusOr<std::unique_ptr<TopicReader>> TopicReader::Create(const ClientConfig& config,
                                                                 const std::string& topic,
                                                                 StartFrom start) {
  return Create(config, topic, start == StartFrom::kBeginning ? StartAt{} : StartAt{{}, -1, true});
}

absl::StatusOr<std::unique_ptr<TopicReader>> TopicReader::Create(const ClientConfig& config,
                                                                 const std::string& topic,
                                                                 const StartAt& start) {
  auto conf = internal::MakeConf(config, {{"group.id", "ww-reader-unused"},
                                          {"enable.auto.commit", "false"},
                                          {"enable.auto.offset.store", "false"},
                                          {"isolation.level", "read_committed"},
                                          {"enable.partition.eof", "true"}});
  if (!conf.ok()) return conf.status();
  auto rk = internal::NewClient(RD_KAFKA_CONSUMER, *conf);
  if (!rk.ok()) return rk.status();
  auto partitions = internal::PartitionCount(rk->get(), topic, 10000);
  if (!partitions.ok()) return partitions.status();
  internal::PartitionList list(rd_kafka_topic_partition_list_new(*partitions));
  for (int p = 0; p < *partitions; ++p) {
    int64_t offset = RD_KAFKA_OFFSET_BEGINNING;
    if (start.at_end) {
      offset = RD_KAFKA_OFFSET_END;
    } else if (start.time_ms >= 0) {
      offset = start.time_ms;  // resolved by offsets_for_times below
    } else if (auto it = start.offsets.find(p); it != start.offsets.end()) {
      offset = it->second;
    }
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = offset;
  }
  if (start.time_ms >= 0) {
    // Right after a topic is created its leaders may still be moving: retry those errors.
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int attempt = 0; attempt < 40; ++attempt) {
      err = rd_kafka_offsets_for_times(rk->get(), list.get(), 10000);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR ||
          internal::Classify(err) != internal::ErrorAction::kRetry)
        break;
      for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = start.time_ms;
      rd_kafka_poll(rk->get(), 250);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return internal::ToStatus(err, "offsets for time in " + topic);
    // A partition with nothing at or after the time answers -1: start at its end.
    for (int i = 0; i < list->cnt; ++i) {
      if (list->elems[i].offset < 0) list->elems[i].offset = RD_KAFKA_OFFSET_END;
    }
  }
  if (auto err = rd_kafka_assign(rk->get(), list.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return internal::ToStatus(err, "assign " + topic);
  }
  auto impl = std::make_unique<Impl>();
  impl->rk = std::move(*rk);
  impl->topic = topic;
  impl->partitions = *partitions;
  return std::unique_ptr<TopicReader>(new TopicReader(std::move(impl)));
}

std::map<int32_t, int64_t> TopicReader::positions() const {
  std::map<int32_t, int64_t> out;
  internal::PartitionList list(rd_kafka_topic_partition_list_new(impl_->partitions));
  for (int p = 0; p < impl_->partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), impl_->topic.c_str(), p);
  }
  if (rd_kafka_position(impl_->rk.get(), list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
  for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
  return out;
}

std::vector<Record> TopicReader::Poll(absl::Duration timeout, size_t max) {
  std::vector<Record> out;
  int wait_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  while (out.size() < max) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(impl_->rk.get(), wait_ms);
    if (m == nullptr) break;
    wait_ms = 0;  // drain what is already here, then return
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      impl_->at_end.insert(m->partition);
    } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Log().Warn("consume error", {{"topic", impl_->topic}, {"error", rd_kafka_message_errstr(m)}});
    } else {
      out.push_back(internal::ToRecord(m));
    }
    rd_kafka_message_destroy(m);
  }
  return out;
}

bool TopicReader::caught_up() const {
  return static_cast<int>(impl_->at_end.size()) >= impl_->partitions;
}

}  // namespace ww::kafka
