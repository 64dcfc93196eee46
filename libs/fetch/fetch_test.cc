#include "libs/fetch/fetch.h"

#include <zlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/fetch/address_policy.h"
#include "tests/support/http_server.h"

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

// Requests to the loopback test server must admit 127.0.0.1 explicitly: the default policy
// refuses it (see FetchSsrfTest).
Request Local(const std::string& url) {
  Request req;
  req.url = url;
  req.address_policy = *AddressPolicy::Create({"127.0.0.1/32"});
  return req;
}

// 'size' zero bytes, gzip-compressed (about 1000:1).
std::string GzipZeros(size_t size) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY);
  std::string zeros(1 << 20, '\0'), out;
  char buf[1 << 16];
  for (size_t done = 0; done < size; done += zeros.size()) {
    z.next_in = reinterpret_cast<Bytef*>(zeros.data());
    z.avail_in = static_cast<uInt>(std::min(zeros.size(), size - done));
    bool last = done + zeros.size() >= size;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof(buf);
      deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
      out.append(buf, sizeof(buf) - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
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
  for (const char* url :
       {"ftp://example.com/feed.xml", "gopher://example.com/", "not a url", "", "http://"}) {
    Request req;
    req.url = url;
    req.allow_file = true;
    absl::StatusOr<Response> resp = Fetch(req);
    ASSERT_FALSE(resp.ok()) << url;
    EXPECT_EQ(resp.status().code(), absl::StatusCode::kInvalidArgument) << url << resp.status();
  }
}

TEST(FetchTest, ConnectionRefusedIsUnavailable) {
  Request req = Local("http://127.0.0.1:1/");
  req.connect_timeout = absl::Seconds(3);
  absl::StatusOr<Response> resp = Fetch(req);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(resp.status().message(), HasSubstr("cannot connect to 127.0.0.1"));
}

// Canned responses from the loopback test server (tests/support/http_server.h).
class CannedServer {
 public:
  CannedServer() : http_([this](const std::string& request) { return Respond(request); }) {}
  std::string Url(const std::string& path) const { return http_.Url(path); }
  std::string LastRequest() { return http_.LastRequest(); }

 private:
  static std::string Reply(const std::string& status, const std::string& headers,
                           const std::string& body) {
    return ww::testing::HttpServer::Reply(status, headers, body);
  }
  ww::testing::HttpServer::Response Respond(const std::string& request) {
    std::string path = ww::testing::HttpServer::Path(request);
    const int port = http_.port();
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
    if (path == "/to-metadata") {
      return Reply("302 Found", "Location: http://169.254.169.254/latest/meta-data/\r\n", "");
    }
    if (path == "/to-loopback2") {
      return Reply("302 Found", absl::StrCat("Location: http://127.0.0.2:", port, "/feed\r\n"), "");
    }
    if (path == "/to-localhost") {
      return Reply("302 Found", absl::StrCat("Location: http://localhost:", port, "/feed\r\n"), "");
    }
    if (path == "/bomb") {
      static const std::string bomb = GzipZeros(64 << 20);
      return Reply("200 OK", "Content-Encoding: gzip\r\nContent-Type: application/rss+xml\r\n",
                   bomb);
    }
    if (path == "/gzip") {
      return Reply("200 OK", "Content-Encoding: gzip\r\n", GzipZeros(1000));
    }
    if (path == "/ratelimited") {
      return Reply("429 Too Many Requests", "Retry-After: 30\r\n", "slow down");
    }
    if (path == "/to-file") return Reply("302 Found", "Location: file:///etc/passwd\r\n", "");
    if (path == "/loop") return Reply("302 Found", "Location: /loop\r\n", "");
    if (path == "/big") return Reply("200 OK", "", std::string(5000, 'x'));
    if (path == "/forbidden") return Reply("403 Forbidden", "", "no");
    if (path == "/hook") {
      if (ww::testing::HttpServer::Header(request, "X-Fail") == "1") {
        return Reply("500 Internal Server Error", "", "database\nis down");
      }
      return Reply("202 Accepted", "", ww::testing::HttpServer::Body(request));
    }
    if (path == "/busy") return Reply("503 Service Unavailable", "Retry-After: 120\r\n", "later");
    if (path == "/slow") {
      std::this_thread::sleep_for(std::chrono::milliseconds(700));
      return Reply("200 OK", "", "late");
    }
    if (path == "/endless") {
      ww::testing::HttpServer::Response endless(
          "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n"
          "<rss><channel>");
      endless.repeat = std::string(16 << 10, ' ');
      return endless;
    }
    return Reply("404 Not Found", "", "missing");
  }

  ww::testing::HttpServer http_;
};

TEST(FetchHttpTest, OkConditionalAndHeaders) {
  CannedServer server;
  Request req = Local(server.Url("/feed"));
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
  EXPECT_THAT(server.LastRequest(), HasSubstr("If-Modified-Since: Tue, 02 Sep 2025 14:05:00 GMT"));
}

TEST(FetchHttpTest, Redirects) {
  CannedServer server;
  Request req = Local(server.Url("/redirect"));
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
  Request req = Local(server.Url("/nothing-here"));
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

TEST(FetchHttpTest, PostSendsTheBodyAndHeaders) {
  CannedServer server;
  Request req = Local(server.Url("/hook"));
  req.post_body = std::string(5000, 'b') + "{\"a\":1}";  // larger than curl's Expect limit
  req.headers = {"Content-Type: application/json", "webhook-id: msg_1"};
  absl::StatusOr<Response> resp = Fetch(req);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->status, 202);
  EXPECT_EQ(resp->body, *req.post_body);  // the server echoes what it received
  const std::string seen = server.LastRequest();
  EXPECT_THAT(seen, ::testing::StartsWith("POST /hook "));
  EXPECT_EQ(ww::testing::HttpServer::Header(seen, "webhook-id"), "msg_1");
  EXPECT_EQ(ww::testing::HttpServer::Header(seen, "content-type"), "application/json");
  EXPECT_THAT(seen, ::testing::Not(HasSubstr("application/rss+xml")));

  req.headers.push_back("X-Fail: 1");
  absl::Status failed = Fetch(req).status();
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(failed.message(), HasSubstr("HTTP 500 from 127.0.0.1"));
  EXPECT_THAT(failed.message(), HasSubstr(": database is down"));  // the answer, on one line

  req.url = server.Url("/redirect");  // a POST is not turned into a GET by a redirect
  EXPECT_EQ(Fetch(req).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(FetchHttpTest, RateLimitedCarriesRetryAfter) {
  CannedServer server;
  absl::Status st = Fetch(Local(server.Url("/ratelimited"))).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(st.message(), HasSubstr("HTTP 429"));
  EXPECT_EQ(RetryAfter(st), absl::Seconds(30));
}

TEST(FetchHttpTest, CompressedBodiesAreDecodedAndCapped) {
  CannedServer server;
  Request req = Local(server.Url("/gzip"));
  absl::StatusOr<Response> small = Fetch(req);
  ASSERT_TRUE(small.ok()) << small.status();
  EXPECT_EQ(small->body, std::string(1000, '\0'));

  // 64 MiB of zeros in about 64 KiB of gzip: the cap applies to the decoded size.
  req.url = server.Url("/bomb");
  req.max_bytes = 1 << 20;
  absl::Status bomb = Fetch(req).status();
  EXPECT_EQ(bomb.code(), absl::StatusCode::kResourceExhausted) << bomb;
}

TEST(FetchHttpTest, EndlessBodyStopsAtTheCap) {
  CannedServer server;
  Request req = Local(server.Url("/endless"));
  req.max_bytes = 256 << 10;
  absl::Status st = Fetch(req).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted) << st;
}

TEST(FetchHttpTest, EndlessBodyStopsAtTheTimeout) {
  CannedServer server;
  Request req = Local(server.Url("/endless"));
  req.max_bytes = size_t{1} << 40;
  req.total_timeout = absl::Milliseconds(300);
  absl::Status st = Fetch(req).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_THAT(st.message(), HasSubstr("timeout"));
}

TEST(FetchSsrfTest, LoopbackRefusedByDefault) {
  CannedServer server;
  Request req;
  req.url = server.Url("/feed");
  absl::Status st = Fetch(req).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied) << st;
  EXPECT_THAT(st.message(), HasSubstr("address 127.0.0.1 is loopback"));
}

TEST(FetchSsrfTest, RedirectsToNonPublicAddressesRefused) {
  CannedServer server;
  // 127.0.0.1 is allowed; what the redirects lead to is not.
  for (const char* path : {"/to-metadata", "/to-loopback2"}) {
    Request req = Local(server.Url(path));
    req.connect_timeout = absl::Seconds(2);
    absl::Status st = Fetch(req).status();
    EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied) << path << " " << st;
  }
  Request req = Local(server.Url("/to-metadata"));
  EXPECT_THAT(Fetch(req).status().message(),
              HasSubstr("169.254.169.254 is link-local (cloud metadata)"));
}

TEST(FetchSsrfTest, HostNamesAreJudgedByTheirResolvedAddress) {
  CannedServer server;
  Request req;  // "localhost" is not a public name: it resolves to loopback
  req.url = absl::StrCat("http://localhost:", server.Url("").substr(17));
  EXPECT_EQ(Fetch(req).status().code(), absl::StatusCode::kPermissionDenied);

  req = Local(server.Url("/to-localhost"));  // 127.0.0.1 allowed; ::1 would not be
  absl::StatusOr<Response> resp = Fetch(req);
  if (resp.ok()) EXPECT_EQ(resp->body, "<rss/>");  // localhost resolved to 127.0.0.1
}

TEST(FetchSsrfTest, AllowlistAdmitsNetworks) {
  CannedServer server;
  Request req;
  req.url = server.Url("/feed");
  req.address_policy = *AddressPolicy::Create({"127.0.0.0/8"});
  absl::StatusOr<Response> resp = Fetch(req);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->body, "<rss/>");
}

TEST(AddressPolicyTest, ClassifiesAddresses) {
  auto reason = [](const char* a) { return NonPublicReason(ParseNetwork(a)->address); };
  EXPECT_EQ(reason("8.8.8.8"), "");
  EXPECT_EQ(reason("2606:4700:4700::1111"), "");
  EXPECT_EQ(reason("127.0.0.1"), "loopback");
  EXPECT_EQ(reason("::1"), "loopback");
  EXPECT_EQ(reason("::ffff:127.0.0.1"), "loopback");
  EXPECT_EQ(reason("64:ff9b::a9fe:a9fe"), "link-local (cloud metadata)");
  EXPECT_EQ(reason("169.254.169.254"), "link-local (cloud metadata)");
  EXPECT_THAT(reason("10.1.2.3"), HasSubstr("private"));
  EXPECT_THAT(reason("172.31.0.1"), HasSubstr("private"));
  EXPECT_EQ(reason("172.32.0.1"), "");
  EXPECT_THAT(reason("192.168.1.1"), HasSubstr("private"));
  EXPECT_THAT(reason("fd00:ec2::254"), HasSubstr("unique local"));
  EXPECT_EQ(reason("fe80::1"), "link-local");
  EXPECT_EQ(reason("0.0.0.0"), "unspecified (0.0.0.0/8)");
  EXPECT_FALSE(ParseNetwork("10.0.0.0/33").ok());
  EXPECT_FALSE(ParseNetwork("example.com").ok());
  EXPECT_FALSE(AddressPolicy::Create({"nonsense"}).ok());
  AddressPolicy p = *AddressPolicy::Create({"10.0.0.0/8"});
  EXPECT_TRUE(p.Check(ParseNetwork("10.9.9.9")->address).ok());
  EXPECT_EQ(p.Check(ParseNetwork("192.168.0.1")->address).code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace ww::fetch
