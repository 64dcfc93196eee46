#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "libs/runtime/metrics.h"

namespace ww::runtime {
namespace {

TEST(Metrics, RendersTheTextExpositionFormat) {
  Metrics m;
  m.counter("ww_test_records_total", "records seen", {{"stage", "tagger"}}).Add(3);
  m.counter("ww_test_records_total", "records seen", {{"stage", "tagger"}}).Add();
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
  Metrics::Default().counter("ww_test_served_total", "for the test").Add(7);
  auto server = MetricsServer::Start("127.0.0.1:0");
  ASSERT_TRUE(server.ok()) << server.status();
  std::string resp = Get((*server)->port(), "/metrics");
  EXPECT_EQ(resp.rfind("HTTP/1.0 200 OK", 0), 0u) << resp;
  EXPECT_NE(resp.find("ww_test_served_total 7"), std::string::npos);
  EXPECT_NE(Get((*server)->port(), "/healthz").find("ok"), std::string::npos);
  EXPECT_NE(Get((*server)->port(), "/nope").find("404"), std::string::npos);
  EXPECT_FALSE(MetricsServer::Start("nonsense").ok());
}

}  // namespace
}  // namespace ww::runtime
