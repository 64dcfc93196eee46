#include "libs/url/url.h"

#include <curl/curl.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ww::url {
namespace {

// Schemes libcurl does not speak are still URLs; whitespace inside is left to the caller.
constexpr unsigned int kParseFlags = CURLU_NON_SUPPORT_SCHEME;

std::string Get(CURLU* u, CURLUPart part, unsigned int flags = 0) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, flags) != CURLUE_OK || value == nullptr) return "";
  std::string out = value;
  curl_free(value);
  return out;
}

void Set(CURLU* u, CURLUPart part, std::string_view value) {
  const std::string v(value);
  curl_url_set(u, part, v.empty() ? nullptr : v.c_str(), 0);
}

}  // namespace

void Url::Deleter::operator()(CURLU* u) const { curl_url_cleanup(u); }

absl::StatusOr<Url> Url::Parse(std::string_view text) {
  Url url(curl_url());
  if (url.handle_ == nullptr) return absl::ResourceExhaustedError("curl_url() failed");
  const std::string s(text);
  if (CURLUcode uc = curl_url_set(url.handle_.get(), CURLUPART_URL, s.c_str(), kParseFlags);
      uc != CURLUE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid URL '", s, "': ", curl_url_strerror(uc)));
  }
  return url;
}

absl::StatusOr<Url> Url::Resolve(std::string_view ref) const {
  Url out(*this);
  // libcurl 7.88 resolves "#s" against the directory and refuses "": RFC 3986 keeps the
  // base's path and query for both.
  if (ref.empty() || ref.front() == '#') {
    out.set_fragment(ref.empty() ? ref : ref.substr(1));
    return out;
  }
  const std::string r(ref);
  // Setting a URL on a handle that holds one resolves it as a relative reference.
  if (CURLUcode uc = curl_url_set(out.handle_.get(), CURLUPART_URL, r.c_str(), kParseFlags);
      uc != CURLUE_OK) {
    return absl::InvalidArgumentError(absl::StrCat("cannot resolve '", r, "' against '", ToString(),
                                                   "': ", curl_url_strerror(uc)));
  }
  return out;
}

Url::Url(const Url& other) : handle_(curl_url_dup(other.handle_.get())) {}
Url& Url::operator=(const Url& other) {
  if (this != &other) handle_.reset(curl_url_dup(other.handle_.get()));
  return *this;
}
Url::Url(Url&&) noexcept = default;
Url& Url::operator=(Url&&) noexcept = default;
Url::~Url() = default;

std::string Url::scheme() const {
  return absl::AsciiStrToLower(Get(handle_.get(), CURLUPART_SCHEME));
}
std::string Url::host() const { return Get(handle_.get(), CURLUPART_HOST); }
std::string Url::port() const { return Get(handle_.get(), CURLUPART_PORT); }
std::string Url::path() const { return Get(handle_.get(), CURLUPART_PATH); }
std::string Url::query() const { return Get(handle_.get(), CURLUPART_QUERY); }
std::string Url::fragment() const { return Get(handle_.get(), CURLUPART_FRAGMENT); }
std::string Url::decoded_path() const {
  return Get(handle_.get(), CURLUPART_PATH, CURLU_URLDECODE);
}

std::string Url::user_info() const {
  std::string user = Get(handle_.get(), CURLUPART_USER);
  std::string password = Get(handle_.get(), CURLUPART_PASSWORD);
  return password.empty() ? user : absl::StrCat(user, ":", password);
}

void Url::set_host(std::string_view host) { Set(handle_.get(), CURLUPART_HOST, host); }
void Url::set_port(std::string_view port) { Set(handle_.get(), CURLUPART_PORT, port); }
void Url::set_path(std::string_view path) { Set(handle_.get(), CURLUPART_PATH, path); }
void Url::set_query(std::string_view query) { Set(handle_.get(), CURLUPART_QUERY, query); }
void Url::set_fragment(std::string_view fragment) {
  Set(handle_.get(), CURLUPART_FRAGMENT, fragment);
}

std::string Url::ToString() const { return Get(handle_.get(), CURLUPART_URL); }

}  // namespace ww::url
