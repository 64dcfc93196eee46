#include "tests/support/smtp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ww::testing {
namespace {

// Reads CRLF-terminated lines from a socket (a line is returned without its CRLF).
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  std::optional<std::string> Next() {
    while (true) {
      size_t at = buffer_.find("\r\n");
      if (at != std::string::npos) {
        std::string line = buffer_.substr(0, at);
        buffer_.erase(0, at + 2);
        return line;
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 10'000) <= 0) return std::nullopt;  // a silent client is dropped
      char chunk[4096];
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buffer_;
};

void Say(int fd, const std::string& line) {
  const std::string out = line + "\r\n";
  (void)send(fd, out.data(), out.size(), MSG_NOSIGNAL);
}

std::string Address(const std::string& arg) {
  size_t open = arg.find('<'), close = arg.find('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return arg;
  return arg.substr(open + 1, close - open - 1);
}

}  // namespace

SmtpServer::SmtpServer(Options options) : options_(std::move(options)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      listen(listen_fd_, 16) != 0) {
    return;
  }
  socklen_t len = sizeof a;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

SmtpServer::~SmtpServer() {
  stop_ = true;
  if (listen_fd_ >= 0) shutdown(listen_fd_, SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

std::string SmtpServer::Url() const { return absl::StrCat("smtp://127.0.0.1:", port_); }

std::vector<SmtpServer::Mail> SmtpServer::mails() {
  std::lock_guard<std::mutex> lock(mu_);
  return mails_;
}

bool SmtpServer::WaitForMails(size_t n, absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                           [&] { return mails_.size() >= n; });
}

void SmtpServer::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    Session(fd);
    close(fd);
  }
}

void SmtpServer::Session(int fd) {
  LineReader in(fd);
  const bool auth_required = !options_.user.empty();
  std::string user;
  Mail mail;
  Say(fd, "220 wirewatch-test ESMTP");
  while (auto line = in.Next()) {
    const std::string verb = absl::AsciiStrToUpper(line->substr(0, line->find(' ')));
    const std::string arg =
        line->find(' ') == std::string::npos ? "" : line->substr(line->find(' ') + 1);
    if (verb == "EHLO") {
      Say(fd, "250-wirewatch-test");
      if (auth_required) Say(fd, "250-AUTH PLAIN");
      Say(fd, "250 8BITMIME");
    } else if (verb == "HELO" || verb == "NOOP") {
      Say(fd, "250 ok");
    } else if (verb == "AUTH") {
      std::string initial = arg.size() > 6 ? arg.substr(6) : "";  // "PLAIN <base64>"
      if (!absl::StartsWith(absl::AsciiStrToUpper(arg), "PLAIN")) {
        Say(fd, "504 5.5.4 only PLAIN");
        continue;
      }
      if (initial.empty()) {
        Say(fd, "334 ");
        auto next = in.Next();
        if (!next) return;
        initial = *next;
      }
      std::string decoded;
      absl::Base64Unescape(initial, &decoded);
      std::vector<std::string> parts = absl::StrSplit(decoded, '\0');
      if (parts.size() == 3 && parts[1] == options_.user && parts[2] == options_.password) {
        user = parts[1];
        Say(fd, "235 2.7.0 authenticated");
      } else {
        Say(fd, "535 5.7.8 credentials refused");
      }
    } else if (verb == "MAIL") {
      if (auth_required && user.empty()) {
        Say(fd, "530 5.7.0 authentication required");
        continue;
      }
      mail = Mail{Address(arg), {}, "", user};
      Say(fd, "250 ok");
    } else if (verb == "RCPT") {
      const std::string to = Address(arg);
      if (options_.refuse_rcpt.contains(to)) {
        Say(fd, "550 5.1.1 no such mailbox");
      } else {
        mail.to.push_back(to);
        Say(fd, "250 ok");
      }
    } else if (verb == "DATA") {
      if (mail.to.empty()) {
        Say(fd, "554 5.5.1 no valid recipients");
        continue;
      }
      Say(fd, "354 end with <CRLF>.<CRLF>");
      std::string data;
      while (true) {
        auto l = in.Next();
        if (!l) return;
        if (*l == ".") break;
        absl::StrAppend(&data, absl::StartsWith(*l, ".") ? l->substr(1) : *l, "\r\n");
      }
      mail.data = std::move(data);
      Say(fd, options_.data_reply);
      if (absl::StartsWith(options_.data_reply, "2")) {
        std::lock_guard<std::mutex> lock(mu_);
        mails_.push_back(mail);
        changed_.notify_all();
      }
      mail = Mail{};
    } else if (verb == "RSET") {
      mail = Mail{};
      Say(fd, "250 ok");
    } else if (verb == "QUIT") {
      Say(fd, "221 bye");
      return;
    } else {
      Say(fd, "502 5.5.2 not implemented");
    }
  }
}

}  // namespace ww::testing
