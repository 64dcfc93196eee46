#include "tests/support/kafka_env.h"

#include <cstdlib>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/kafka/reader.h"

namespace ww::testing {

kafka::ClientConfig BrokerOrSkip() {
  kafka::ClientConfig c;
  const char* b = std::getenv("WW_TEST_BOOTSTRAP");
  c.bootstrap_servers = b ? b : "";
  return c;
}

std::string UniquePrefix(const std::string& name) {
  std::random_device rd;
  return absl::StrCat("t", absl::ToUnixSeconds(absl::Now()) % 100000, rd() % 100000, "-", name,
                      ".");
}

std::vector<kafka::Record> ReadTopic(const kafka::ClientConfig& config, const std::string& topic,
                                     size_t want, absl::Duration timeout) {
  std::vector<kafka::Record> out;
  auto reader = kafka::TopicReader::Create(config, topic, kafka::StartFrom::kBeginning);
  if (!reader.ok()) return out;
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline && out.size() < want) {
    for (auto& r : (*reader)->Poll(absl::Milliseconds(200))) out.push_back(std::move(r));
  }
  // A little longer, to see records that should not be there.
  for (auto& r : (*reader)->Poll(absl::Milliseconds(500))) out.push_back(std::move(r));
  return out;
}

}  // namespace ww::testing
