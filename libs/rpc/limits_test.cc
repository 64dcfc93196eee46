#include "libs/rpc/limits.h"

#include "gtest/gtest.h"

namespace ww::rpc {
namespace {

TEST(TenantRateLimiter, EachTenantHasItsOwnBucketRefilledAtTheRate) {
  absl::Time now = absl::FromUnixSeconds(1000);
  TenantRateLimiter limiter(2, 3, [&] { return now; });  // 2 a second, 3 at once
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Take("desk-a").ok()) << i;
  grpc::Status over = limiter.Take("desk-a");
  EXPECT_EQ(over.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(over.error_message().find("retry in 500 ms"), std::string::npos)
      << over.error_message();
  EXPECT_TRUE(limiter.Take("desk-b").ok()) << "desk-a's burst is not desk-b's";
  now += absl::Milliseconds(500);
  EXPECT_TRUE(limiter.Take("desk-a").ok());
  EXPECT_FALSE(limiter.Take("desk-a").ok());
  now += absl::Hours(1);  // refills up to the burst, no more
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Take("desk-a").ok()) << i;
  EXPECT_FALSE(limiter.Take("desk-a").ok());
  TenantRateLimiter off(0, 0);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(off.Take("desk-a").ok());
}

TEST(CheckCount, NamesTheTenantTheLimitAndTheFlag) {
  EXPECT_TRUE(CheckCount("desk-a", "entities", 10, 10, "--tenant_max_entities").ok());
  EXPECT_TRUE(CheckCount("desk-a", "entities", 11, 0, "--tenant_max_entities").ok());
  grpc::Status s = CheckCount("desk-a", "entities", 11, 10, "--tenant_max_entities");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(s.error_message(),
            "tenant desk-a would have 11 entities; a tenant may have 10 (--tenant_max_entities)");
}

}  // namespace
}  // namespace ww::rpc
