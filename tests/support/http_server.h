#pragma once
// A small loopback HTTP/1.1 server for tests and benchmarks: canned responses from a handler,
// one connection per request ("Connection: close"), port chosen by the kernel.
//
// Connections are served one at a time on the server's own thread, which is enough for the
// hermetic fetch/poller tests, the e2e tier and the polling benchmark. The handler runs on that
// thread; it may block (a slow response) but holds up the next request while it does.
// Thread-safe: Url, LastRequest and requests may be called from any thread.
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace ww::testing {

class HttpServer {
 public:
  struct Response {
    Response(std::string bytes_in = "") : bytes(std::move(bytes_in)) {}  // NOLINT: implicit
    std::string bytes;  // status line, headers and body, sent as they are
    // When set, sent again and again after `bytes` until the client goes away or the server
    // stops: an endless body.
    std::string repeat;
  };
  // Gets the request's head (request line and headers, up to the blank line) and, when it
  // has a Content-Length, "\r\n\r\n" and the body (see Body()).
  using Handler = std::function<Response(const std::string& request)>;

  explicit HttpServer(Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>"
  std::string Url(std::string_view path) const;
  std::string LastRequest();
  int requests();

  // "HTTP/1.1 <status>" with Content-Length, Connection: close, `headers` (each ending in
  // "\r\n") and `body`.
  static std::string Reply(std::string_view status, std::string_view headers,
                           std::string_view body);
  // A conditional GET answered: "304 Not Modified" when the request's If-None-Match is `etag`,
  // else "200 OK" with the ETag, `content_type` and `body()`. `*not_modified` (when given) says
  // which.
  static std::string Conditional(const std::string& request, std::string_view etag,
                                 std::string_view content_type,
                                 const std::function<std::string()>& body,
                                 bool* not_modified = nullptr);
  // The path of a request head ("GET /feed?x=1 HTTP/1.1" -> "/feed?x=1").
  static std::string Path(const std::string& request);
  // The body of a request ("" when none).
  static std::string Body(const std::string& request);
  // A header's value in a request head ("" when absent); the name is case-insensitive.
  static std::string Header(const std::string& request, std::string_view name);

 private:
  void Serve();

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string last_request_;
  int requests_ = 0;
  std::thread thread_;
};

}  // namespace ww::testing
