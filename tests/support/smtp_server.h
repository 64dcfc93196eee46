#pragma once
// A loopback SMTP server for tests: speaks enough ESMTP (EHLO, AUTH PLAIN, MAIL, RCPT, DATA,
// RSET, NOOP, QUIT) for libcurl to deliver to it, records every mail, and can be told to
// refuse credentials, recipients or the data. No STARTTLS (it does not advertise it), so a
// client must be allowed plaintext. One session at a time, on the server's own thread.
// Thread-safe.
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"

namespace ww::testing {

class SmtpServer {
 public:
  struct Mail {
    std::string from;             // MAIL FROM address, without <>
    std::vector<std::string> to;  // RCPT TO addresses accepted
    std::string data;             // the message, dots un-stuffed, CRLF line ends
    std::string user;             // AUTH PLAIN identity, when the client authenticated
  };
  struct Options {
    // When set, EHLO advertises AUTH PLAIN and only these credentials are accepted (535
    // otherwise), and MAIL is refused (530) before authentication.
    std::string user, password;
    std::set<std::string> refuse_rcpt;            // answered "550 5.1.1 no such mailbox"
    std::string data_reply = "250 2.0.0 queued";  // the answer to the end of DATA
  };

  explicit SmtpServer(Options options);
  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  int port() const { return port_; }
  std::string Url() const;  // "smtp://127.0.0.1:<port>"
  std::vector<Mail> mails();
  // Waits until `n` mails have been accepted; false on timeout.
  bool WaitForMails(size_t n, absl::Duration timeout);

 private:
  void Serve();
  void Session(int fd);

  Options options_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<Mail> mails_;
  std::thread thread_;
};

}  // namespace ww::testing
