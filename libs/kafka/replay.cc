#include "libs/kafka/replay.h"

#include <algorithm>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/client.h"
#include "libs/kafka/reader.h"
#include "libs/kafka/transactions.h"
#include "libs/runtime/ids.h"

namespace ww::kafka {
namespace {

std::string DefaultJobId(const ReplayOptions& o) {
  std::string canon =
      absl::StrCat(o.from_topic, "|", o.to_topic, "|", o.since_ms, "|", o.until_ms, "|");
  for (const auto& [p, off] : o.from_offsets) absl::StrAppend(&canon, p, ":", off, ",");
  canon += "|";
  for (const auto& [p, off] : o.to_offsets) absl::StrAppend(&canon, p, ":", off, ",");
  canon += "|";
  for (const auto& w : o.where) {
    absl::StrAppend(&canon, static_cast<int>(w.kind), w.name, "=", w.value, ";");
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(runtime::Fnv1a64(canon)));
  return buf;
}

// Checkpoint value: "v1 done=D P:START:END:NEXT ...".
std::string EncodeCheckpoint(const std::map<int32_t, ReplayPartition>& parts, bool done) {
  std::string out = absl::StrCat("v1 done=", done ? 1 : 0);
  for (const auto& [p, s] : parts) {
    absl::StrAppend(&out, " ", p, ":", s.start, ":", s.end, ":", s.next);
  }
  return out;
}

bool DecodeCheckpoint(const std::string& v, std::map<int32_t, ReplayPartition>* parts, bool* done) {
  std::vector<std::string> fields = absl::StrSplit(v, ' ', absl::SkipEmpty());
  if (fields.size() < 2 || fields[0] != "v1") return false;
  *done = fields[1] == "done=1";
  for (size_t i = 2; i < fields.size(); ++i) {
    std::vector<std::string> x = absl::StrSplit(fields[i], ':');
    ReplayPartition s;
    int32_t p;
    if (x.size() != 4 || !absl::SimpleAtoi(x[0], &p) || !absl::SimpleAtoi(x[1], &s.start) ||
        !absl::SimpleAtoi(x[2], &s.end) || !absl::SimpleAtoi(x[3], &s.next)) {
      return false;
    }
    (*parts)[p] = s;
  }
  return true;
}

// The last committed checkpoint of `job_id`, if any.
absl::StatusOr<std::optional<std::string>> ReadCheckpoint(const ClientConfig& config,
                                                          const std::string& topic,
                                                          const std::string& job_id) {
  auto reader = TopicReader::Create(config, topic, StartFrom::kBeginning);
  if (!reader.ok()) return reader.status();
  std::optional<std::string> last;
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (!(*reader)->caught_up()) {
    if (absl::Now() > deadline) {
      return absl::UnavailableError(absl::StrCat("could not read ", topic, " to its end"));
    }
    for (Record& r : (*reader)->Poll(absl::Milliseconds(200))) {
      if (r.key != job_id) continue;
      if (r.tombstone) {
        last.reset();
      } else {
        last = std::move(r.value);
      }
    }
  }
  return last;
}

bool Matches(const Record& r, const std::vector<ReplayFilter>& where) {
  for (const ReplayFilter& f : where) {
    if (f.kind == ReplayFilter::Kind::kKey) {
      if (r.key != f.value) return false;
      continue;
    }
    bool found = false;
    for (const Header& h : r.headers) found = found || (h.key == f.name && h.value == f.value);
    if (!found) return false;
  }
  return true;
}

int64_t Bytes(const Record& r) {
  int64_t n = r.key.size() + r.value.size();
  for (const Header& h : r.headers) n += h.key.size() + h.value.size();
  return n;
}

// Plans the range of each partition from watermarks, times and offsets.
absl::StatusOr<std::map<int32_t, ReplayPartition>> Plan(
    const ReplayOptions& o, const std::vector<std::pair<int64_t, int64_t>>& marks) {
  const int n = static_cast<int>(marks.size());
  for (const auto* m : {&o.from_offsets, &o.to_offsets}) {
    for (const auto& [p, off] : *m) {
      if (p < 0 || p >= n) {
        return absl::InvalidArgumentError(absl::StrCat("partition ", p, " does not exist in ",
                                                       o.from_topic, " (", n, " partitions)"));
      }
      if (off < 0) return absl::InvalidArgumentError("offsets must not be negative");
    }
  }
  std::map<int32_t, int64_t> since, until;
  if (o.since_ms >= 0) {
    auto s = OffsetsForTime(o.client, o.from_topic, o.since_ms);
    if (!s.ok()) return s.status();
    since = *s;
  }
  if (o.until_ms >= 0) {
    auto u = OffsetsForTime(o.client, o.from_topic, o.until_ms);
    if (!u.ok()) return u.status();
    until = *u;
  }
  const bool by_offset = !o.from_offsets.empty() || !o.to_offsets.empty();
  std::map<int32_t, ReplayPartition> plan;
  for (int p = 0; p < n; ++p) {
    if (by_offset && !o.from_offsets.contains(p) && !o.to_offsets.contains(p)) continue;
    ReplayPartition s;
    s.start = marks[p].first;
    s.end = marks[p].second;
    if (auto it = since.find(p); it != since.end()) s.start = std::max(s.start, it->second);
    if (auto it = until.find(p); it != until.end()) s.end = std::min(s.end, it->second);
    if (auto it = o.from_offsets.find(p); it != o.from_offsets.end()) {
      s.start = std::max(s.start, it->second);
    }
    if (auto it = o.to_offsets.find(p); it != o.to_offsets.end()) {
      s.end = std::min(s.end, it->second);
    }
    s.end = std::max(s.end, s.start);
    s.next = s.start;
    plan[p] = s;
  }
  return plan;
}

int64_t Remaining(const std::map<int32_t, ReplayPartition>& parts) {
  int64_t n = 0;
  for (const auto& [p, s] : parts) n += std::max<int64_t>(0, s.end - s.next);
  return n;
}

}  // namespace

absl::StatusOr<ReplayFilter> ParseReplayFilter(const std::string& text) {
  size_t eq = text.find('=');
  if (eq != std::string::npos) {
    std::string lhs = text.substr(0, eq);
    std::string value = text.substr(eq + 1);
    if (lhs == "key") return ReplayFilter{ReplayFilter::Kind::kKey, "", value};
    if (lhs.starts_with("header:") && lhs.size() > 7) {
      return ReplayFilter{ReplayFilter::Kind::kHeader, lhs.substr(7), value};
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("bad filter '", text, "': use key=VALUE or header:NAME=VALUE"));
}

absl::StatusOr<ReplayProgress> Replay(const ReplayOptions& options,
                                      const ReplayProgressFn& progress,
                                      const std::atomic<bool>* stop) {
  ReplayOptions o = options;
  if (o.from_topic.empty()) return absl::InvalidArgumentError("no source topic");
  if (o.to_topic.empty()) o.to_topic = o.from_topic;
  if (o.since_ms >= 0 && o.until_ms >= 0 && o.until_ms <= o.since_ms) {
    return absl::InvalidArgumentError("the end of the time range is not after its start");
  }
  if (o.max_batch == 0) o.max_batch = 1;
  if (o.rate_per_second > 0) {
    o.max_batch = std::min<size_t>(o.max_batch, std::max<size_t>(1, o.rate_per_second));
  }
  auto marks = Watermarks(o.client, o.from_topic);
  if (!marks.ok()) return marks.status();
  if (o.to_topic != o.from_topic) {
    auto to_marks = Watermarks(o.client, o.to_topic);
    if (!to_marks.ok()) return to_marks.status();
  }

  ReplayProgress pr;
  pr.job_id = o.job_id.empty() ? DefaultJobId(o) : o.job_id;
  const absl::Time t0 = absl::Now();
  std::unique_ptr<Transactions> producer;
  const std::function<bool()> stopped = [stop] { return stop != nullptr && stop->load(); };
  bool done = false;
  if (!o.dry_run) {
    absl::Status s =
        EnsureTopics(o.client, {{o.checkpoint_topic, 1, 1, {{"cleanup.policy", "compact"}}}});
    if (!s.ok()) return s;
    // Fence an older run first, so the checkpoint read below is the last one written.
    const std::string txid = "wwctl-replay-" + pr.job_id;
    producer = std::make_unique<Transactions>(
        TransactionsOptions{txid, absl::Seconds(5), {}}, [client = o.client, txid] {
          return NewKafkaTxnClient(client, txid, absl::Seconds(60), nullptr);
        });
    if (absl::Status s = producer->Start(stopped); !s.ok()) return s;
    auto cp = ReadCheckpoint(o.client, o.checkpoint_topic, pr.job_id);
    if (!cp.ok()) return cp.status();
    if (cp->has_value()) {
      if (!DecodeCheckpoint(**cp, &pr.partitions, &done)) {
        return absl::DataLossError(
            absl::StrCat("unreadable checkpoint of job ", pr.job_id, " in ", o.checkpoint_topic));
      }
      pr.resumed = true;
    }
  }
  if (!pr.resumed) {
    auto plan = Plan(o, *marks);
    if (!plan.ok()) return plan.status();
    pr.partitions = std::move(*plan);
  }
  pr.remaining = Remaining(pr.partitions);
  if (done) {
    pr.already_done = pr.complete = true;
    if (progress) progress(pr);
    return pr;
  }
  auto all_done = [&] {
    for (const auto& [p, s] : pr.partitions) {
      if (s.next < s.end) return false;
    }
    return true;
  };

  StartAt start;
  for (int p = 0; p < static_cast<int>(marks->size()); ++p) {
    auto it = pr.partitions.find(p);
    start.offsets[p] = it != pr.partitions.end() ? it->second.next : (*marks)[p].second;
  }
  auto reader = TopicReader::Create(o.client, o.from_topic, start);
  if (!reader.ok()) return reader.status();

  auto write_checkpoint = [&](bool complete) -> absl::Status {
    OutRecord cp{o.checkpoint_topic, pr.job_id, EncodeCheckpoint(pr.partitions, complete)};
    return producer->Produce(cp);
  };

  bool limit_hit = false;
  while (!all_done() && !limit_hit && !(stop != nullptr && stop->load())) {
    std::vector<Record> batch = (*reader)->Poll(absl::Milliseconds(500), o.max_batch);
    const int64_t copied_before = pr.copied;
    if (producer) {
      if (absl::Status s = producer->Begin(stopped); !s.ok()) {
        return absl::AbortedError(absl::StrCat(s.message(), "; rerun to resume"));
      }
    }
    absl::Status failed;
    size_t processed = 0;
    for (const Record& r : batch) {
      auto it = pr.partitions.find(r.partition);
      if (it == pr.partitions.end() || r.offset < it->second.next || r.offset >= it->second.end) {
        ++processed;
        continue;
      }
      ++pr.scanned;
      if (Matches(r, o.where) && (!o.predicate || o.predicate(r))) {
        if (o.limit >= 0 && pr.copied >= o.limit) {
          limit_hit = true;
          break;
        }
        if (o.rate_per_second > 0 && !o.dry_run) {
          absl::Time due = t0 + absl::Seconds(pr.copied / o.rate_per_second);
          if (absl::Now() < due) absl::SleepFor(due - absl::Now());
        }
        if (producer) {
          OutRecord out{o.to_topic, r.key, r.value, r.tombstone, {}, -1, r.timestamp_ms};
          for (const Header& h : r.headers) {
            if (h.key != kHeaderReplayOf) out.headers.push_back(h);
          }
          out.headers.push_back({std::string(kHeaderReplayOf),
                                 absl::StrCat(r.topic, "/", r.partition, "/", r.offset)});
          failed = producer->Produce(out);
          if (!failed.ok()) break;
        }
        ++pr.copied;
        ++it->second.matched;
        pr.bytes += Bytes(r);
      }
      it->second.next = r.offset + 1;
      ++processed;
    }
    if (failed.ok() && processed == batch.size() && !limit_hit) {
      // Everything before a partition's position has been returned (and handled above) or
      // skipped by the reader (transaction markers, aborted records).
      for (const auto& [p, pos] : (*reader)->positions()) {
        auto it = pr.partitions.find(p);
        if (it == pr.partitions.end() || pos < 0) continue;
        it->second.next = std::min(std::max(it->second.next, pos), it->second.end);
      }
    }
    const int64_t remaining = Remaining(pr.partitions);
    if (producer && failed.ok() && remaining == pr.remaining && pr.copied == copied_before) {
      if (absl::Status s = producer->Abort(stopped); !s.ok()) return s;  // nothing moved
      continue;
    }
    if (producer) {
      if (failed.ok()) failed = write_checkpoint(all_done());
      if (failed.ok()) {
        failed = producer->Commit({}, stopped);  // rolls back itself when it fails
      } else {
        producer->Abort(stopped).IgnoreError();  // reported below
      }
      if (!failed.ok()) {
        return absl::AbortedError(
            absl::StrCat("replay interrupted: ", failed.message(),
                         "; nothing of the last batch was copied, rerun to resume"));
      }
    } else if (!failed.ok()) {
      return failed;
    }
    pr.remaining = Remaining(pr.partitions);
    pr.elapsed = absl::Now() - t0;
    pr.complete = all_done();
    if (progress) progress(pr);
  }
  pr.remaining = Remaining(pr.partitions);
  pr.elapsed = absl::Now() - t0;
  pr.complete = all_done();
  if (progress) progress(pr);
  return pr;
}

}  // namespace ww::kafka
