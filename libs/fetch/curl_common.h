#pragma once
// What libs/fetch's libcurl transfers share (HTTP in fetch.cc, SMTP in mail.cc): one global
// init, handle owners, and the SSRF guard every connection passes. Internal to libs/fetch.
#include <curl/curl.h>

#include <memory>

#include "absl/status/status.h"
#include "libs/fetch/address_policy.h"

namespace ww::fetch::internal {

// curl_global_init, exactly once per process (it is not thread-safe itself).
void GlobalInit();

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// Appends a line to a curl_slist, keeping ownership in `list`.
void Append(Slist* list, const std::string& line);

// Decides, for each socket libcurl is about to open, whether its resolved destination is
// allowed: CURLOPT_OPENSOCKETFUNCTION with the Guard as CURLOPT_OPENSOCKETDATA. Runs for the
// first connection and for every redirect.
struct Guard {
  const AddressPolicy* policy;
  absl::Status refused;  // the first refusal, reported instead of curl's connect error
};
curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address);

// Installs the guard and turns off environment proxies (they would hide the destination).
void InstallGuard(CURL* h, Guard* guard);

int64_t Millis(absl::Duration d);

}  // namespace ww::fetch::internal
