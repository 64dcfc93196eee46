#pragma once
// Stable, deterministic ids. The same input gives the same id on every machine and every
// run (unlike absl::Hash), so a replayed record keeps its id and Kafka keys stay stable.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

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

// FNV-1a, 64 bits: tiny and stable; for jitter and ids that must never change (replay job
// ids and their checkpoints, which replica polls a feed). Not for hash tables (weak
// mixing) nor for anything adversarial. Its offset basis is 1469598103934665603, one digit
// short of the published 14695981039346656037: the ids already in topics were made with
// it, and a stable id matters more than the textbook constant.
inline uint64_t Fnv1a64(std::string_view data) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : data) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// The one rule for names users give things (watchlist entities, alert rules): lowercase
// ASCII letters, digits, '.', '_' and '-', starting with a letter or a digit. Such an id is
// safe in a Kafka key, a URL path, a metric label and a file name.
inline bool IsValidId(std::string_view id) {
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (id.empty() || !lower_or_digit(id[0])) return false;
  for (char c : id) {
    if (!lower_or_digit(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}
inline constexpr const char kIdRule[] =
    "lowercase letters, digits, '.', '_' and '-', starting with a letter or a digit";

// Tenants own entities: inside the pipeline (the watchlist topic's keys, the matcher,
// mentions) an entity of tenant T is "T/id". The tenant "default" (authentication off, and
// every watchlist written before tenants) keeps bare ids, so its records are unchanged.
inline constexpr const char kDefaultTenant[] = "default";
inline std::string QualifiedId(std::string_view tenant, std::string_view id) {
  if (tenant.empty() || tenant == kDefaultTenant) return std::string(id);
  std::string out(tenant);
  out += '/';
  out += id;
  return out;
}
// {tenant, id} of a qualified id ("default" for a bare one).
inline std::pair<std::string, std::string> SplitQualifiedId(std::string_view qualified) {
  const size_t slash = qualified.find('/');
  if (slash == std::string_view::npos) return {kDefaultTenant, std::string(qualified)};
  return {std::string(qualified.substr(0, slash)), std::string(qualified.substr(slash + 1))};
}
// A bare id, or "T/id" where both are valid ids.
inline bool IsValidQualifiedId(std::string_view id) {
  const size_t slash = id.find('/');
  if (slash == std::string_view::npos) return IsValidId(id);
  return IsValidId(id.substr(0, slash)) && IsValidId(id.substr(slash + 1));
}

// 128-bit non-cryptographic hash of `data`, rendered as 32 lowercase hex digits.
std::string StableHashHex(std::string_view data);

// SHA-256 of `data` (OpenSSL libcrypto) as 64 lowercase hex digits: for what must resist
// an adversary (stored token hashes, fallback feed item ids).
std::string Sha256Hex(std::string_view data);

// `prefix` + "-" + the first 16 hex digits of StableHashHex over the parts joined by \x1f.
std::string DeterministicId(std::string_view prefix, std::initializer_list<std::string_view> parts);

}  // namespace ww::runtime
