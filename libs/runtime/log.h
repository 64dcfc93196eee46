#pragma once
// Structured logging: one JSON object a line on stderr, with time, level, logger name,
// message and fields. One named Logger per module. Thread-safe (lines never interleave).
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ww::runtime {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// A field value is rendered as a JSON string unless it is numeric.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, const char* v) : key(k), value(v), quoted(true) {}
  template <typename N>
  requires std::is_arithmetic_v<N> LogField(std::string_view k, N v)
      : key(k), value(absl::StrCat(v)), quoted(false) {}
  std::string key;
  std::string value;
  bool quoted;
};

class Logger {
 public:
  explicit Logger(std::string name) : name_(std::move(name)) {}
  void Debug(std::string_view msg, std::initializer_list<LogField> f = {}) const {
    Write(LogLevel::kDebug, msg, f);
  }
  void Info(std::string_view msg, std::initializer_list<LogField> f = {}) const {
    Write(LogLevel::kInfo, msg, f);
  }
  void Warn(std::string_view msg, std::initializer_list<LogField> f = {}) const {
    Write(LogLevel::kWarn, msg, f);
  }
  void Error(std::string_view msg, std::initializer_list<LogField> f = {}) const {
    Write(LogLevel::kError, msg, f);
  }
  void Write(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) const;

 private:
  std::string name_;
};

// For a line that repeats when something outside is down (every request of an outage fails
// the same way): lets one through per `interval` and counts the ones held back, for the
// next line to report. Thread-safe.
class LogLimiter {
 public:
  explicit LogLimiter(std::chrono::steady_clock::duration interval = std::chrono::seconds(1))
      : interval_(interval) {}
  // True when this line is to be written; *held_back = lines not written since the last one.
  bool Allow(int64_t* held_back) { return AllowAt(std::chrono::steady_clock::now(), held_back); }
  bool AllowAt(std::chrono::steady_clock::time_point now, int64_t* held_back) {
    std::lock_guard<std::mutex> lock(mu_);
    if (now < next_) {
      ++held_;
      return false;
    }
    next_ = now + interval_;
    *held_back = held_;
    held_ = 0;
    return true;
  }

 private:
  const std::chrono::steady_clock::duration interval_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point next_{};
  int64_t held_ = 0;
};

// Lines below this level are dropped. Default: kInfo, or WW_LOG_LEVEL=debug|info|warn|error.
void SetLogLevel(LogLevel level);

}  // namespace ww::runtime
