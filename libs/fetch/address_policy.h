// Which network addresses the fetcher may connect to: the SSRF guard.
//
// A feed URL comes from an operator or, worse, from a redirect chosen by a remote server; left
// alone, it could make the ingestor read cloud metadata (169.254.169.254), an admin port on
// loopback, or a service on the private network. The policy refuses every non-public
// destination unless an allowlist admits it. It is applied to the address actually connected
// to (after DNS, for the first request and after every redirect), never to the URL text.
#ifndef WW_LIBS_FETCH_ADDRESS_POLICY_H_
#define WW_LIBS_FETCH_ADDRESS_POLICY_H_

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ww::fetch {

// An IPv4 or IPv6 network, e.g. "10.0.0.0/8", "127.0.0.1" (= /32), "fd00::/8".
struct Network {
  std::array<uint8_t, 16> address{};  // IPv4 as ::ffff:a.b.c.d
  int prefix_bits = 0;                // out of 128
  bool Contains(const std::array<uint8_t, 16>& a) const;
};

// InvalidArgument naming `cidr` when it is not an address with an optional /prefix.
absl::StatusOr<Network> ParseNetwork(std::string_view cidr);

// Why `address` is not a public unicast destination ("loopback", "private", "link-local
// (cloud metadata)", ...), or "" when it is public. IPv4-mapped, IPv4-compatible and NAT64
// (64:ff9b::/96) IPv6 forms are judged by the IPv4 address they carry. Pure, thread-safe.
std::string NonPublicReason(const std::array<uint8_t, 16>& address);

// The address of a socket address (AF_INET or AF_INET6) in the 16-byte form; false for other
// families.
bool ToBytes(const sockaddr* sa, std::array<uint8_t, 16>* out);
std::string FormatAddress(const std::array<uint8_t, 16>& address);

class AddressPolicy {
 public:
  // Public addresses only.
  AddressPolicy() = default;
  // Public addresses plus the `allowed` networks ("127.0.0.1/32", "10.1.0.0/16"; the word
  // "any" admits everything, for tests and trusted development setups only).
  // InvalidArgument for a malformed entry.
  static absl::StatusOr<AddressPolicy> Create(const std::vector<std::string>& allowed);

  // OK, or PermissionDenied "address 127.0.0.1 is loopback; not allowed (see
  // --fetch_allow_networks)". Thread-safe (const).
  absl::Status Check(const std::array<uint8_t, 16>& address) const;

 private:
  std::vector<Network> allowed_;
  bool any_ = false;
};

}  // namespace ww::fetch

#endif  // WW_LIBS_FETCH_ADDRESS_POLICY_H_
