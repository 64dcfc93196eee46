#include "libs/fetch/mail.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/support/smtp_server.h"

namespace ww::fetch {
namespace {

using ::ww::testing::SmtpServer;

AddressPolicy Loopback() { return *AddressPolicy::Create({"127.0.0.1/32"}); }

MailRequest To(const SmtpServer& server) {
  MailRequest r;
  r.server = server.Url();
  r.require_tls = false;  // the test server has no TLS
  r.from = "alerts@wirewatch.test";
  r.to = {"desk@example.com", "night@example.com"};
  r.message =
      "From: alerts@wirewatch.test\nTo: desk@example.com\nSubject: hi\n\nline one\n"
      ".a line that starts with a dot\n.\nlast\n";
  r.address_policy = Loopback();
  r.total_timeout = absl::Seconds(10);
  return r;
}

TEST(SendMailTest, DeliversEnvelopeAndMessageWithDotsIntact) {
  SmtpServer server({});
  absl::StatusOr<std::string> sent = SendMail(To(server));
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, "SMTP 250");
  ASSERT_TRUE(server.WaitForMails(1, absl::Seconds(5)));
  const SmtpServer::Mail mail = server.mails().at(0);
  EXPECT_EQ(mail.from, "alerts@wirewatch.test");
  EXPECT_EQ(mail.to, (std::vector<std::string>{"desk@example.com", "night@example.com"}));
  // What the reader gets back: CRLF line ends, and the lines that start with a dot (even a
  // lone one, which would otherwise end the message) as they were written.
  EXPECT_EQ(mail.data,
            "From: alerts@wirewatch.test\r\nTo: desk@example.com\r\nSubject: hi\r\n\r\nline "
            "one\r\n.a line that starts with a dot\r\n.\r\nlast\r\n");
}

TEST(SendMailTest, AuthenticatesWithTheUrlUserAndThePassword) {
  SmtpServer server({.user = "alerts", .password = "s3cret"});
  MailRequest r = To(server);
  r.server = "smtp://alerts@127.0.0.1:" + std::to_string(server.port());
  r.password = "s3cret";
  absl::StatusOr<std::string> sent = SendMail(r);
  ASSERT_TRUE(sent.ok()) << sent.status();
  ASSERT_TRUE(server.WaitForMails(1, absl::Seconds(5)));
  EXPECT_EQ(server.mails().at(0).user, "alerts");

  r.password = "wrong";
  absl::StatusOr<std::string> refused = SendMail(r);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied) << refused.status();
  EXPECT_EQ(server.mails().size(), 1u);
}

TEST(SendMailTest, A5xxIsFinalAnd4xxIsWorthRetrying) {
  SmtpServer refusing({.refuse_rcpt = {"desk@example.com"}});
  MailRequest r = To(refusing);
  r.to = {"desk@example.com"};
  absl::StatusOr<std::string> sent = SendMail(r);
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kFailedPrecondition) << sent.status();
  EXPECT_TRUE(absl::StrContains(sent.status().message(), "550")) << sent.status();

  SmtpServer busy({.data_reply = "451 4.3.0 try again later"});
  absl::StatusOr<std::string> later = SendMail(To(busy));
  EXPECT_EQ(later.status().code(), absl::StatusCode::kUnavailable) << later.status();
  EXPECT_TRUE(busy.mails().empty());
}

TEST(SendMailTest, RequiresStartTlsUnlessToldOtherwise) {
  SmtpServer server({});
  MailRequest r = To(server);
  r.require_tls = true;
  absl::StatusOr<std::string> sent = SendMail(r);
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kFailedPrecondition) << sent.status();
  EXPECT_TRUE(absl::StrContains(sent.status().message(), "STARTTLS")) << sent.status();
  EXPECT_TRUE(server.mails().empty());
}

TEST(SendMailTest, TheAddressPolicyGuardsTheServer) {
  SmtpServer server({});
  MailRequest r = To(server);
  r.address_policy = AddressPolicy();  // public addresses only
  absl::StatusOr<std::string> sent = SendMail(r);
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kPermissionDenied) << sent.status();
  EXPECT_TRUE(server.mails().empty());
}

TEST(SendMailTest, RefusesWhatIsNotAnSmtpUrl) {
  MailRequest r;
  r.server = "https://mail.example.com";
  r.to = {"a@example.com"};
  EXPECT_EQ(SendMail(r).status().code(), absl::StatusCode::kInvalidArgument);
  r.server = "smtp://mail.example.com";
  r.to = {};
  EXPECT_EQ(SendMail(r).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ww::fetch
