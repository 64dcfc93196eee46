#include "libs/runtime/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/runtime/json.h"

namespace ww::runtime {
namespace {

LogLevel InitialLevel() {
  const char* env = std::getenv("WW_LOG_LEVEL");
  if (env == nullptr) return LogLevel::kInfo;
  if (std::strcmp(env, "debug") == 0) return LogLevel::kDebug;
  if (std::strcmp(env, "warn") == 0) return LogLevel::kWarn;
  if (std::strcmp(env, "error") == 0) return LogLevel::kError;
  return LogLevel::kInfo;
}

std::atomic<LogLevel>& Level() {
  static std::atomic<LogLevel> level{InitialLevel()};
  return level;
}

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// A numeric field's value was rendered by absl::StrCat: read it back as a JSON number (a
// non-finite one, which JSON cannot hold, stays a string).
nlohmann::ordered_json FieldValue(const LogField& f) {
  if (!f.quoted) {
    auto number = nlohmann::ordered_json::parse(f.value, nullptr, /*allow_exceptions=*/false);
    if (number.is_number()) return number;
  }
  return f.value;
}

absl::Mutex& WriteMutex() {
  static absl::Mutex mu;
  return mu;
}

}  // namespace

void SetLogLevel(LogLevel level) { Level().store(level); }

void Logger::Write(LogLevel level, std::string_view msg,
                   std::initializer_list<LogField> fields) const {
  if (level < Level().load(std::memory_order_relaxed)) return;
  nlohmann::ordered_json json = {
      {"ts", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone())},
      {"level", LevelName(level)},
      {"logger", name_},
      {"msg", msg}};
  for (const LogField& f : fields) json.emplace(f.key, FieldValue(f));  // the first key wins
  const std::string line = ToJsonLine(json) + "\n";
  absl::MutexLock lock(&WriteMutex());
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace ww::runtime
