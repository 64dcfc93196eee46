#include "libs/runtime/json.h"

namespace ww::runtime {

std::string ToJsonLine(const nlohmann::ordered_json& j) {
  return j.dump(/*indent=*/-1, ' ', /*ensure_ascii=*/false,
                nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace ww::runtime
