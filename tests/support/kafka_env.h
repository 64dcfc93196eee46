#pragma once
// Test support for the kafka and e2e tiers: where the broker is, unique topic names, and
// reading a topic back.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/kafka/record.h"

namespace ww::testing {

// The broker ctest started (WW_TEST_BOOTSTRAP); the test is skipped with a message when
// it is not set, i.e. when the binary is run outside ctest without a broker.
kafka::ClientConfig BrokerOrSkip();
// config names the variable the macro declares, so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define WW_REQUIRE_BROKER(config)                                   \
  ::ww::kafka::ClientConfig config = ::ww::testing::BrokerOrSkip(); \
  if (config.bootstrap_servers.empty())                             \
  GTEST_SKIP() << "WW_TEST_BOOTSTRAP is not set: run "              \
                  "through ctest (-L kafka / -L e2e)"
// NOLINTEND(bugprone-macro-parentheses)

// "t<time><random>-<name>.": a prefix no other test or run shares.
std::string UniquePrefix(const std::string& name);

// Reads committed records of `topic` from the beginning until `want` are there or
// `timeout` passes.
std::vector<kafka::Record> ReadTopic(const kafka::ClientConfig& config, const std::string& topic,
                                     size_t want, absl::Duration timeout);

}  // namespace ww::testing
