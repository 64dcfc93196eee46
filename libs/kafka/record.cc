#include "libs/kafka/record.h"

namespace ww::kafka {

std::optional<std::string_view> Record::header(std::string_view key) const {
  for (const Header& h : headers) {
    if (h.key == key) return h.value;
  }
  return std::nullopt;
}

}  // namespace ww::kafka
