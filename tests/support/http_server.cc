#include "tests/support/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ww::testing {

HttpServer::HttpServer(Handler handler) : handler_(std::move(handler)) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd_, 128) != 0 || getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("test HTTP server");
    std::abort();  // a test cannot run without its server
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

HttpServer::~HttpServer() {
  stop_ = true;
  shutdown(fd_, SHUT_RDWR);
  close(fd_);
  thread_.join();
}

std::string HttpServer::Url(std::string_view path) const {
  return absl::StrCat("http://127.0.0.1:", port_, absl::string_view(path.data(), path.size()));
}

std::string HttpServer::LastRequest() {
  std::lock_guard<std::mutex> lock(mu_);
  return last_request_;
}

int HttpServer::requests() {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::string HttpServer::Reply(std::string_view status, std::string_view headers,
                              std::string_view body) {
  auto sv = [](std::string_view s) { return absl::string_view(s.data(), s.size()); };
  return absl::StrCat("HTTP/1.1 ", sv(status), "\r\nContent-Length: ", body.size(),
                      "\r\nConnection: close\r\n", sv(headers), "\r\n", sv(body));
}

std::string HttpServer::Conditional(const std::string& request, std::string_view etag,
                                    std::string_view content_type,
                                    const std::function<std::string()>& body,
                                    bool* not_modified) {
  auto sv = [](std::string_view s) { return absl::string_view(s.data(), s.size()); };
  const bool match = absl::StrContains(request, absl::StrCat("If-None-Match: ", sv(etag)));
  if (not_modified != nullptr) *not_modified = match;
  if (match) return Reply("304 Not Modified", absl::StrCat("ETag: ", sv(etag), "\r\n"), "");
  return Reply("200 OK",
               absl::StrCat("Content-Type: ", sv(content_type), "\r\nETag: ", sv(etag), "\r\n"),
               body());
}

std::string HttpServer::Path(const std::string& request) {
  size_t start = request.find(' ');
  if (start == std::string::npos) return "";
  size_t end = request.find(' ', start + 1);
  return request.substr(start + 1, end == std::string::npos ? end : end - start - 1);
}

void HttpServer::Serve() {
  while (!stop_) {
    int client = accept(fd_, nullptr, nullptr);
    if (client < 0) return;
    std::string request;
    char buf[4096];
    while (!absl::StrContains(request, "\r\n\r\n")) {
      ssize_t n = read(client, buf, sizeof(buf));
      if (n <= 0) break;
      request.append(buf, static_cast<size_t>(n));
    }
    request = request.substr(0, request.find("\r\n\r\n"));
    if (!request.empty()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_request_ = request;
        ++requests_;
      }
      Response out = handler_(request);
      (void)!send(client, out.bytes.data(), out.bytes.size(), MSG_NOSIGNAL);
      while (!out.repeat.empty() && !stop_ &&
             send(client, out.repeat.data(), out.repeat.size(), MSG_NOSIGNAL) > 0) {
      }
    }
    close(client);
  }
}

}  // namespace ww::testing
