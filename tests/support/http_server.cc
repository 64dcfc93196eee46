#include "tests/support/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
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
                                    const std::function<std::string()>& body, bool* not_modified) {
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

std::string HttpServer::Body(const std::string& request) {
  const size_t at = request.find("\r\n\r\n");
  return at == std::string::npos ? "" : request.substr(at + 4);
}

std::string HttpServer::Header(const std::string& request, std::string_view name) {
  const std::string head = request.substr(0, request.find("\r\n\r\n"));
  const std::string lower = absl::AsciiStrToLower(head);
  const std::string key = absl::StrCat("\r\n", absl::AsciiStrToLower(std::string(name)), ":");
  const size_t at = lower.find(key);
  if (at == std::string::npos) return "";
  const size_t from = at + key.size();
  const size_t end = head.find("\r\n", from);
  return std::string(
      absl::StripAsciiWhitespace(head.substr(from, end == std::string::npos ? end : end - from)));
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
    const size_t head_end = request.find("\r\n\r\n");
    std::string body = head_end == std::string::npos ? "" : request.substr(head_end + 4);
    request = request.substr(0, head_end);
    // A body (a POST) of Content-Length bytes follows the head.
    size_t length = 0;
    const std::string lower = absl::AsciiStrToLower(request);
    if (size_t at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
      const size_t from = at + 17;
      (void)absl::SimpleAtoi(
          absl::StripAsciiWhitespace(request.substr(from, request.find("\r\n", from) - from)),
          &length);
    }
    while (body.size() < length) {
      ssize_t n = read(client, buf, sizeof(buf));
      if (n <= 0) break;
      body.append(buf, static_cast<size_t>(n));
    }
    if (length > 0) request += "\r\n\r\n" + body.substr(0, length);
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
