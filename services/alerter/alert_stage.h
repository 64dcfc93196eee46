#pragma once
// The alerter's stage function: TaggedArticle in, one Alert per rule that fires out.
// Thread-safe.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kafka/record.h"

namespace ww::services {

class AlertStage {
 public:
  explicit AlertStage(std::string alerts_topic) : alerts_topic_(std::move(alerts_topic)) {}

  // InvalidArgument for a record that is not a TaggedArticle (it goes to the dead letters).
  absl::StatusOr<std::vector<kafka::OutRecord>> Process(const kafka::Record& in) const;

 private:
  std::string alerts_topic_;
};

}  // namespace ww::services
