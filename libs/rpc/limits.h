#pragma once
// Per-tenant limits: how much one tenant may hold or send, so that no tenant exhausts what
// every tenant shares (the tagger's matcher, the alerter's rules, the poller, the pipeline's
// throughput). Each service checks the limits of what it keeps: the tagger entities, the
// alerter rules, the ingestor feeds and the Submit rate. Beyond a limit: RESOURCE_EXHAUSTED, naming
// the tenant, the limit and the flag that sets it.
#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ww::rpc {

struct TenantLimits {
  int64_t max_entities = 500'000;   // watchlist entities per tenant (--tenant_max_entities)
  int64_t max_rules = 10'000;       // alert rules per tenant (--tenant_max_rules)
  int64_t max_feeds = 5'000;        // feeds per tenant (--tenant_max_feeds)
  double submit_per_second = 1000;  // Submit calls per tenant, sustained (--tenant_submit_rate)
  double submit_burst = 2000;       // ... and at once (--tenant_submit_burst)
};

// OK when `tenant` would hold `count` of `what` within `limit`; else RESOURCE_EXHAUSTED.
grpc::Status CheckCount(std::string_view tenant, std::string_view what, int64_t count,
                        int64_t limit, std::string_view flag);

// A token bucket per tenant. Thread-safe.
class TenantRateLimiter {
 public:
  // `per_second` <= 0: no limit.
  TenantRateLimiter(
      double per_second, double burst,
      std::function<absl::Time()> clock = [] { return absl::Now(); })
      : per_second_(per_second), burst_(burst), clock_(std::move(clock)) {}
  // Takes one call from the tenant's bucket: OK, or RESOURCE_EXHAUSTED saying when to retry.
  grpc::Status Take(const std::string& tenant);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time at;
  };
  const double per_second_, burst_;
  const std::function<absl::Time()> clock_;
  absl::Mutex mu_;
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ww::rpc
