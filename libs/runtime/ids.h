#pragma once
// Stable, deterministic ids. The same input gives the same id on every machine and every
// run (unlike absl::Hash), so a replayed record keeps its id and Kafka keys stay stable.
#include <cstdint>
#include <string>
#include <string_view>

namespace ww::runtime {

// The splitmix64 finaliser: a fast, well-mixed, stable 64-bit to 64-bit hash.
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// 128-bit non-cryptographic hash of `data`, rendered as 32 lowercase hex digits.
std::string StableHashHex(std::string_view data);

// `prefix` + "-" + the first 16 hex digits of StableHashHex over the parts joined by \x1f.
std::string DeterministicId(std::string_view prefix, std::initializer_list<std::string_view> parts);

}  // namespace ww::runtime
