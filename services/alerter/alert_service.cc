#include "services/alerter/alert_service.h"

#include <deque>
#include <optional>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/reader.h"
#include "services/alerter/cursor.h"

namespace ww::services {
namespace {

// What one subscriber was sent while replaying: an alert id goes out again only with a
// higher version (an update), never twice the same. Bounded.
class Sent {
 public:
  bool ShouldSend(const ww::v1::Alert& a) {
    auto [it, inserted] = version_.try_emplace(a.id(), a.version());
    if (!inserted) {
      if (a.version() <= it->second) return false;
      it->second = a.version();
      return true;
    }
    order_.push_back(a.id());
    if (order_.size() > 100000) {
      version_.erase(order_.front());
      order_.pop_front();
    }
    return true;
  }
  // True when this version of the alert, or a later one, was sent.
  bool Covers(const ww::v1::Alert& a) const {
    auto it = version_.find(a.id());
    return it != version_.end() && a.version() <= it->second;
  }
  bool empty() const { return version_.empty(); }

 private:
  absl::flat_hash_map<std::string, int64_t> version_;
  std::deque<std::string> order_;
};

// What precedes one serialised Alert inside a serialised AlertBatch: the tag of the alerts
// field and the length. A batch is these and the alerts' own bytes, so the shared bytes of
// live alerts are never copied into it.
grpc::Slice BatchFieldHeader(size_t size) {
  using google::protobuf::internal::WireFormatLite;
  using google::protobuf::io::CodedOutputStream;
  uint8_t header[2 * 5];  // two varint32s
  uint8_t* end = CodedOutputStream::WriteVarint32ToArray(
      WireFormatLite::MakeTag(ww::v1::AlertBatch::kAlertsFieldNumber,
                              WireFormatLite::WIRETYPE_LENGTH_DELIMITED),
      header);
  end = CodedOutputStream::WriteVarint32ToArray(static_cast<uint32_t>(size), end);
  return grpc::Slice(header, static_cast<size_t>(end - header));
}

// A call refused before it started streaming.
class Refusal final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit Refusal(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

// One Subscribe stream. Alerts reach it from three places: the replay thread (a stream
// that resumes with a cursor), the hub's publishing thread (on_ready) and gRPC's callback
// threads (a write done). Whichever comes finds, under mu_, whether a write is in flight;
// if not, it starts the next one, outside the lock (a completion may run at once).
// Owns itself through self_ until gRPC is done with it.
class SubscribeStream final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  struct Resume {
    kafka::ClientConfig client;
    std::string topic;
    std::map<int32_t, int64_t> from;
  };

  // How the stream frames alerts: one per message (Subscribe), or up to `max` per
  // AlertBatch (SubscribeBatched).
  struct Framing {
    bool batched = false;
    size_t max = 1;
  };
  // Most alerts, and about the most bytes, in one batch (gRPC clients refuse messages
  // over 4 MiB by default).
  static constexpr size_t kMaxBatch = 256;
  static constexpr size_t kMaxBatchBytes = 1 << 20;

  static SubscribeStream* Start(AlertHub* hub, AlertFilterSpec filter, Framing framing,
                                std::optional<Resume> resume) {
    auto stream =
        std::shared_ptr<SubscribeStream>(new SubscribeStream(hub, std::move(filter), framing));
    stream->self_ = stream;
    std::map<int32_t, int64_t> live;  // where the live stream starts
    {
      absl::MutexLock lock(&stream->mu_);
      stream->sub_ = hub->Subscribe(
          &live,
          [weak = std::weak_ptr<SubscribeStream>(stream)] {
            if (auto s = weak.lock()) s->Pump();
          },
          /*paced=*/framing.batched);
      stream->replaying_ = resume.has_value();
      // Headers go out at once, so a client knows it is subscribed before any alert exists.
      stream->headers_ready_ = !resume.has_value();
    }
    if (resume) {
      absl::MutexLock lock(&stream->mu_);  // OnDone may come at any time
      stream->replay_ =
          std::thread([s = stream, r = std::move(*resume), live] { s->Replay(r, live); });
    }
    stream->Pump();
    return stream.get();
  }

  void OnSendInitialMetadataDone(bool ok) override { OpDone(ok); }
  void OnWriteDone(bool ok) override { OpDone(ok); }
  void OnCancel() override { Stop(grpc::Status::CANCELLED); }
  void OnDone() override {
    std::thread replay;
    {
      absl::MutexLock lock(&mu_);
      hub_->Unsubscribe(sub_);
      replay = std::move(replay_);
    }
    if (replay.joinable()) {
      if (replay.get_id() == std::this_thread::get_id()) {
        replay.detach();
      } else {
        replay.join();  // it stops within a poll: finish_ is set
      }
    }
    std::shared_ptr<SubscribeStream> self = std::move(self_);  // may delete this on return
  }

 private:
  SubscribeStream(AlertHub* hub, AlertFilterSpec filter, Framing framing)
      : hub_(hub), filter_(std::move(filter)), framing_(framing) {}

  void OpDone(bool ok) {
    std::shared_ptr<AlertHub::Subscription> live;
    {
      absl::MutexLock lock(&mu_);
      busy_ = false;
      message_.Clear();
      // The client is gone; the status is for the record only.
      if (!ok && !finish_) finish_ = grpc::Status::OK;
      // Live alerts next: the hub says when (a batched stream at its pace, see Subscribe).
      if (headers_sent_ && !finish_ && !replaying_ && replayed_.empty()) live = sub_;
    }
    if (live) return hub_->Rearm(live);
    Pump();
  }

  // Ends the stream with `status` once no write is in flight (first reason wins).
  void Stop(const grpc::Status& status) {
    {
      absl::MutexLock lock(&mu_);
      if (!finish_) finish_ = status;
    }
    Pump();
  }

  bool stopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return finish_.has_value(); }

  // Starts the next operation the stream is due, if none is in flight.
  void Pump() {
    enum { kNothing, kHeaders, kWrite, kFinish } next = kNothing;
    grpc::Status status;
    {
      absl::MutexLock lock(&mu_);
      if (busy_ || finished_) return;
      if (!finish_ && !headers_sent_) {
        if (!headers_ready_) return;
        next = kHeaders;
        headers_sent_ = true;
      } else if (!finish_) {
        // The next message: replayed alerts first, then live ones once the replay is done;
        // with batching, everything due now (bounded), otherwise one alert.
        parts_.clear();
        size_t alerts = 0, bytes = 0;
        while (alerts < framing_.max && bytes < kMaxBatchBytes) {
          grpc::Slice alert;
          if (!replayed_.empty()) {
            alert = std::move(replayed_.front());
            replayed_.pop_front();
          } else if (replaying_) {
            break;
          } else {
            std::shared_ptr<const Delivery> d;
            if (!sub_->TryNext(&d)) {
              finish_ = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                     "subscriber too slow: alert buffer full; subscribe again "
                                     "with the cursor of the last alert received");
              break;
            }
            if (!d) break;
            if (!filter_.Admits(d->alert) || sub_->Repeats(*d)) continue;
            if (!sent_.empty() && sent_.Covers(d->alert)) continue;  // replayed already
            alert = d->wire;                                         // a reference, not a copy
          }
          bytes += alert.size();
          if (framing_.batched) parts_.push_back(BatchFieldHeader(alert.size()));
          parts_.push_back(std::move(alert));
          ++alerts;
        }
        if (alerts > 0) {
          // Alerts taken before an overflow still go out: each carries its own cursor.
          message_ = grpc::ByteBuffer(parts_.data(), parts_.size());
          next = kWrite;
        }
      }
      if (next == kNothing && finish_) {
        next = kFinish;
        status = *finish_;
        finished_ = true;
      }
      busy_ = next == kHeaders || next == kWrite;
    }
    switch (next) {
      case kHeaders:
        StartSendInitialMetadata();
        break;
      case kWrite:
        StartWrite(&message_);
        break;
      case kFinish:
        Finish(status);
        break;
      case kNothing:
        break;
    }
  }

  // Replays what the client missed, from `from` up to where its live stream starts.
  void Replay(const Resume& r, const std::map<int32_t, int64_t>& live) {
    auto marks = kafka::Watermarks(r.client, r.topic);
    if (!marks.ok()) {
      return Stop(
          grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(marks.status().message())));
    }
    for (const auto& [p, o] : r.from) {
      if (p >= static_cast<int32_t>(marks->size())) {
        return Stop(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "cursor names a partition the alerts topic does not have"));
      }
      if (o < (*marks)[p].first) {
        return Stop(grpc::Status(
            grpc::StatusCode::OUT_OF_RANGE,
            absl::StrCat(
                "the cursor points at alerts older than the alerts topic keeps (partition ", p,
                " starts at ", (*marks)[p].first, ", cursor at ", o,
                "); subscribe without a cursor")));
      }
    }
    {
      absl::MutexLock lock(&mu_);
      headers_ready_ = true;
    }
    Pump();
    auto reader = kafka::TopicReader::Create(r.client, r.topic, kafka::StartAt{r.from});
    if (!reader.ok()) {
      return Stop(
          grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(reader.status().message())));
    }
    std::map<int32_t, int64_t> cursor = r.from;
    auto behind = [&] {
      for (const auto& [p, o] : live) {
        auto it = cursor.find(p);
        if (it == cursor.end() || it->second < o) return true;
      }
      return false;
    };
    auto stopped = [&] {
      absl::MutexLock lock(&mu_);
      return stopping();
    };
    // Catch up to where the live stream began; what lies beyond comes from the hub.
    while (behind() && !stopped()) {
      for (const kafka::Record& rec : (*reader)->Poll(absl::Milliseconds(200))) {
        if (auto it = live.find(rec.partition); it != live.end() && rec.offset >= it->second)
          continue;
        ww::v1::Alert a;
        if (rec.tombstone || !a.ParseFromString(rec.value)) continue;
        cursor[rec.partition] = std::max(cursor[rec.partition], rec.offset + 1);
        if (!filter_.Admits(a) || !sent_.ShouldSend(a)) continue;
        a.set_cursor(EncodeCursor(cursor));
        if (!Enqueue(grpc::Slice(a.SerializeAsString()))) return;
      }
      // Transaction markers take offsets too: move past them once the reader is there.
      if ((*reader)->caught_up()) {
        for (const auto& [p, o] : (*reader)->positions()) {
          auto l = live.find(p);
          if (o >= 0 && l != live.end()) cursor[p] = std::max(cursor[p], std::min(o, l->second));
        }
        for (const auto& [p, o] : live) cursor[p] = std::max(cursor[p], o);
      }
    }
    {
      absl::MutexLock lock(&mu_);
      replaying_ = false;
    }
    Pump();
  }

  // Queues a replayed alert, waiting while the stream has plenty queued already.
  // False once the stream is ending.
  bool Enqueue(grpc::Slice message) {
    {
      absl::MutexLock lock(&mu_);
      auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping() || replayed_.size() < kReplayQueue;
      };
      mu_.Await(absl::Condition(&room));
      if (stopping()) return false;
      replayed_.push_back(std::move(message));
    }
    Pump();
    return true;
  }

  static constexpr size_t kReplayQueue = 256;

  AlertHub* const hub_;
  const AlertFilterSpec filter_;
  const Framing framing_;
  std::shared_ptr<SubscribeStream> self_;  // released in OnDone
  Sent sent_;  // the replay thread's until replaying_ turns false, then Pump's

  absl::Mutex mu_;
  std::shared_ptr<AlertHub::Subscription> sub_ ABSL_GUARDED_BY(mu_);
  std::thread replay_ ABSL_GUARDED_BY(mu_);
  bool replaying_ ABSL_GUARDED_BY(mu_) = false;
  bool headers_ready_ ABSL_GUARDED_BY(mu_) = false;
  bool headers_sent_ ABSL_GUARDED_BY(mu_) = false;
  bool busy_ ABSL_GUARDED_BY(mu_) = false;  // headers or a write in flight
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> finish_ ABSL_GUARDED_BY(mu_);
  std::deque<grpc::Slice> replayed_ ABSL_GUARDED_BY(mu_);  // serialised Alerts
  std::vector<grpc::Slice> parts_ ABSL_GUARDED_BY(mu_);    // of the next message
  grpc::ByteBuffer message_ ABSL_GUARDED_BY(mu_);          // the write in flight
};

}  // namespace

grpc::Status AlertServiceImpl::MakeFilter(const rpc::Caller& caller, const ww::v1::AlertFilter& f,
                                          AlertFilterSpec* out) const {
  // Without authentication every alert is everyone's.
  out->tenant = caller.authenticated ? caller.tenant : "";
  out->entities.insert(f.entity_ids().begin(), f.entity_ids().end());
  out->rules.insert(f.rule_ids().begin(), f.rule_ids().end());
  if (!f.min_severity().empty()) {
    auto s = alerting::ParseSeverity(f.min_severity());
    if (!s.ok()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("min_severity ", std::string(s.status().message())));
    }
    out->min_severity = *s;
  }
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* AlertServiceImpl::Subscribe(
    grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request) {
  return StartSubscription(ctx, request, /*batched=*/false);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* AlertServiceImpl::SubscribeBatched(
    grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request) {
  return StartSubscription(ctx, request, /*batched=*/true);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* AlertServiceImpl::StartSubscription(
    grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request, bool batched) {
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return new Refusal(s);
  ww::v1::SubscribeRequest req;
  grpc::ByteBuffer bytes(*request);  // shares the request's slices
  if (!grpc::GenericDeserialize<grpc::ProtoBufferReader, ww::v1::SubscribeRequest>(&bytes, &req)
           .ok()) {
    return new Refusal(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "not a SubscribeRequest"));
  }
  AlertFilterSpec filter;
  ww::v1::AlertFilter f = req.filter();
  for (const auto& e : req.entity_ids()) f.add_entity_ids(e);
  if (grpc::Status s = MakeFilter(caller, f, &filter); !s.ok()) return new Refusal(s);
  SubscribeStream::Framing framing;
  if (batched) {
    if (req.max_batch() < 0 || req.max_batch() > static_cast<int>(SubscribeStream::kMaxBatch)) {
      return new Refusal(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("max_batch must be 0 (the most, ", SubscribeStream::kMaxBatch, ") to ",
                       SubscribeStream::kMaxBatch, ", not ", req.max_batch())));
    }
    framing = {true, req.max_batch() == 0 ? SubscribeStream::kMaxBatch
                                          : static_cast<size_t>(req.max_batch())};
  }
  std::optional<SubscribeStream::Resume> resume;
  if (!req.cursor().empty()) {
    auto from = DecodeCursor(req.cursor());
    if (!from.ok()) {
      return new Refusal(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(from.status().message())));
    }
    resume = SubscribeStream::Resume{client_, topic_, *std::move(from)};
  }
  return SubscribeStream::Start(hub_, std::move(filter), framing, std::move(resume));
}

grpc::Status AlertServiceImpl::ListAlerts(grpc::ServerContext* ctx,
                                          const ww::v1::ListAlertsRequest* req,
                                          ww::v1::ListAlertsResponse* resp) {
  rpc::Caller caller;
  if (grpc::Status s = rpc::CallerOf(*ctx, &caller); !s.ok()) return s;
  AlertFilterSpec filter;
  if (grpc::Status s = MakeFilter(caller, req->filter(), &filter); !s.ok()) return s;
  const int page = req->page_size() <= 0 ? 100 : std::min(req->page_size(), 1000);
  const int64_t until =
      req->until_unix_ms() > 0 ? req->until_unix_ms() : absl::ToUnixMillis(absl::Now());

  auto marks = kafka::Watermarks(client_, topic_);
  if (!marks.ok())
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(marks.status().message()));
  std::map<int32_t, int64_t> pos;
  if (!req->page_token().empty()) {
    auto t = DecodeCursor(req->page_token());
    if (!t.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad page_token");
    pos = *t;
  } else {
    auto t = kafka::OffsetsForTime(client_, topic_, req->since_unix_ms());
    if (!t.ok())
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(t.status().message()));
    pos = *t;
  }
  auto done = [&] {
    for (size_t p = 0; p < marks->size(); ++p) {
      if (pos[p] < (*marks)[p].second) return false;
    }
    return true;
  };
  if (done()) return grpc::Status::OK;
  auto reader = kafka::TopicReader::Create(client_, topic_, kafka::StartAt{pos});
  if (!reader.ok())
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(reader.status().message()));
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  bool full = false;
  while (!full && !done() && !(*reader)->caught_up() && absl::Now() < deadline) {
    for (const kafka::Record& r : (*reader)->Poll(absl::Milliseconds(200))) {
      if (full) break;  // the rest of this batch belongs to the next page
      pos[r.partition] = r.offset + 1;
      ww::v1::Alert a;
      if (r.tombstone || !a.ParseFromString(r.value)) continue;
      if (r.timestamp_ms > until || !filter.Admits(a)) continue;
      *resp->add_alerts() = std::move(a);
      full = resp->alerts_size() >= page;
    }
  }
  if (full && !done()) resp->set_next_page_token(EncodeCursor(pos));
  return grpc::Status::OK;
}

}  // namespace ww::services
