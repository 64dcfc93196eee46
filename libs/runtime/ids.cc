#include "libs/runtime/ids.h"

#include <openssl/evp.h>

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

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex(size_t{2} * size, '0');
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < size; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 15];
  }
  return hex;
}

}  // namespace ww::runtime
