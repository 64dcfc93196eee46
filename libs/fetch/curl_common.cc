#include "libs/fetch/curl_common.h"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace ww::fetch::internal {

void GlobalInit() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)rc;
}

void Append(Slist* list, const std::string& line) {
  curl_slist* next = curl_slist_append(list->get(), line.c_str());
  if (next != nullptr) {
    (void)list->release();  // the list now starts at next
    list->reset(next);
  }
}

curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* guard = static_cast<Guard*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  std::array<uint8_t, 16> bytes;
  if (!ToBytes(&address->addr, &bytes)) {
    if (guard->refused.ok()) guard->refused = absl::PermissionDeniedError("non-IP address refused");
    return CURL_SOCKET_BAD;
  }
  if (absl::Status st = guard->policy->Check(bytes); !st.ok()) {
    if (guard->refused.ok()) guard->refused = std::move(st);
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

void InstallGuard(CURL* h, Guard* guard) {
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &OnOpenSocket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, guard);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
}

int64_t Millis(absl::Duration d) { return std::max<int64_t>(absl::ToInt64Milliseconds(d), 1); }

}  // namespace ww::fetch::internal
