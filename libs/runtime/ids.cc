#include "libs/runtime/ids.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ww::runtime {
namespace {

inline uint64_t Mix(uint64_t x) { return Mix64(x); }

uint64_t Hash64(std::string_view data, uint64_t seed) {
  uint64_t h = Mix(seed ^ (data.size() * 0x9e3779b97f4a7c15ULL));
  size_t i = 0;
  for (; i + 8 <= data.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, data.data() + i, 8);
    h = Mix(h ^ Mix(w + seed));
  }
  uint64_t tail = 0;
  std::memcpy(&tail, data.data() + i, data.size() - i);
  return Mix(h ^ Mix(tail + seed + 1));
}

}  // namespace

std::string StableHashHex(std::string_view data) {
  return absl::StrFormat("%016x%016x", Hash64(data, 0x5157a11d), Hash64(data, 0xfeedface));
}

std::string DeterministicId(std::string_view prefix,
                            std::initializer_list<std::string_view> parts) {
  std::string joined;
  for (std::string_view p : parts) {
    joined.append(p);
    joined += '\x1f';
  }
  return std::string(prefix) + "-" + StableHashHex(joined).substr(0, 16);
}

}  // namespace ww::runtime
