#pragma once
// URLs, parsed and resolved by libcurl's URL API (CURLU): the one URL parser of the project,
// used for feed links, canonical article URLs and what the fetcher connects to.
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

typedef struct Curl_URL CURLU;

namespace ww::url {

// An absolute URL. Parsing removes dot segments ("/a/../b" is "/b", RFC 3986 5.2.4).
// Copyable; not thread-safe (copy it for another thread).
class Url {
 public:
  // InvalidArgument, with libcurl's reason, for what is not an absolute URL
  // ("scheme://..."): relative references, "urn:..." and "mailto:..." included.
  static absl::StatusOr<Url> Parse(std::string_view text);

  // `ref` (absolute, or relative to this URL) resolved as a browser would (RFC 3986 5.2).
  absl::StatusOr<Url> Resolve(std::string_view ref) const;

  Url(const Url& other);
  Url& operator=(const Url& other);
  Url(Url&&) noexcept;
  Url& operator=(Url&&) noexcept;
  ~Url();

  // Parts as written (not percent-decoded); empty when absent. scheme() is lowercase.
  std::string scheme() const;
  std::string host() const;
  std::string port() const;  // only when written in the URL
  std::string path() const;
  std::string query() const;
  std::string user_info() const;  // "user:password", without the "@"
  std::string fragment() const;
  // The path percent-decoded (a file:// URL's file name).
  std::string decoded_path() const;

  // Empty clears the part.
  void set_host(std::string_view host);
  void set_port(std::string_view port);
  void set_path(std::string_view path);
  void set_query(std::string_view query);
  void set_fragment(std::string_view fragment);

  std::string ToString() const;

 private:
  struct Deleter {
    void operator()(CURLU* u) const;
  };
  explicit Url(CURLU* handle) : handle_(handle) {}
  std::unique_ptr<CURLU, Deleter> handle_;
};

}  // namespace ww::url
