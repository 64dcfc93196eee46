#include "services/alerter/alert_service.h"

#include <deque>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/kafka/admin.h"
#include "libs/kafka/reader.h"
#include "services/alerter/cursor.h"

namespace ww::services {
namespace {

// What one subscriber has been sent: an alert id goes out again only with a higher
// version (an update), never twice the same. Bounded.
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

 private:
  absl::flat_hash_map<std::string, int64_t> version_;
  std::deque<std::string> order_;
};

}  // namespace

grpc::Status AlertServiceImpl::MakeFilter(const std::string& tenant, const ww::v1::AlertFilter& f,
                                          AlertFilterSpec* out) const {
  out->tenant = auth_->enabled() ? tenant : "";
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

grpc::Status AlertServiceImpl::Subscribe(grpc::ServerContext* ctx,
                                         const ww::v1::SubscribeRequest* req,
                                         grpc::ServerWriter<ww::v1::Alert>* writer) {
  std::string tenant;
  if (grpc::Status s = auth_->Tenant(ctx, &tenant); !s.ok()) return s;
  AlertFilterSpec filter;
  ww::v1::AlertFilter f = req->filter();
  for (const auto& e : req->entity_ids()) f.add_entity_ids(e);
  if (grpc::Status s = MakeFilter(tenant, f, &filter); !s.ok()) return s;

  std::map<int32_t, int64_t> live;  // where the live stream starts
  auto sub = hub_->Subscribe(&live);
  struct Unsub {
    AlertHub* hub;
    std::shared_ptr<AlertHub::Subscription> sub;
    ~Unsub() { hub->Unsubscribe(sub); }
  } unsub{hub_, sub};
  std::map<int32_t, int64_t> cursor = live;
  Sent sent;
  auto deliver = [&](ww::v1::Alert alert, int32_t p, int64_t o) {
    cursor[p] = std::max(cursor[p], o + 1);
    if (!filter.Admits(alert) || !sent.ShouldSend(alert)) return true;
    alert.set_cursor(EncodeCursor(cursor));
    return writer->Write(alert);
  };

  if (!req->cursor().empty()) {
    auto from = DecodeCursor(req->cursor());
    if (!from.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(from.status().message()));
    auto marks = kafka::Watermarks(client_, topic_);
    if (!marks.ok()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(marks.status().message()));
    for (const auto& [p, o] : *from) {
      if (p >= static_cast<int32_t>(marks->size())) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "cursor names a partition the alerts topic does not have");
      }
      if (o < (*marks)[p].first) {
        return grpc::Status(grpc::StatusCode::OUT_OF_RANGE,
                            absl::StrCat("the cursor points at alerts older than the alerts topic "
                                         "keeps (partition ", p, " starts at ", (*marks)[p].first,
                                         ", cursor at ", o, "); subscribe without a cursor"));
      }
    }
    cursor = *from;
    writer->SendInitialMetadata();
    auto reader = kafka::TopicReader::Create(client_, topic_, kafka::StartAt{*from});
    if (!reader.ok()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(reader.status().message()));
    // Catch up to where the live stream began; what lies beyond comes from the hub.
    auto behind = [&] {
      for (const auto& [p, o] : live) {
        auto it = cursor.find(p);
        if (it == cursor.end() || it->second < o) return true;
      }
      return false;
    };
    while (behind() && !ctx->IsCancelled()) {
      for (const kafka::Record& r : (*reader)->Poll(absl::Milliseconds(200))) {
        if (auto it = live.find(r.partition); it != live.end() && r.offset >= it->second) continue;
        ww::v1::Alert a;
        if (r.tombstone || !a.ParseFromString(r.value)) continue;
        if (!deliver(std::move(a), r.partition, r.offset)) return grpc::Status::OK;
      }
      // Transaction markers take offsets too: move past them once the reader is there.
      if ((*reader)->caught_up()) {
        for (const auto& [p, o] : (*reader)->positions()) {
          if (o >= 0) cursor[p] = std::max(cursor[p], std::min(o, live[p]));
        }
        for (const auto& [p, o] : live) cursor[p] = std::max(cursor[p], o);
      }
    }
  } else {
    // Headers go out at once, so a client knows it is subscribed before any alert exists.
    writer->SendInitialMetadata();
  }

  while (!ctx->IsCancelled()) {
    // Everything queued goes out in one flush: per-message flushes cost more than the
    // messages when many subscribers share few cores.
    std::vector<Delivery> batch = sub->NextBatch(absl::Milliseconds(250), 256);
    if (sub->overflowed()) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "subscriber too slow: alert buffer full; subscribe again with the "
                          "cursor of the last alert received");
    }
    // Filter first: the last message written must be the one that flushes.
    std::vector<ww::v1::Alert> out;
    for (Delivery& d : batch) {
      cursor[d.partition] = std::max(cursor[d.partition], d.offset + 1);
      if (!filter.Admits(d.alert) || !sent.ShouldSend(d.alert)) continue;
      d.alert.set_cursor(EncodeCursor(cursor));
      out.push_back(std::move(d.alert));
    }
    for (size_t i = 0; i < out.size(); ++i) {
      grpc::WriteOptions options;
      if (i + 1 < out.size()) options.set_buffer_hint();
      if (!writer->Write(out[i], options)) return grpc::Status::OK;
    }
  }
  return grpc::Status::OK;
}

grpc::Status AlertServiceImpl::ListAlerts(grpc::ServerContext* ctx,
                                          const ww::v1::ListAlertsRequest* req,
                                          ww::v1::ListAlertsResponse* resp) {
  std::string tenant;
  if (grpc::Status s = auth_->Tenant(ctx, &tenant); !s.ok()) return s;
  AlertFilterSpec filter;
  if (grpc::Status s = MakeFilter(tenant, req->filter(), &filter); !s.ok()) return s;
  const int page = req->page_size() <= 0 ? 100 : std::min(req->page_size(), 1000);
  const int64_t until = req->until_unix_ms() > 0 ? req->until_unix_ms() : absl::ToUnixMillis(absl::Now());

  auto marks = kafka::Watermarks(client_, topic_);
  if (!marks.ok()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(marks.status().message()));
  std::map<int32_t, int64_t> pos;
  if (!req->page_token().empty()) {
    auto t = DecodeCursor(req->page_token());
    if (!t.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad page_token");
    pos = *t;
  } else {
    auto t = kafka::OffsetsForTime(client_, topic_, req->since_unix_ms());
    if (!t.ok()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(t.status().message()));
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
  if (!reader.ok()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(reader.status().message()));
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
