#include "libs/kafka/admin.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/kafka/client.h"

namespace ww::kafka {
namespace {

using internal::AdminClient;
constexpr int kTimeoutMs = internal::kAdminTimeoutMs;

// Waits for the result event of an admin call on `q`.
rd_kafka_event_t* WaitResult(rd_kafka_queue_t* q) {
  return rd_kafka_queue_poll(q, kTimeoutMs + 5000);
}

}  // namespace

absl::Status EnsureTopics(const ClientConfig& config, const std::vector<TopicSpec>& topics) {
  if (topics.empty()) return absl::OkStatus();
  auto rk = AdminClient(config);
  if (!rk.ok()) return rk.status();
  char err[512];
  std::vector<rd_kafka_NewTopic_t*> nts;
  absl::Status status;
  for (const TopicSpec& t : topics) {
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(t.name.c_str(), t.partitions, t.replication_factor, err, sizeof err);
    if (nt == nullptr) {
      status = absl::InvalidArgumentError(absl::StrCat("topic ", t.name, ": ", err));
      break;
    }
    for (const auto& [k, v] : t.configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
    nts.push_back(nt);
  }
  if (status.ok()) {
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk->get());
    rd_kafka_AdminOptions_t* opts =
        rd_kafka_AdminOptions_new(rk->get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(opts, kTimeoutMs, err, sizeof err);
    rd_kafka_CreateTopics(rk->get(), nts.data(), nts.size(), opts, q);
    rd_kafka_event_t* ev = WaitResult(q);
    if (ev == nullptr) {
      status = absl::UnavailableError(
          absl::StrCat("no answer from Kafka at ", config.bootstrap_servers, " to create topics"));
    } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      status = internal::ToStatus(rd_kafka_event_error(ev), "create topics");
    } else {
      size_t n = 0;
      const rd_kafka_topic_result_t** res =
          rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
      for (size_t i = 0; i < n && status.ok(); ++i) {
        auto e = rd_kafka_topic_result_error(res[i]);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
          const char* msg = rd_kafka_topic_result_error_string(res[i]);
          status = internal::ToStatus(
              e, absl::StrCat("create topic ", rd_kafka_topic_result_name(res[i]),
                              msg ? absl::StrCat(" (", msg, ")") : ""));
        }
      }
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
  }
  for (auto* nt : nts) rd_kafka_NewTopic_destroy(nt);
  if (!status.ok()) return status;
  // Wait until metadata shows every topic, so a producer right after this call finds it.
  for (const TopicSpec& t : topics) {
    absl::StatusOr<int> n = absl::NotFoundError("");
    for (int i = 0; i < 50 && !n.ok(); ++i) {
      n = internal::PartitionCount(rk->get(), t.name, 2000);
      if (!n.ok()) rd_kafka_poll(rk->get(), 100);
    }
    if (!n.ok()) return n.status();
  }
  return absl::OkStatus();
}

absl::Status DeleteTopics(const ClientConfig& config, const std::vector<std::string>& names) {
  auto rk = AdminClient(config);
  if (!rk.ok()) return rk.status();
  std::vector<rd_kafka_DeleteTopic_t*> dts;
  for (const auto& n : names) dts.push_back(rd_kafka_DeleteTopic_new(n.c_str()));
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk->get());
  rd_kafka_DeleteTopics(rk->get(), dts.data(), dts.size(), nullptr, q);
  rd_kafka_event_t* ev = WaitResult(q);
  absl::Status status;
  if (ev == nullptr) {
    status = absl::UnavailableError("no answer from Kafka to delete topics");
  } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = internal::ToStatus(rd_kafka_event_error(ev), "delete topics");
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  for (auto* d : dts) rd_kafka_DeleteTopic_destroy(d);
  return status;
}

absl::StatusOr<std::vector<TopicInfo>> ListTopics(const ClientConfig& config) {
  auto rk = AdminClient(config);
  if (!rk.ok()) return rk.status();
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(rk->get(), 1, nullptr, &md, kTimeoutMs);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return internal::ToStatus(err, absl::StrCat("list topics at ", config.bootstrap_servers));
  }
  std::vector<TopicInfo> out;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (std::string_view(t.topic).starts_with("__")) continue;
    TopicInfo info{t.topic, t.partition_cnt, 0};
    for (int p = 0; p < t.partition_cnt; ++p) {
      int64_t lo = 0, hi = 0;
      if (rd_kafka_query_watermark_offsets(rk->get(), t.topic, t.partitions[p].id, &lo, &hi,
                                           5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        info.messages += hi - lo;
      }
    }
    out.push_back(std::move(info));
  }
  rd_kafka_metadata_destroy(md);
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return out;
}

namespace {

// Topic configs of `names` (one DescribeConfigs call); fills `configs` and `overridden`.
absl::Status DescribeTopicConfigs(rd_kafka_t* rk, const ClientConfig& config,
                                  std::vector<TopicDescription>& topics) {
  std::vector<rd_kafka_ConfigResource_t*> resources;
  for (const TopicDescription& t : topics) {
    resources.push_back(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, t.name.c_str()));
  }
  char err[256];
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  rd_kafka_AdminOptions_set_request_timeout(opts, kTimeoutMs, err, sizeof err);
  rd_kafka_DescribeConfigs(rk, resources.data(), resources.size(), opts, q);
  rd_kafka_event_t* ev = WaitResult(q);
  absl::Status status;
  if (ev == nullptr) {
    status = absl::UnavailableError(
        absl::StrCat("no answer from Kafka at ", config.bootstrap_servers, " to describe configs"));
  } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = internal::ToStatus(rd_kafka_event_error(ev), "describe configs");
  } else {
    size_t n = 0;
    const rd_kafka_ConfigResource_t** res =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
    for (size_t i = 0; i < n && status.ok(); ++i) {
      const std::string name = rd_kafka_ConfigResource_name(res[i]);
      if (auto e = rd_kafka_ConfigResource_error(res[i]); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        status = internal::ToStatus(e, "configs of topic " + name);
        break;
      }
      auto t = std::find_if(topics.begin(), topics.end(), [&](auto& t) { return t.name == name; });
      if (t == topics.end()) continue;
      size_t ne = 0;
      const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(res[i], &ne);
      for (size_t j = 0; j < ne; ++j) {
        const char* value = rd_kafka_ConfigEntry_value(entries[j]);
        const std::string key = rd_kafka_ConfigEntry_name(entries[j]);
        t->configs[key] = value ? value : "";
        if (rd_kafka_ConfigEntry_source(entries[j]) ==
            RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG) {
          t->overridden.insert(key);
        }
      }
    }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_queue_destroy(q);
  for (auto* r : resources) rd_kafka_ConfigResource_destroy(r);
  return status;
}

}  // namespace

absl::StatusOr<std::vector<TopicDescription>> DescribeTopics(
    const ClientConfig& config, const std::vector<std::string>& names) {
  auto rk = AdminClient(config);
  if (!rk.ok()) return rk.status();
  std::vector<TopicDescription> out;
  for (const std::string& name : names) {
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk->get(), name.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk->get(), 0, rkt, &md, kTimeoutMs);
    rd_kafka_topic_destroy(rkt);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return internal::ToStatus(
          err, absl::StrCat("describe topic ", name, " at ", config.bootstrap_servers));
    }
    TopicDescription d;
    d.name = name;
    absl::Status status = absl::NotFoundError(absl::StrCat("topic ", name, " does not exist"));
    for (int i = 0; i < md->topic_cnt; ++i) {
      const auto& t = md->topics[i];
      if (name != t.topic) continue;
      if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (t.err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
          status = internal::ToStatus(t.err, "describe topic " + name);
        }
        continue;
      }
      status = absl::OkStatus();
      for (int p = 0; p < t.partition_cnt; ++p) {
        const auto& mp = t.partitions[p];
        PartitionDescription pd;
        pd.partition = mp.id;
        pd.leader = mp.leader;
        pd.replicas.assign(mp.replicas, mp.replicas + mp.replica_cnt);
        pd.isr.assign(mp.isrs, mp.isrs + mp.isr_cnt);
        d.partitions.push_back(std::move(pd));
      }
    }
    rd_kafka_metadata_destroy(md);
    if (!status.ok()) return status;
    std::sort(d.partitions.begin(), d.partitions.end(),
              [](auto& a, auto& b) { return a.partition < b.partition; });
    if (!d.partitions.empty()) d.replication_factor = d.partitions[0].replicas.size();
    for (PartitionDescription& p : d.partitions) {
      err = rd_kafka_query_watermark_offsets(rk->get(), name.c_str(), p.partition, &p.low, &p.high,
                                             kTimeoutMs);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return internal::ToStatus(err, absl::StrCat("watermarks of ", name, "/", p.partition));
      }
    }
    out.push_back(std::move(d));
  }
  if (out.empty()) return out;
  if (absl::Status s = DescribeTopicConfigs(rk->get(), config, out); !s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> Watermarks(const ClientConfig& config,
                                                                    const std::string& topic) {
  auto rk = AdminClient(config);
  if (!rk.ok()) return rk.status();
  auto n = internal::PartitionCount(rk->get(), topic, kTimeoutMs);
  if (!n.ok()) return n.status();
  std::vector<std::pair<int64_t, int64_t>> out(*n);
  for (int p = 0; p < *n; ++p) {
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int attempt = 0; attempt < 20; ++attempt) {  // leaders of a new topic may still move
      err = rd_kafka_query_watermark_offsets(rk->get(), topic.c_str(), p, &out[p].first,
                                             &out[p].second, kTimeoutMs);
      if (err != RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION &&
          err != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE) {
        break;
      }
      rd_kafka_poll(rk->get(), 250);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return internal::ToStatus(err, "watermarks of " + topic);
  }
  return out;
}

absl::StatusOr<std::map<int32_t, int64_t>> OffsetsForTime(const ClientConfig& config,
                                                          const std::string& topic,
                                                          int64_t time_ms) {
  auto marks = Watermarks(config, topic);
  if (!marks.ok()) return marks.status();
  auto rk = AdminClient(config);
  if (!rk.ok()) return rk.status();
  internal::PartitionList list(rd_kafka_topic_partition_list_new(marks->size()));
  for (size_t p = 0; p < marks->size(); ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = time_ms;
  }
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int attempt = 0; attempt < 40; ++attempt) {  // leaders of a new topic may still move
    err = rd_kafka_offsets_for_times(rk->get(), list.get(), kTimeoutMs);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR ||
        internal::Classify(err) != internal::ErrorAction::kRetry)
      break;
    for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = time_ms;
    rd_kafka_poll(rk->get(), 250);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return internal::ToStatus(err, "offsets for time in " + topic);
  std::map<int32_t, int64_t> out;
  for (int i = 0; i < list->cnt; ++i) {
    int32_t p = list->elems[i].partition;
    out[p] = list->elems[i].offset >= 0 ? list->elems[i].offset : (*marks)[p].second;
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> CommittedOffsets(const ClientConfig& config,
                                                      const std::string& group,
                                                      const std::string& topic) {
  auto conf = internal::MakeConf(config, {{"group.id", group}, {"enable.auto.commit", "false"}});
  if (!conf.ok()) return conf.status();
  auto rk = internal::NewClient(RD_KAFKA_CONSUMER, *conf);
  if (!rk.ok()) return rk.status();
  auto n = internal::PartitionCount(rk->get(), topic, kTimeoutMs);
  if (!n.ok()) return n.status();
  internal::PartitionList list(rd_kafka_topic_partition_list_new(*n));
  for (int p = 0; p < *n; ++p) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
  auto err = rd_kafka_committed(rk->get(), list.get(), kTimeoutMs);
  std::vector<int64_t> out(*n, -1);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i) {
      if (list->elems[i].offset >= 0) out[list->elems[i].partition] = list->elems[i].offset;
    }
  }
  rd_kafka_consumer_close(rk->get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return internal::ToStatus(err, "committed offsets");
  return out;
}

}  // namespace ww::kafka
