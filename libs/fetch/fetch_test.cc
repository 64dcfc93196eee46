#include "libs/fetch/fetch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ww::fetch {
namespace {

using ::testing::HasSubstr;

std::string TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = absl::StrCat(base != nullptr ? base : "/tmp", "/ww_fetch_test_XXXXXX");
  char* made = mkdtemp(tmpl.data());
  EXPECT_NE(made, nullptr);
  return tmpl;
}

TEST(FetchTest, FileUrlWhenAllowed) {
  std::string dir = TempDir();
  std::string path = dir + "/feed.xml";
  std::ofstream(path) << "<rss version=\"2.0\"><channel><title>t</title></channel></rss>";
  Request req;
  req.url = "file://" + path;
  req.allow_file = true;
  absl::StatusOr<Response> resp = Fetch(req);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->status, 200);
  EXPECT_THAT(resp->body, HasSubstr("<title>t</title>"));

  req.url = "file://" + dir + "/missing.xml";
  EXPECT_EQ(Fetch(req).status().code(), absl::StatusCode::kNotFound);

  req.url = "file://" + path;
  req.max_bytes = 10;
  EXPECT_EQ(Fetch(req).status().code(), absl::StatusCode::kResourceExhausted);
  std::filesystem::remove_all(dir);
}

TEST(FetchTest, FileUrlRefusedByDefault) {
  Request req;
  req.url = "file:///etc/hostname";
  absl::StatusOr<Response> resp = Fetch(req);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(resp.status().message(), HasSubstr("scheme 'file' not allowed"));
}

TEST(FetchTest, OtherSchemesAndBadUrlsRefused) {
  for (const char* url : {"ftp://example.com/feed.xml", "gopher://example.com/", "not a url",
                          "", "http://"}) {
    Request req;
    req.url = url;
    req.allow_file = true;
    absl::StatusOr<Response> resp = Fetch(req);
    ASSERT_FALSE(resp.ok()) << url;
    EXPECT_EQ(resp.status().code(), absl::StatusCode::kInvalidArgument) << url << resp.status();
  }
}

TEST(FetchTest, ConnectionRefusedIsUnavailable) {
  Request req;
  req.url = "http://127.0.0.1:1/";
  req.connect_timeout = absl::Seconds(3);
  absl::StatusOr<Response> resp = Fetch(req);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(resp.status().message(), HasSubstr("cannot connect to 127.0.0.1"));
}

// A tiny loopback HTTP/1.1 server with canned responses, one connection at a time.
class CannedServer {
 public:
  CannedServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 16);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~CannedServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }
  std::string LastRequest() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_request_;
  }

 private:
  static std::string Reply(const std::string& status, const std::string& headers,
                           const std::string& body) {
    return absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Length: ", body.size(),
                        "\r\nConnection: close\r\n", headers, "\r\n", body);
  }
  std::string Respond(const std::string& request) {
    std::string path = request.substr(4, request.find(' ', 4) - 4);
    if (path == "/feed") {
      if (absl::StrContains(request, "If-None-Match: \"v1\"")) {
        return Reply("304 Not Modified", "ETag: \"v1\"\r\n", "");
      }
      return Reply("200 OK",
                   "Content-Type: application/rss+xml; charset=utf-8\r\nETag: \"v1\"\r\n"
                   "Last-Modified: Tue, 02 Sep 2025 14:05:00 GMT\r\n",
                   "<rss/>");
    }
    if (path == "/redirect") return Reply("302 Found", "Location: /feed\r\n", "");
    if (path == "/to-file") return Reply("302 Found", "Location: file:///etc/passwd\r\n", "");
    if (path == "/loop") return Reply("302 Found", "Location: /loop\r\n", "");
    if (path == "/big") return Reply("200 OK", "", std::string(5000, 'x'));
    if (path == "/forbidden") return Reply("403 Forbidden", "", "no");
    if (path == "/busy") return Reply("503 Service Unavailable", "Retry-After: 120\r\n", "later");
    if (path == "/slow") {
      std::this_thread::sleep_for(std::chrono::milliseconds(700));
      return Reply("200 OK", "", "late");
    }
    return Reply("404 Not Found", "", "missing");
  }
  void Serve() {
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
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_request_ = request;
      }
      if (request.size() > 4) {
        std::string reply = Respond(request);
        (void)!write(client, reply.data(), reply.size());
      }
      close(client);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::string last_request_;
};

TEST(FetchHttpTest, OkConditionalAndHeaders) {
  CannedServer server;
  Request req;
  req.url = server.Url("/feed");
  absl::StatusOr<Response> resp = Fetch(req);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, "<rss/>");
  EXPECT_EQ(resp->content_type, "application/rss+xml; charset=utf-8");
  EXPECT_EQ(resp->etag, "\"v1\"");
  EXPECT_EQ(resp->last_modified, "Tue, 02 Sep 2025 14:05:00 GMT");
  EXPECT_THAT(server.LastRequest(), HasSubstr("User-Agent: Wirewatch/0.1"));
  EXPECT_THAT(server.LastRequest(), HasSubstr("Accept-Encoding: "));

  req.etag = resp->etag;
  req.last_modified = resp->last_modified;
  absl::StatusOr<Response> again = Fetch(req);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->not_modified);
  EXPECT_EQ(again->status, 304);
  EXPECT_THAT(server.LastRequest(),
              HasSubstr("If-Modified-Since: Tue, 02 Sep 2025 14:05:00 GMT"));
}

TEST(FetchHttpTest, Redirects) {
  CannedServer server;
  Request req;
  req.url = server.Url("/redirect");
  absl::StatusOr<Response> resp = Fetch(req);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->final_url, server.Url("/feed"));

  req.url = server.Url("/loop");
  req.max_redirects = 3;
  EXPECT_EQ(Fetch(req).status().code(), absl::StatusCode::kUnavailable);

  req.url = server.Url("/to-file");
  req.allow_file = true;  // still never reachable through a redirect
  absl::StatusOr<Response> to_file = Fetch(req);
  ASSERT_FALSE(to_file.ok());
  EXPECT_EQ(to_file.status().code(), absl::StatusCode::kInvalidArgument) << to_file.status();
}

TEST(FetchHttpTest, ErrorsMapToCodes) {
  CannedServer server;
  Request req;
  req.url = server.Url("/nothing-here");
  EXPECT_EQ(Fetch(req).status().code(), absl::StatusCode::kNotFound);
  req.url = server.Url("/forbidden");
  EXPECT_EQ(Fetch(req).status().code(), absl::StatusCode::kPermissionDenied);

  req.url = server.Url("/busy");
  absl::Status busy = Fetch(req).status();
  EXPECT_EQ(busy.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(busy.message(), HasSubstr("HTTP 503 from 127.0.0.1"));
  EXPECT_EQ(RetryAfter(busy), absl::Seconds(120));

  req.url = server.Url("/big");
  req.max_bytes = 1000;
  EXPECT_EQ(Fetch(req).status().code(), absl::StatusCode::kResourceExhausted);

  req.url = server.Url("/slow");
  req.max_bytes = 1000;
  req.total_timeout = absl::Milliseconds(200);
  absl::Status slow = Fetch(req).status();
  EXPECT_EQ(slow.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(slow.message(), HasSubstr("timeout"));
}

}  // namespace
}  // namespace ww::fetch
