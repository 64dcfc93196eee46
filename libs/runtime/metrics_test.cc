#include "libs/runtime/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ww::runtime {
namespace {

TEST(Metrics, RendersTheTextExpositionFormat) {
  Metrics m;
  m.counter("ww_test_records_total", "records seen", {{"stage", "tagger"}}).Increment(3);
  m.counter("ww_test_records_total", "records seen", {{"stage", "tagger"}}).Increment();
  m.gauge("ww_test_lag", "lag", {{"topic", "a\"b"}}).Set(2.5);
  auto& h = m.histogram("ww_test_seconds", "latency", {}, {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);
  std::string text = m.Render();
  EXPECT_NE(text.find("# TYPE ww_test_records_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ww_test_records_total{stage=\"tagger\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ww_test_lag{topic=\"a\\\"b\"} 2.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ww_test_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ww_test_seconds_bucket{le=\"1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ww_test_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ww_test_seconds_count 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ww_test_seconds_sum 5.55\n"), std::string::npos) << text;
}

TEST(Metrics, HelpTextIsEscaped) {
  Metrics m;
  m.counter("ww_test_escaped_total", "a \\ and a\nnewline").Increment();
  std::string text = m.Render();
  EXPECT_NE(text.find("# HELP ww_test_escaped_total a \\\\ and a\\nnewline\n"), std::string::npos)
      << text;
}

TEST(Metrics, OneNameCannotBeTwoTypes) {
  Metrics m;
  m.counter("ww_test_shared", "a counter");
  EXPECT_THROW(m.gauge("ww_test_shared", "a gauge"), std::invalid_argument);
}

std::string Get(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return "";
  std::string req = "GET " + path + " HTTP/1.0\r\n\r\n";
  send(fd, req.data(), req.size(), 0);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, n);
  close(fd);
  return out;
}

TEST(MetricsServer, ServesMetricsOverHttpOnLoopback) {
  Metrics::Default().counter("ww_test_served_total", "for the test").Increment(7);
  auto server = MetricsServer::Start("127.0.0.1:0");
  ASSERT_TRUE(server.ok()) << server.status();
  std::string resp = Get((*server)->port(), "/metrics");
  EXPECT_NE(resp.find(" 200 OK"), std::string::npos) << resp;
  EXPECT_NE(resp.find("ww_test_served_total 7"), std::string::npos);
  std::string health = Get((*server)->port(), "/healthz");
  EXPECT_NE(health.find(" 200 OK"), std::string::npos) << health;
  EXPECT_NE(health.find("\r\n\r\nok\n"), std::string::npos) << health;
  EXPECT_NE(Get((*server)->port(), "/nope").find("404"), std::string::npos);
  EXPECT_FALSE(MetricsServer::Start("nonsense").ok());
  // A port that is taken is refused with a clear error, not a crash.
  auto second = MetricsServer::Start(absl::StrCat("127.0.0.1:", (*server)->port()));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
}

}  // namespace
}  // namespace ww::runtime
