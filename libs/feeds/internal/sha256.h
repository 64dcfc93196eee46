// Internal to ww::feeds: SHA-256 (OpenSSL libcrypto), used for stable fallback item ids.
#ifndef WW_LIBS_FEEDS_INTERNAL_SHA256_H_
#define WW_LIBS_FEEDS_INTERNAL_SHA256_H_

#include <string>
#include <string_view>

namespace ww::feeds::internal {

// Lowercase hex digest (64 characters) of `data`. Pure, thread-safe.
std::string Sha256Hex(std::string_view data);

}  // namespace ww::feeds::internal

#endif  // WW_LIBS_FEEDS_INTERNAL_SHA256_H_
