#include "libs/fetch/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ww::fetch {
namespace {

using Bytes = std::array<uint8_t, 16>;

Bytes Mapped(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
}

bool IsV4Mapped(const Bytes& a) {
  for (int i = 0; i < 10; ++i) {
    if (a[i] != 0) return false;
  }
  return a[10] == 0xff && a[11] == 0xff;
}

struct Range {
  Network net;
  const char* why;
};

Network V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, int bits) {
  return {Mapped(a, b, c, d), 96 + bits};
}
Network V6(std::initializer_list<uint8_t> head, int bits) {
  Network n;
  int i = 0;
  for (uint8_t b : head) n.address[i++] = b;
  n.prefix_bits = bits;
  return n;
}

const std::vector<Range>& NonPublic() {
  static const std::vector<Range> kRanges = {
      {V4(0, 0, 0, 0, 8), "unspecified (0.0.0.0/8)"},
      {V4(10, 0, 0, 0, 8), "private (10.0.0.0/8)"},
      {V4(100, 64, 0, 0, 10), "shared address space (100.64.0.0/10)"},
      {V4(127, 0, 0, 0, 8), "loopback"},
      {V4(169, 254, 169, 254, 32), "link-local (cloud metadata)"},
      {V4(169, 254, 0, 0, 16), "link-local"},
      {V4(172, 16, 0, 0, 12), "private (172.16.0.0/12)"},
      {V4(192, 0, 0, 0, 24), "IETF protocol assignments (192.0.0.0/24)"},
      {V4(192, 0, 2, 0, 24), "documentation"},
      {V4(192, 88, 99, 0, 24), "6to4 relay anycast"},
      {V4(192, 168, 0, 0, 16), "private (192.168.0.0/16)"},
      {V4(198, 18, 0, 0, 15), "benchmarking"},
      {V4(198, 51, 100, 0, 24), "documentation"},
      {V4(203, 0, 113, 0, 24), "documentation"},
      {V4(224, 0, 0, 0, 4), "multicast"},
      {V4(240, 0, 0, 0, 4), "reserved (240.0.0.0/4)"},
      {V6({}, 128), "unspecified (::)"},
      {V6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128), "loopback"},
      {V6({0x01, 0x00}, 64), "discard-only (100::/64)"},
      {V6({0x20, 0x01, 0x0d, 0xb8}, 32), "documentation"},
      {V6({0x20, 0x02}, 16), "6to4 (2002::/16)"},
      {V6({0xfc}, 7), "unique local (fc00::/7)"},
      {V6({0xfe, 0x80}, 10), "link-local"},
      {V6({0xfe, 0xc0}, 10), "site-local"},
      {V6({0xff}, 8), "multicast"},
  };
  return kRanges;
}

}  // namespace

bool Network::Contains(const Bytes& a) const {
  int full = prefix_bits / 8;
  if (std::memcmp(a.data(), address.data(), full) != 0) return false;
  int rest = prefix_bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (address[full] & mask);
}

absl::StatusOr<Network> ParseNetwork(std::string_view cidr_in) {
  absl::string_view cidr(cidr_in.data(), cidr_in.size());
  auto bad = [&] { return absl::InvalidArgumentError(absl::StrCat("bad network '", cidr, "'")); };
  size_t slash = cidr.find('/');
  std::string addr(cidr.substr(0, slash));
  Network n;
  int max_bits;
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, addr.c_str(), &v4) == 1) {
    const auto* b = reinterpret_cast<const uint8_t*>(&v4.s_addr);
    n.address = Mapped(b[0], b[1], b[2], b[3]);
    max_bits = 32;
  } else if (inet_pton(AF_INET6, addr.c_str(), &v6) == 1) {
    std::memcpy(n.address.data(), v6.s6_addr, 16);
    max_bits = 128;
  } else {
    return bad();
  }
  int bits = max_bits;
  if (slash != absl::string_view::npos &&
      (!absl::SimpleAtoi(cidr.substr(slash + 1), &bits) || bits < 0 || bits > max_bits)) {
    return bad();
  }
  n.prefix_bits = bits + (max_bits == 32 ? 96 : 0);
  return n;
}

std::string NonPublicReason(const Bytes& address) {
  Bytes a = address;
  // ::a.b.c.d (IPv4-compatible, deprecated) and 64:ff9b::a.b.c.d (NAT64) reach an IPv4 host.
  bool compat = true;
  for (int i = 0; i < 12; ++i) compat = compat && a[i] == 0;
  static const Bytes kNat64 = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  bool nat64 = std::memcmp(a.data(), kNat64.data(), 12) == 0;
  if ((compat && (a[12] | a[13]) != 0) || nat64) a = Mapped(a[12], a[13], a[14], a[15]);
  for (const Range& r : NonPublic()) {
    if (r.net.Contains(a)) return r.why;
  }
  return "";
}

bool ToBytes(const sockaddr* sa, Bytes* out) {
  if (sa == nullptr) return false;
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    const auto* b = reinterpret_cast<const uint8_t*>(&in->sin_addr.s_addr);
    *out = Mapped(b[0], b[1], b[2], b[3]);
    return true;
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    std::memcpy(out->data(), in6->sin6_addr.s6_addr, 16);
    return true;
  }
  return false;
}

std::string FormatAddress(const Bytes& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (IsV4Mapped(a)) {
    inet_ntop(AF_INET, a.data() + 12, buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET6, a.data(), buf, sizeof(buf));
  }
  return buf;
}

absl::StatusOr<AddressPolicy> AddressPolicy::Create(const std::vector<std::string>& allowed) {
  AddressPolicy p;
  for (const std::string& cidr : allowed) {
    if (cidr == "any") {
      p.any_ = true;
      continue;
    }
    absl::StatusOr<Network> n = ParseNetwork(cidr);
    if (!n.ok()) return n.status();
    p.allowed_.push_back(*n);
  }
  return p;
}

absl::Status AddressPolicy::Check(const Bytes& address) const {
  if (any_) return absl::OkStatus();
  std::string why = NonPublicReason(address);
  if (why.empty()) return absl::OkStatus();
  for (const Network& n : allowed_) {
    if (n.Contains(address)) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat("address ", FormatAddress(address), " is ", why,
                                                  "; not allowed (see --fetch_allow_networks)"));
}

}  // namespace ww::fetch
