#include "tools/wwctl/offset_plan.h"

#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"

namespace ww::wwctl {

using Json = nlohmann::json;

std::string OffsetPlanToJson(const OffsetPlan& plan) {
  Json parts = Json::array();
  for (const kafka::OffsetChange& c : plan.changes) {
    parts.push_back({{"partition", c.partition}, {"current", c.current}, {"target", c.target}});
  }
  Json j = {{"group", plan.group}, {"topic", plan.topic}, {"partitions", parts}};
  return j.dump(2) + "\n";
}

absl::StatusOr<OffsetPlan> OffsetPlanFromJson(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError("not a plan: expected a JSON object as --export writes");
  }
  OffsetPlan plan;
  for (auto [key, field] : {std::pair{"group", &plan.group}, std::pair{"topic", &plan.topic}}) {
    if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("plan has no \"", key, "\""));
    }
    *field = j[key].get<std::string>();
  }
  if (!j.contains("partitions") || !j["partitions"].is_array() || j["partitions"].empty()) {
    return absl::InvalidArgumentError("plan has no \"partitions\"");
  }
  std::set<int32_t> seen;
  for (const Json& p : j["partitions"]) {
    if (!p.is_object() || !p.contains("partition") || !p["partition"].is_number_integer() ||
        !p.contains("target") || !p["target"].is_number_integer()) {
      return absl::InvalidArgumentError(
          "each of the plan's partitions needs whole numbers \"partition\" and \"target\"");
    }
    kafka::OffsetChange c;
    c.partition = p["partition"].get<int32_t>();
    c.target = p["target"].get<int64_t>();
    if (p.contains("current") && p["current"].is_number_integer()) {
      c.current = p["current"].get<int64_t>();
    }
    if (c.partition < 0 || c.target < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "plan: partition ", c.partition, " and target ", c.target, " must not be negative"));
    }
    if (!seen.insert(c.partition).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("plan lists partition ", c.partition, " twice"));
    }
    plan.changes.push_back(c);
  }
  return plan;
}

}  // namespace ww::wwctl
