#include "libs/rpc/limits.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/runtime/string_view.h"

namespace ww::rpc {
using runtime::ToAbsl;

grpc::Status CheckCount(std::string_view tenant, std::string_view what, int64_t count,
                        int64_t limit, std::string_view flag) {
  if (limit <= 0 || count <= limit) return grpc::Status::OK;
  return grpc::Status(
      grpc::StatusCode::RESOURCE_EXHAUSTED,
      absl::StrCat("tenant ", ToAbsl(tenant), " would have ", count, " ", ToAbsl(what),
                   "; a tenant may have ", limit, " (", ToAbsl(flag), ")"));
}

grpc::Status TenantRateLimiter::Take(const std::string& tenant) {
  if (per_second_ <= 0) return grpc::Status::OK;
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  auto [it, fresh] = buckets_.try_emplace(tenant, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    b.tokens = std::min(burst_, b.tokens + absl::ToDoubleSeconds(now - b.at) * per_second_);
    b.at = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return grpc::Status::OK;
  }
  const double wait_s = (1 - b.tokens) / per_second_;
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      absl::StrFormat("tenant %s submits more than %g articles a second (burst %g; "
                                      "--tenant_submit_rate); retry in %.0f ms",
                                      tenant, per_second_, burst_, std::ceil(wait_s * 1000)));
}

}  // namespace ww::rpc
