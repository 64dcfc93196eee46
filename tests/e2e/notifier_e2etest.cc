// ww-notifier end to end: alerts of submitted articles delivered to a real HTTP receiver on
// loopback that fails every delivery twice before accepting it, each signed by the Standard
// Webhooks rule (checked here with OpenSSL, independently of libs/delivery); the notifier
// killed with SIGKILL mid-stream and restarted loses nothing and accepts nothing twice under
// two ids.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/feeds/feed.h"
#include "libs/fetch/fetch.h"
#include "tests/support/http_server.h"
#include "tests/support/pipeline.h"
#include "tests/support/process.h"
#include "tests/support/smtp_server.h"

namespace ww {
namespace {

using ::ww::testing::HttpServer;

constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// base64(HMAC-SHA256(base64-decoded secret, id.timestamp.body)), as the Standard Webhooks
// specification defines the v1 signature.
std::string ExpectedSignature(const std::string& id, const std::string& ts,
                              const std::string& body) {
  std::string key;
  EXPECT_TRUE(absl::Base64Unescape(std::string(kSecret).substr(6), &key));
  const std::string signed_content = id + "." + ts + "." + body;
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(signed_content.data()), signed_content.size(), mac,
       &len);
  return "v1," + absl::Base64Escape(std::string(reinterpret_cast<char*>(mac), len));
}

// A webhook receiver that answers 500 to the first two attempts of every webhook-id and 200
// to the third and later, and remembers what it accepted.
class Receiver {
 public:
  Receiver() : http_([this](const std::string& r) { return Handle(r); }) {}
  std::string Url() const { return http_.Url("/hooks/wirewatch"); }

  struct Accepted {
    std::string id, body;
    bool signature_valid = false;
    bool timestamp_fresh = false;
  };
  std::vector<Accepted> accepted() {
    absl::MutexLock lock(&mu_);
    return accepted_;
  }
  // Waits until every id in `ids` has been accepted at least once.
  bool WaitForAll(const std::set<std::string>& ids, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto done = [&] {
      std::set<std::string> got;
      for (const Accepted& a : accepted_) got.insert(a.id);
      for (const std::string& id : ids) {
        if (!got.contains(id)) return false;
      }
      return true;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  }
  bool WaitForAccepted(size_t n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto done = [&] { return accepted_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  }
  int attempts(const std::string& id) {
    absl::MutexLock lock(&mu_);
    return attempts_[id];
  }

 private:
  HttpServer::Response Handle(const std::string& request) {
    const std::string id = HttpServer::Header(request, "webhook-id");
    const std::string ts = HttpServer::Header(request, "webhook-timestamp");
    const std::string body = HttpServer::Body(request);
    absl::MutexLock lock(&mu_);
    if (++attempts_[id] <= 2) {
      return HttpServer::Reply("500 Internal Server Error", "", "try again");
    }
    int64_t t = 0;
    Accepted a{id, body,
               HttpServer::Header(request, "webhook-signature") == ExpectedSignature(id, ts, body),
               absl::SimpleAtoi(ts, &t) &&
                   absl::AbsDuration(absl::FromUnixSeconds(t) - absl::Now()) < absl::Minutes(5)};
    accepted_.push_back(std::move(a));
    return HttpServer::Reply("200 OK", "", "ok");
  }

  absl::Mutex mu_;
  std::map<std::string, int> attempts_ ABSL_GUARDED_BY(mu_);
  std::vector<Accepted> accepted_ ABSL_GUARDED_BY(mu_);
  HttpServer http_;  // last: stops before the state it uses goes
};

// A port nothing listens on now (the kernel's pick; free again once closed).
int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  close(fd);
  return ok ? ntohs(a.sin_port) : 0;
}

bool Listening(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

class NotifierTest : public ::ww::testing::PipelineTest {
 protected:
  NotifierTest() {
    extra_args_["notifier"] = {"--allow_networks=127.0.0.1/32", "--retry_initial=100ms",
                               "--retry_max=500ms", "--smtp_require_tls=false",
                               "--mail_from=Wirewatch <alerts@ww-e2e.example>"};
    setenv("E2E_SMTP_PASSWORD", "e2e-smtp-pw", 1);  // the notifier inherits it
  }
  void SetUp() override {
    PipelineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    feed_port_ = FreeLoopbackPort();
    extra_args_["notifier"].push_back(absl::StrCat("--feed_listen=127.0.0.1:", feed_port_));
    extra_args_["notifier"].push_back("--alerter=" + addr_["alerter"]);
    StartService("notifier");
  }

  int feed_port_ = 0;

  void ApplyDestination(const std::string& url) {
    ApplyDestinations("e2e-hook",
                      absl::StrCat("destinations:\n  - id: e2e-hook\n    type: webhook\n    url: ",
                                   url, "\n    secret: ", kSecret, "\n"));
  }

  void ApplyDestinations(const std::string& id, const std::string& yaml) {
    const std::string path =
        (std::filesystem::temp_directory_path() / (prefix_ + "destinations.yaml")).string();
    std::ofstream(path) << yaml;
    auto applied = Wwctl({"destinations", "apply", path});
    ASSERT_EQ(applied.exit_code, 0) << applied.out;
    auto listed = Wwctl({"destinations", "list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.out;
    EXPECT_NE(listed.out.find(id), std::string::npos) << listed.out;
    EXPECT_EQ(listed.out.find(kSecret), std::string::npos) << "list printed the secret";
    auto status = Wwctl({"status", "--notifier", addr_["notifier"], "--wait", "60s"});
    ASSERT_EQ(status.exit_code, 0) << status.out;
  }

  static std::string WebhookIdOf(const ww::v1::Alert& a) {
    return absl::StrCat("msg_", a.id(), "_v", a.version());
  }
};

TEST_F(NotifierTest, EveryAlertDeliveredOnceSignedThroughFailuresAndAKill) {
  Receiver receiver;
  ASSERT_NO_FATAL_FAILURE(ApplyDestination(receiver.Url()));
  ASSERT_EQ(Wwctl({"watchlist", "apply", Sample("watchlist.yaml")}).exit_code, 0);
  ::ww::testing::Subscriber sub(addr_["alerter"]);

  // One article: every alert delivered, each accepted once, through two failures each.
  Submit("kim-train.txt", "https://news.example/kim");
  // The sample watchlist raises four alerts on this article (alerts_e2etest counts them too).
  ASSERT_TRUE(sub.WaitForCount(4, absl::Seconds(60))) << sub.alerts().size();
  std::set<std::string> first;
  for (const auto& a : sub.alerts()) first.insert(WebhookIdOf(a));
  ASSERT_TRUE(receiver.WaitForAll(first, absl::Seconds(60)))
      << receiver.accepted().size() << " of " << first.size() << " accepted";
  for (const auto& a : receiver.accepted()) {
    EXPECT_TRUE(a.signature_valid) << a.id;
    EXPECT_TRUE(a.timestamp_fresh) << a.id;
    EXPECT_NE(a.body.find("\"title\""), std::string::npos) << a.body;
    EXPECT_EQ(receiver.attempts(a.id), 3) << a.id << ": accepted on the third attempt";
  }
  EXPECT_EQ(receiver.accepted().size(), first.size()) << "an alert was accepted twice";

  // More articles; the notifier is killed while it works through them, then restarted.
  const size_t before = receiver.accepted().size();
  Submit("pyongyang-ko.txt", "https://news.example/ko");
  Submit("vladivostok-forum-ru.txt", "https://news.example/ru");
  Submit("markets.txt", "https://news.example/markets");
  ASSERT_TRUE(receiver.WaitForAccepted(before + 1, absl::Seconds(60)));
  KillService("notifier");
  StartService("notifier");
  // Four alerts on the Korean story, two on the Russian one, none on markets.
  ASSERT_TRUE(sub.WaitForCount(first.size() + 6, absl::Seconds(60))) << sub.alerts().size();
  std::set<std::string> all;
  for (const auto& a : sub.alerts()) {
    if (a.version() == 1) all.insert(WebhookIdOf(a));  // no `updates: true`: firsts only
  }
  ASSERT_TRUE(receiver.WaitForAll(all, absl::Seconds(120)))
      << receiver.accepted().size() << " accepted, " << all.size() << " alerts";
  std::map<std::string, int> times;
  for (const auto& a : receiver.accepted()) {
    EXPECT_TRUE(a.signature_valid) << a.id;
    EXPECT_TRUE(all.contains(a.id)) << "accepted something that is not an alert: " << a.id;
    ++times[a.id];
  }
  // A repeat is possible only for the one delivery in flight at the kill (accepted, not yet
  // recorded), and it carries the same id: never one alert under two ids.
  int repeats = 0;
  for (const auto& [id, n] : times) repeats += n - 1;
  EXPECT_LE(repeats, 1);
  EXPECT_EQ(times.size(), all.size());
}

// An email destination: one mail per alert to a real SMTP server on loopback (AUTH with the
// password from the notifier's environment), each with the alert's stable Message-ID.
TEST_F(NotifierTest, EmailDestinationGetsOneMailPerAlert) {
  ::ww::testing::SmtpServer smtp({.user = "alerts", .password = "e2e-smtp-pw"});
  ApplyDestinations(
      "e2e-mail",
      absl::StrCat("destinations:\n  - id: e2e-mail\n    type: email\n    to: [desk@example.com]\n"
                   "    smtp: smtp://alerts@127.0.0.1:",
                   smtp.port(), "\n    secret_env: E2E_SMTP_PASSWORD\n"));
  ASSERT_EQ(Wwctl({"watchlist", "apply", Sample("watchlist.yaml")}).exit_code, 0);
  ::ww::testing::Subscriber sub(addr_["alerter"]);
  Submit("kim-train.txt", "https://news.example/kim");
  ASSERT_TRUE(sub.WaitForCount(4, absl::Seconds(60))) << sub.alerts().size();
  std::set<std::string> expected;
  for (const auto& a : sub.alerts()) {
    expected.insert(absl::StrCat("Message-ID: <", WebhookIdOf(a), "@ww-e2e.example>"));
  }
  ASSERT_TRUE(smtp.WaitForMails(expected.size(), absl::Seconds(60))) << smtp.mails().size();
  std::set<std::string> got;
  for (const auto& mail : smtp.mails()) {
    EXPECT_EQ(mail.user, "alerts");
    EXPECT_EQ(mail.to, std::vector<std::string>{"desk@example.com"});
    const size_t at = mail.data.find("Message-ID: ");
    ASSERT_NE(at, std::string::npos) << mail.data;
    got.insert(mail.data.substr(at, mail.data.find("\r\n", at) - at));
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(smtp.mails().size(), expected.size()) << "an alert was mailed twice";
}

// The decoded text/plain part of a MIME message as aiosmtpd's Mailbox stores it.
std::string TextPart(const std::string& mail) {
  const size_t part = mail.find("Content-Type: text/plain");
  if (part == std::string::npos) return "";
  const size_t body = mail.find("\n\n", part);
  const size_t end = mail.find("\n--", body);
  std::string b64;
  for (char c : mail.substr(body + 2, end - body - 2)) {
    if (c != '\r' && c != '\n') b64.push_back(c);
  }
  std::string text;
  absl::Base64Unescape(b64, &text);
  return text;
}

// An email digest through a real SMTP server, Debian's aiosmtpd, started here: the alerts of
// one article arrive together, each exactly once, and the mail names each story's first
// alert (References) so mail readers thread it.
TEST_F(NotifierTest, EmailDigestArrivesThroughARealSmtpServer) {
  const int port = FreeLoopbackPort();
  ASSERT_GT(port, 0);
  const std::filesystem::path maildir =
      std::filesystem::temp_directory_path() / (prefix_ + "maildir");
  ::ww::testing::Process smtpd(
      {"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", absl::StrCat("127.0.0.1:", port), "-c",
       "aiosmtpd.handlers.Mailbox", maildir.string()},
      (std::filesystem::temp_directory_path() / (prefix_ + "aiosmtpd.log")).string());
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!Listening(port) && smtpd.running() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(Listening(port))
      << "aiosmtpd did not start: /usr/bin/python3 -m aiosmtpd needs python3-aiosmtpd "
         "(tools/dev/setup installs it)";

  ApplyDestinations("e2e-digest",
                    absl::StrCat("destinations:\n  - id: e2e-digest\n    type: email\n"
                                 "    to: [desk@example.com]\n    smtp: smtp://127.0.0.1:",
                                 port, "\n    digest: 5s\n"));
  ASSERT_EQ(Wwctl({"watchlist", "apply", Sample("watchlist.yaml")}).exit_code, 0);
  ::ww::testing::Subscriber sub(addr_["alerter"]);
  Submit("kim-train.txt", "https://news.example/kim");
  ASSERT_TRUE(sub.WaitForCount(4, absl::Seconds(60))) << sub.alerts().size();
  std::set<std::string> expected;
  for (const auto& a : sub.alerts()) expected.insert(a.id());

  // Every alert in some mail: read the maildir as mails arrive.
  std::vector<std::string> mails;
  std::multiset<std::string> mailed;
  const absl::Time until = absl::Now() + absl::Seconds(60);
  while (absl::Now() < until) {
    mails.clear();
    mailed.clear();
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(maildir / "new", ec)) {
      std::ifstream in(f.path());
      std::stringstream s;
      s << in.rdbuf();
      mails.push_back(s.str());
      const std::string text = TextPart(mails.back());
      for (const std::string& id : expected) {
        for (size_t at = text.find("alert " + id + "\n"); at != std::string::npos;
             at = text.find("alert " + id + "\n", at + 1)) {
          mailed.insert(id);
        }
      }
    }
    if (std::set<std::string>(mailed.begin(), mailed.end()) == expected) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_EQ(std::set<std::string>(mailed.begin(), mailed.end()), expected)
      << mails.size() << " mail(s)";
  EXPECT_EQ(mailed.size(), expected.size()) << "an alert was mailed twice";
  EXPECT_LT(mails.size(), expected.size()) << "alerts owed together were not mailed together";
  for (const std::string& m : mails) {
    EXPECT_NE(m.find("X-RcptTo: desk@example.com"), std::string::npos) << m;
    EXPECT_NE(m.find("References: <msg_"), std::string::npos) << m;
    EXPECT_NE(m.find("Subject: [Wirewatch] "), std::string::npos) << m;
  }
}

// The Atom feed of alerts, served by the notifier from the alerter's ListAlerts: read with
// Wirewatch's own feed parser, as a feed reader would, whole and filtered.
TEST_F(NotifierTest, AtomFeedListsTheAlertsAsAFeedReaderSeesThem) {
  ASSERT_EQ(Wwctl({"watchlist", "apply", Sample("watchlist.yaml")}).exit_code, 0);
  ::ww::testing::Subscriber sub(addr_["alerter"]);
  Submit("kim-train.txt", "https://news.example/kim");
  ASSERT_TRUE(sub.WaitForCount(4, absl::Seconds(60))) << sub.alerts().size();
  std::set<std::string> all, vladivostok;
  for (const auto& a : sub.alerts()) {
    all.insert("urn:wirewatch:alert:" + a.id());
    for (const auto& e : a.entity_ids()) {
      if (e == "vladivostok") vladivostok.insert("urn:wirewatch:alert:" + a.id());
    }
  }
  ASSERT_FALSE(vladivostok.empty());
  ASSERT_LT(vladivostok.size(), all.size());
  auto read = [&](const std::string& query) -> std::set<std::string> {
    fetch::Request r;
    r.url = absl::StrCat("http://127.0.0.1:", feed_port_, "/alerts.atom", query);
    r.address_policy = *fetch::AddressPolicy::Create({"127.0.0.1/32"});
    r.total_timeout = absl::Seconds(60);
    auto got = fetch::Fetch(r);
    EXPECT_TRUE(got.ok()) << got.status();
    if (!got.ok()) return {};
    auto feed = feeds::ParseFeed(got->body, got->content_type);
    EXPECT_TRUE(feed.ok()) << feed.status();
    if (!feed.ok()) return {};
    EXPECT_EQ(feed->format, "atom1.0");
    std::set<std::string> ids;
    for (const auto& item : feed->items) ids.insert(item.id);
    return ids;
  };
  EXPECT_EQ(read(""), all);
  EXPECT_EQ(read("?entity=vladivostok&since=1h"), vladivostok);
  std::set<std::string> high;
  for (const auto& a : sub.alerts()) {
    if (a.severity() == "high" || a.severity() == "critical") {
      high.insert("urn:wirewatch:alert:" + a.id());
    }
  }
  EXPECT_EQ(read("?min_severity=high"), high);
}

}  // namespace
}  // namespace ww
