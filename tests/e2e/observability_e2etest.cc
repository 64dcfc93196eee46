// What an operator sees of a running pipeline (issue 8): every service's /metrics passes
// `promtool check metrics` and a real Prometheus server scrapes them and answers queries
// with the same figures; a W3C traceparent sent with an article is on every record derived
// from it, down to the alert; health distinguishes liveness from readiness.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/kafka/reader.h"
#include "libs/rpc/server.h"
#include "libs/runtime/trace.h"
#include "nlohmann/json.hpp"
#include "tests/support/pipeline.h"
#include "tests/support/process.h"
#include "ww/v1/ingest.grpc.pb.h"

namespace ww {
namespace {

using ::ww::testing::HttpGet;
using ::ww::testing::PipelineTest;
using ::ww::testing::Subscriber;

const char* const kServices[] = {"ingestor", "deduper", "tagger", "alerter"};

// The body of an HTTP response ("" when there is none).
std::string Body(const std::string& response) {
  size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return 0;
  }
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// The executable `name` on PATH ("" when there is none).
std::string OnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "/usr/bin", ':')) {
    std::string candidate = absl::StrCat(dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += absl::StrFormat("%%%02X", c);
    }
  }
  return out;
}

// The value of one sample `name{labels...}` in a text exposition, summed over every
// series whose labels include all of `labels`.
double Scraped(const std::string& exposition, const std::string& name,
               const std::map<std::string, std::string>& labels = {}) {
  double sum = 0;
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    const std::string l(line);
    if (l.compare(0, name.size(), name) != 0) continue;
    const char next = l.size() > name.size() ? l[name.size()] : '\0';
    if (next != '{' && next != ' ') continue;
    bool match = true;
    for (const auto& [k, v] : labels)
      match = match && l.find(absl::StrCat(k, "=\"", v, "\"")) != std::string::npos;
    double x = 0;
    if (match && absl::SimpleAtod(l.substr(l.rfind(' ') + 1), &x)) sum += x;
  }
  return sum;
}

class ObservabilityTest : public PipelineTest {
 protected:
  void RaiseSeedAlerts() {
    auto applied = Wwctl({"watchlist", "apply", src_ + "/samples/watchlist.yaml"});
    ASSERT_EQ(applied.exit_code, 0) << applied.out;
    Subscriber sub(addr_["alerter"]);
    ASSERT_FALSE(Submit("kim-train.txt", "https://news.example/world/kim-train").empty());
    ASSERT_TRUE(
        sub.WaitForEntities({"kim-jong-un", "vladivostok", "vladimir-putin"}, absl::Seconds(60)))
        << "alerts received: " << sub.alerts().size();
  }

  // Waits until the alerter's committed output shows in its end-to-end histogram.
  std::string AlerterMetricsOnceCommitted() {
    std::string m;
    for (int i = 0; i < 100; ++i) {
      m = Body(Metrics("alerter"));
      if (Scraped(m, "ww_end_to_end_seconds_count", {{"topic", prefix_ + "alerts"}}) > 0) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return m;
  }
};

TEST_F(ObservabilityTest, EveryServicesMetricsPassPromtoolAndShowTheWorkDone) {
  RaiseSeedAlerts();
  const std::string alerter = AlerterMetricsOnceCommitted();
  // From publish to alert: one observation per alert written, each well under a minute.
  const double alerts =
      Scraped(alerter, "ww_end_to_end_seconds_count", {{"topic", prefix_ + "alerts"}});
  EXPECT_GE(alerts, 3) << alerter;
  EXPECT_EQ(Scraped(alerter, "ww_end_to_end_seconds_bucket",
                    {{"topic", prefix_ + "alerts"}, {"le", "60"}}),
            alerts);
  EXPECT_GE(Scraped(alerter, "ww_alerts_raised_total"), 3);

  for (const char* service : kServices) {
    const std::string body = Body(Metrics(service));
    ASSERT_FALSE(body.empty()) << service << " serves no metrics";
    const std::string file = absl::StrCat(bin_, "/../test-logs/", prefix_, service, ".metrics");
    std::ofstream(file) << body;
    auto lint = ::ww::testing::Run(
        {OnPath("bash"), "-c", absl::StrCat("promtool check metrics < '", file, "' 2>&1")});
    EXPECT_EQ(lint.exit_code, 0) << service << ": promtool check metrics says\n" << lint.out;
  }
}

TEST_F(ObservabilityTest, PrometheusScrapesTheStackAndAnswersWithTheSameFigures) {
  RaiseSeedAlerts();
  AlerterMetricsOnceCommitted();
  const std::string dir = absl::StrCat(bin_, "/../test-logs/", prefix_, "prometheus");
  std::filesystem::create_directories(dir);
  {
    std::ofstream cfg(dir + "/prometheus.yml");
    cfg << "global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n";
    for (const char* service : kServices) {
      cfg << "  - job_name: " << service
          << "\n    static_configs:\n      - targets: ['127.0.0.1:" << metrics_port_[service]
          << "']\n";
    }
  }
  const std::string binary = OnPath("prometheus");
  ASSERT_FALSE(binary.empty())
      << "no prometheus on PATH: tools/dev/setup installs Debian's package";
  const int port = FreePort();
  ::ww::testing::Process prometheus(
      {binary, "--config.file=" + dir + "/prometheus.yml", "--storage.tsdb.path=" + dir + "/data",
       absl::StrCat("--web.listen-address=127.0.0.1:", port)},
      dir + "/prometheus.log");

  // Every target up, then the tagger's committed input and the alerts raised, as the
  // services themselves report them.
  auto query = [&](const std::string& promql) -> std::optional<double> {
    const std::string body = Body(HttpGet(port, "/api/v1/query?query=" + UrlEncode(promql)));
    auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || json.value("status", "") != "success") return std::nullopt;
    const auto& result = json["data"]["result"];
    if (!result.is_array() || result.empty()) return std::nullopt;
    double x = 0;
    if (!absl::SimpleAtod(result[0]["value"][1].get<std::string>(), &x)) return std::nullopt;
    return x;
  };
  const double tagged = Scraped(Body(Metrics("tagger")), "ww_records_in_total");
  const double raised = Scraped(Body(Metrics("alerter")), "ww_alerts_raised_total");
  ASSERT_GT(tagged, 0);
  std::optional<double> up, tagged_seen, raised_seen;
  for (absl::Time deadline = absl::Now() + absl::Seconds(60); absl::Now() < deadline;) {
    up = query("sum(up)");
    tagged_seen = query("sum(ww_records_in_total{job=\"tagger\"})");
    raised_seen = query("sum(ww_alerts_raised_total)");
    if (up == 4 && tagged_seen == tagged && raised_seen == raised) break;
    absl::SleepFor(absl::Milliseconds(500));
  }
  EXPECT_EQ(up, 4.0) << "see " << dir << "/prometheus.log";
  EXPECT_EQ(tagged_seen, tagged);
  EXPECT_EQ(raised_seen, raised);
  auto p99 = query(
      absl::StrCat("histogram_quantile(0.99, sum by (le) (ww_end_to_end_seconds_bucket{topic=\"",
                   prefix_, "alerts\"}))"));
  ASSERT_TRUE(p99.has_value()) << "no end-to-end latency for alerts in Prometheus";
  EXPECT_GT(*p99, 0);
  EXPECT_LE(*p99, 60);
  prometheus.Stop();
}

TEST_F(ObservabilityTest, TraceparentFollowsAnArticleThroughEveryTopicToItsAlerts) {
  auto applied = Wwctl({"watchlist", "apply", src_ + "/samples/watchlist.yaml"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out;
  Subscriber sub(addr_["alerter"]);

  // A caller that traces its own work passes its traceparent with the article.
  const std::string caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string caller = absl::StrCat("00-", caller_trace, "-00f067aa0ba902b7-01");
  auto stub = ww::v1::IngestService::NewStub(
      grpc::CreateChannel(addr_["ingestor"], grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.AddMetadata("traceparent", caller);
  ww::v1::SubmitRequest req;
  req.set_title("Kim's train");
  req.set_source("trace");
  req.set_url("https://news.example/traced");
  std::ifstream in(Sample("articles/kim-train.txt"));
  req.set_text(std::string(std::istreambuf_iterator<char>(in), {}));
  ww::v1::SubmitResponse resp;
  ASSERT_TRUE(stub->Submit(&ctx, req, &resp).ok());
  ASSERT_TRUE(sub.WaitForEntities({"kim-jong-un"}, absl::Seconds(60)));

  // On every topic the article went through, its records carry the caller's trace id, a
  // span of their own, and the ingest time.
  for (const std::string topic : {"articles.raw", "articles.unique", "articles.tagged", "alerts"}) {
    auto reader =
        kafka::TopicReader::Create(client_, prefix_ + topic, kafka::StartFrom::kBeginning);
    ASSERT_TRUE(reader.ok()) << reader.status();
    std::set<std::string> spans;
    int records = 0;
    for (int i = 0; i < 20 && !(*reader)->caught_up(); ++i) {
      for (const kafka::Record& r : (*reader)->Poll(absl::Milliseconds(500))) {
        ++records;
        auto tp = r.header(runtime::kTraceparentHeader);
        ASSERT_TRUE(tp.has_value()) << topic << " record " << r.offset << " has no traceparent";
        auto parsed = runtime::TraceContext::Parse(*tp);
        ASSERT_TRUE(parsed.has_value()) << topic << ": " << *tp;
        EXPECT_EQ(parsed->trace_id, caller_trace) << topic;
        EXPECT_NE(parsed->span_id, "00f067aa0ba902b7") << topic << ": a span of its own";
        spans.insert(parsed->span_id);
        EXPECT_TRUE(r.header(kafka::kHeaderIngestedMs).has_value()) << topic;
      }
    }
    EXPECT_GT(records, 0) << "nothing on " << topic;
  }

  // The alerter logs each alert it raised with the article's trace id, once committed.
  const std::string alerter_log = absl::StrCat(bin_, "/../test-logs/", prefix_, "alerter.log");
  bool logged = false;
  for (int i = 0; i < 50 && !logged; ++i) {
    std::ifstream log(alerter_log);
    for (std::string line; std::getline(log, line);) {
      logged = logged || (absl::StrContains(line, "alert raised") &&
                          line.find(caller_trace) != std::string::npos);
    }
    if (!logged) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(logged) << "no 'alert raised' line with trace id " << caller_trace << " in "
                      << alerter_log;

  // wwctl trace finds the article's path from its id.
  auto traced = Wwctl({"trace", resp.article_id()});
  ASSERT_EQ(traced.exit_code, 0) << traced.out;
  EXPECT_NE(traced.out.find(caller_trace), std::string::npos) << traced.out;
  for (const std::string topic :
       {"articles.raw", "dedup.claims", "articles.unique", "articles.tagged", "alerts"}) {
    EXPECT_NE(traced.out.find(prefix_ + topic), std::string::npos) << topic << " missing:\n"
                                                                   << traced.out;
  }
}

TEST_F(ObservabilityTest, LivenessAndReadinessAreSeparateHealthServices) {
  using grpc::health::v1::HealthCheckRequest;
  using grpc::health::v1::HealthCheckResponse;
  auto check = [](const std::string& addr, const std::string& service) {
    auto stub = grpc::health::v1::Health::NewStub(
        grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    HealthCheckRequest req;
    req.set_service(service);
    HealthCheckResponse resp;
    grpc::Status s = stub->Check(&ctx, req, &resp);
    return s.ok() ? resp.status() : HealthCheckResponse::UNKNOWN;
  };
  for (const char* service : kServices) {
    EXPECT_EQ(check(addr_[service], ""), HealthCheckResponse::SERVING) << service;
    EXPECT_EQ(check(addr_[service], rpc::kLivenessService), HealthCheckResponse::SERVING)
        << service;
  }

  // A deduper whose broker does not answer is alive (restarting it would not help) but not
  // ready (it has joined no group), so it gets no traffic and no restart loop; it still
  // stops promptly and cleanly.
  const std::string log = absl::StrCat(bin_, "/../test-logs/", prefix_, "lonely-deduper.log");
  ::ww::testing::Process lonely(
      {bin_ + "/ww-deduper", "--bootstrap_servers=127.0.0.1:1", "--topic_prefix=" + prefix_,
       "--grpc_listen=127.0.0.1:0", "--instance_id=" + prefix_ + "lonely"},
      log);
  const std::string line = lonely.WaitForLine("grpc port", absl::Seconds(30));
  ASSERT_FALSE(line.empty()) << "see " << log;
  const std::string addr = "127.0.0.1:" + line.substr(line.rfind(' ') + 1);
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(check(addr, rpc::kLivenessService), HealthCheckResponse::SERVING);
  EXPECT_EQ(check(addr, ""), HealthCheckResponse::NOT_SERVING);
  const absl::Time stopping = absl::Now();
  EXPECT_EQ(lonely.Stop(), 0) << "see " << log;
  EXPECT_LT(absl::Now() - stopping, absl::Seconds(8)) << "a shutdown waited out the broker";
}

}  // namespace
}  // namespace ww
