#include "libs/kafka/groups.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/client.h"

namespace ww::kafka {
namespace {

using internal::AdminClient;
constexpr int kTimeoutMs = internal::kAdminTimeoutMs;

// One admin call: options for `op`, a queue, the result event (destroyed by the caller).
struct AdminCall {
  rd_kafka_t* rk;
  rd_kafka_queue_t* q;
  rd_kafka_AdminOptions_t* opts;
  AdminCall(rd_kafka_t* rk, rd_kafka_admin_op_t op)
      : rk(rk), q(rd_kafka_queue_new(rk)), opts(rd_kafka_AdminOptions_new(rk, op)) {
    char err[256];
    rd_kafka_AdminOptions_set_request_timeout(opts, kTimeoutMs, err, sizeof err);
  }
  ~AdminCall() {
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
  }
  // The result event, or Unavailable / the event's error.
  absl::StatusOr<rd_kafka_event_t*> Wait(const ClientConfig& config, const std::string& what) {
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, kTimeoutMs + 5000);
    if (ev == nullptr) {
      return absl::UnavailableError(
          absl::StrCat("no answer from Kafka at ", config.bootstrap_servers, " to ", what));
    }
    if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      absl::Status s = internal::ToStatus(rd_kafka_event_error(ev),
                                          absl::StrCat(what, " at ", config.bootstrap_servers));
      rd_kafka_event_destroy(ev);
      return s;
    }
    return ev;
  }
};

struct RawDescription {
  std::string state;
  std::vector<GroupMember> members;
};

absl::StatusOr<RawDescription> Describe(rd_kafka_t* rk, const ClientConfig& config,
                                        const std::string& group) {
  AdminCall call(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
  const char* groups[] = {group.c_str()};
  rd_kafka_DescribeConsumerGroups(rk, groups, 1, call.opts, call.q);
  auto ev = call.Wait(config, "describe group " + group);
  if (!ev.ok()) return ev.status();
  size_t n = 0;
  const rd_kafka_ConsumerGroupDescription_t** descs = rd_kafka_DescribeConsumerGroups_result_groups(
      rd_kafka_event_DescribeConsumerGroups_result(*ev), &n);
  absl::StatusOr<RawDescription> out = absl::NotFoundError("group " + group + " not described");
  for (size_t i = 0; i < n; ++i) {
    const rd_kafka_ConsumerGroupDescription_t* d = descs[i];
    if (const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(d)) {
      out = internal::ToStatus(rd_kafka_error_code(e), "describe group " + group);
      continue;
    }
    RawDescription r;
    r.state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(d));
    for (size_t m = 0; m < rd_kafka_ConsumerGroupDescription_member_count(d); ++m) {
      const rd_kafka_MemberDescription_t* md = rd_kafka_ConsumerGroupDescription_member(d, m);
      GroupMember gm;
      gm.member_id = rd_kafka_MemberDescription_consumer_id(md);
      gm.client_id = rd_kafka_MemberDescription_client_id(md);
      gm.host = rd_kafka_MemberDescription_host(md);
      const rd_kafka_topic_partition_list_t* parts =
          rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(md));
      for (int p = 0; parts != nullptr && p < parts->cnt; ++p) {
        gm.assignment.emplace_back(parts->elems[p].topic, parts->elems[p].partition);
      }
      r.members.push_back(std::move(gm));
    }
    out = std::move(r);
  }
  rd_kafka_event_destroy(*ev);
  return out;
}

// Committed offsets of `group` on every partition it has committed on.
absl::StatusOr<std::map<std::pair<std::string, int32_t>, int64_t>> Committed(
    rd_kafka_t* rk, const ClientConfig& config, const std::string& group) {
  AdminCall call(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
  rd_kafka_ListConsumerGroupOffsets_t* req =
      rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), nullptr);
  rd_kafka_ListConsumerGroupOffsets(rk, &req, 1, call.opts, call.q);
  rd_kafka_ListConsumerGroupOffsets_destroy(req);
  auto ev = call.Wait(config, "list offsets of group " + group);
  if (!ev.ok()) return ev.status();
  size_t n = 0;
  const rd_kafka_group_result_t** res = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(*ev), &n);
  absl::StatusOr<std::map<std::pair<std::string, int32_t>, int64_t>> out =
      std::map<std::pair<std::string, int32_t>, int64_t>{};
  for (size_t i = 0; i < n; ++i) {
    if (const rd_kafka_error_t* e = rd_kafka_group_result_error(res[i])) {
      out = internal::ToStatus(rd_kafka_error_code(e), "offsets of group " + group);
      break;
    }
    const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(res[i]);
    for (int p = 0; parts != nullptr && p < parts->cnt; ++p) {
      const auto& e = parts->elems[p];
      if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR || e.offset < 0) continue;
      (*out)[{e.topic, e.partition}] = e.offset;
    }
  }
  rd_kafka_event_destroy(*ev);
  return out;
}

constexpr int64_t kUnknown = -1;

// Timestamp of the first record at or after `offsets[partition]` in each listed partition of
// `topic`; a partition with no such record (only transaction markers left) is absent, one
// not read in time (say, behind an open transaction) is kUnknown. Reads committed records
// only, as the stages do.
absl::StatusOr<std::map<int32_t, int64_t>> FirstTimestamps(
    const ClientConfig& config, const std::string& topic,
    const std::map<int32_t, int64_t>& offsets) {
  std::map<int32_t, int64_t> out;
  if (offsets.empty()) return out;
  auto conf = internal::MakeConf(config, {{"group.id", "ww-wwctl-time-lag-unused"},
                                          {"enable.auto.commit", "false"},
                                          {"enable.auto.offset.store", "false"},
                                          {"isolation.level", "read_committed"},
                                          {"enable.partition.eof", "true"},
                                          // a committed offset already deleted by retention
                                          {"auto.offset.reset", "earliest"}});
  if (!conf.ok()) return conf.status();
  auto rk = internal::NewClient(RD_KAFKA_CONSUMER, *conf);
  if (!rk.ok()) return rk.status();
  internal::PartitionList list(rd_kafka_topic_partition_list_new(offsets.size()));
  for (const auto& [p, off] : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = off;
  }
  if (auto err = rd_kafka_assign(rk->get(), list.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return internal::ToStatus(err, "assign " + topic);
  }
  std::set<int32_t> pending;
  for (const auto& [p, off] : offsets) pending.insert(p);
  const absl::Time deadline = absl::Now() + absl::Milliseconds(kTimeoutMs);
  while (!pending.empty() && absl::Now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk->get(), 200);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (pending.erase(m->partition) > 0) {
        out[m->partition] = rd_kafka_message_timestamp(m, nullptr);
      }
    } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      pending.erase(m->partition);
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk->get());
  for (int32_t p : pending) out[p] = kUnknown;
  return out;
}

}  // namespace

absl::StatusOr<std::vector<GroupListing>> ListGroups(const ClientConfig& config) {
  auto rk = AdminClient(config);
  if (!rk.ok()) return rk.status();
  AdminCall call(rk->get(), RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
  rd_kafka_ListConsumerGroups(rk->get(), call.opts, call.q);
  auto ev = call.Wait(config, "list groups");
  if (!ev.ok()) return ev.status();
  const rd_kafka_ListConsumerGroups_result_t* res = rd_kafka_event_ListConsumerGroups_result(*ev);
  size_t n = 0, nerr = 0;
  const rd_kafka_ConsumerGroupListing_t** valid = rd_kafka_ListConsumerGroups_result_valid(res, &n);
  const rd_kafka_error_t** errors = rd_kafka_ListConsumerGroups_result_errors(res, &nerr);
  std::vector<GroupListing> out;
  for (size_t i = 0; i < n; ++i) {
    const auto state = rd_kafka_ConsumerGroupListing_state(valid[i]);
    out.push_back({rd_kafka_ConsumerGroupListing_group_id(valid[i]),
                   rd_kafka_consumer_group_state_name(state),
                   rd_kafka_ConsumerGroupListing_is_simple_consumer_group(valid[i]) != 0});
  }
  absl::Status status;
  if (out.empty() && nerr > 0) {
    status = internal::ToStatus(rd_kafka_error_code(errors[0]), "list groups");
  }
  rd_kafka_event_destroy(*ev);
  if (!status.ok()) return status;
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.group < b.group; });
  return out;
}

absl::StatusOr<GroupDescription> DescribeGroup(const ClientConfig& config,
                                               const std::string& group) {
  auto rk = AdminClient(config);
  if (!rk.ok()) return rk.status();
  auto raw = Describe(rk->get(), config, group);
  if (!raw.ok()) return raw.status();
  auto committed = Committed(rk->get(), config, group);
  if (!committed.ok()) return committed.status();
  GroupDescription d;
  d.group = group;
  d.state = raw->state;
  d.members = raw->members;
  if (d.members.empty() && committed->empty() && (d.state == "Dead" || d.state == "Empty")) {
    return absl::NotFoundError(absl::StrCat("group ", group, " has no members and no offsets"));
  }
  std::map<std::pair<std::string, int32_t>, PartitionLag> parts;
  for (const GroupMember& m : d.members) {
    for (const auto& [t, p] : m.assignment) parts[{t, p}].member_id = m.member_id;
  }
  for (const auto& [tp, off] : *committed) parts[tp].committed = off;
  for (auto& [tp, lag] : parts) {
    lag.topic = tp.first;
    lag.partition = tp.second;
    int64_t lo = 0, hi = 0;
    auto err = rd_kafka_query_watermark_offsets(rk->get(), tp.first.c_str(), tp.second, &lo, &hi,
                                                kTimeoutMs);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return internal::ToStatus(err, absl::StrCat("watermarks of ", tp.first, "/", tp.second));
    }
    lag.log_end = hi;
    if (lag.committed >= 0) {
      lag.lag = std::max<int64_t>(0, hi - lag.committed);
      d.total_lag += lag.lag;
    }
    d.partitions.push_back(lag);
  }
  // Time lag: the age of the record each lagging partition would be consumed from next.
  std::map<std::string, std::map<int32_t, int64_t>> behind;
  for (const PartitionLag& p : d.partitions) {
    if (p.lag > 0) behind[p.topic][p.partition] = p.committed;
  }
  std::map<std::pair<std::string, int32_t>, int64_t> stamps;
  for (const auto& [topic, offsets] : behind) {
    auto first = FirstTimestamps(config, topic, offsets);
    if (!first.ok()) return first.status();
    for (const auto& [p, ts] : *first) stamps[{topic, p}] = ts;
  }
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  for (PartitionLag& p : d.partitions) {
    if (p.committed < 0) continue;
    auto it = stamps.find({p.topic, p.partition});
    if (it != stamps.end() && it->second == kUnknown) continue;
    p.time_lag_ms = it == stamps.end() ? 0 : std::max<int64_t>(0, now_ms - it->second);
    d.max_time_lag_ms = std::max(d.max_time_lag_ms, p.time_lag_ms);
  }
  return d;
}

absl::StatusOr<std::vector<OffsetChange>> PlanOffsetReset(const ClientConfig& config,
                                                          const std::string& group,
                                                          const std::string& topic,
                                                          const OffsetReset& reset) {
  auto marks = Watermarks(config, topic);
  if (!marks.ok()) return marks.status();
  auto current = CommittedOffsets(config, group, topic);
  if (!current.ok()) return current.status();
  for (const auto& [p, off] : reset.offsets) {
    if (reset.kind == OffsetReset::Kind::kExplicit &&
        (p < 0 || p >= static_cast<int32_t>(marks->size()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("topic ", topic, " has no partition ", p, " (it has ", marks->size(), ")"));
    }
  }
  std::map<int32_t, int64_t> by_time;
  if (reset.kind == OffsetReset::Kind::kTime) {
    auto t = OffsetsForTime(config, topic, reset.time_ms);
    if (!t.ok()) return t.status();
    by_time = *t;
  }
  std::vector<OffsetChange> plan;
  for (int32_t p = 0; p < static_cast<int32_t>(marks->size()); ++p) {
    if (reset.kind == OffsetReset::Kind::kExplicit && !reset.offsets.contains(p)) continue;
    const auto [lo, hi] = (*marks)[p];
    OffsetChange c{p, (*current)[p], hi};
    switch (reset.kind) {
      case OffsetReset::Kind::kEarliest:
        c.target = lo;
        break;
      case OffsetReset::Kind::kLatest:
        c.target = hi;
        break;
      case OffsetReset::Kind::kTime:
        c.target = by_time.contains(p) ? by_time[p] : hi;
        break;
      case OffsetReset::Kind::kShift:
        // Like kafka-consumer-groups: a partition without a committed offset shifts from
        // its earliest offset.
        c.target = (c.current >= 0 ? c.current : lo) + reset.shift;
        break;
      case OffsetReset::Kind::kExplicit:
        c.target = reset.offsets.at(p);
        break;
    }
    c.target = std::clamp(c.target, lo, hi);
    plan.push_back(c);
  }
  return plan;
}

absl::Status ApplyOffsetReset(const ClientConfig& config, const std::string& group,
                              const std::string& topic, const std::vector<OffsetChange>& plan) {
  auto rk = AdminClient(config);
  if (!rk.ok()) return rk.status();
  auto raw = Describe(rk->get(), config, group);
  if (!raw.ok() && raw.status().code() != absl::StatusCode::kNotFound) return raw.status();
  if (raw.ok() && !raw->members.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("group ", group, " has ", raw->members.size(), " active member(s) (state ",
                     raw->state, "): stop its consumers before resetting offsets"));
  }
  internal::PartitionList list(rd_kafka_topic_partition_list_new(plan.size()));
  for (const OffsetChange& c : plan) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), c.partition)->offset = c.target;
  }
  AdminCall call(rk->get(), RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
  rd_kafka_AlterConsumerGroupOffsets_t* req =
      rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), list.get());
  rd_kafka_AlterConsumerGroupOffsets(rk->get(), &req, 1, call.opts, call.q);
  rd_kafka_AlterConsumerGroupOffsets_destroy(req);
  auto ev = call.Wait(config, "alter offsets of group " + group);
  if (!ev.ok()) return ev.status();
  size_t n = 0;
  const rd_kafka_group_result_t** res = rd_kafka_AlterConsumerGroupOffsets_result_groups(
      rd_kafka_event_AlterConsumerGroupOffsets_result(*ev), &n);
  absl::Status status;
  for (size_t i = 0; i < n && status.ok(); ++i) {
    if (const rd_kafka_error_t* e = rd_kafka_group_result_error(res[i])) {
      rd_kafka_resp_err_t code = rd_kafka_error_code(e);
      status = code == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
                       code == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS
                   ? absl::FailedPreconditionError(
                         absl::StrCat("group ", group, " became active: stop its consumers first"))
                   : internal::ToStatus(code, "alter offsets of group " + group);
      continue;
    }
    const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(res[i]);
    for (int p = 0; parts != nullptr && p < parts->cnt && status.ok(); ++p) {
      if (parts->elems[p].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        status = parts->elems[p].err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID
                     ? absl::FailedPreconditionError(absl::StrCat(
                           "group ", group, " became active: stop its consumers first"))
                     : internal::ToStatus(
                           parts->elems[p].err,
                           absl::StrCat("alter offset of ", topic, "/", parts->elems[p].partition));
      }
    }
  }
  rd_kafka_event_destroy(*ev);
  return status;
}

}  // namespace ww::kafka
