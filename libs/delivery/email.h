#pragma once
// The mail an email destination gets for one alert (RFC 5322 + MIME): pure, no network;
// libs/fetch's SendMail sends it.
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "libs/delivery/destination.h"
#include "ww/v1/records.pb.h"

namespace ww::delivery {

// From `from`, To the destination's addresses, Subject "[SEVERITY] rule: headline" (RFC 2047
// encoded words when it is not ASCII), Date `now`, and a text/plain and a text/html part
// (multipart/alternative, UTF-8, base64). Threaded per story: Message-ID is
// <WebhookId(a)@domain of from>, stable per alert and version (the same on every retry); an
// update (version > 1) also has In-Reply-To and References naming version 1, so mail
// readers put a story's updates under its first alert.
std::string EmailMessage(const Destination& d, const ww::v1::Alert& a, std::string_view from,
                         absl::Time now);

// One mail for several alerts (an email destination with `digest:`), in the order given:
// grouped by story (cluster_id), each story its headline and then one line per alert (rule,
// entity, severity, outlets). Subject "[Wirewatch] N alerts: <first headline> and M more";
// Message-ID <digest_ + the first alert's webhook id + _n + N + @domain>, stable when the same
// batch is sent again; References names the first alert of every story in it, so a reader
// that threads by References files the digest with those stories.
std::string DigestMessage(const Destination& d, const std::vector<ww::v1::Alert>& alerts,
                          std::string_view from, absl::Time now);

// A header value as RFC 2047 encoded words ("=?UTF-8?B?...?=", folded) when it is not plain
// printable ASCII; as it is otherwise. CR and LF never survive (no header injection).
std::string EncodeHeader(std::string_view value);

}  // namespace ww::delivery
