#include "libs/runtime/config_file.h"

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "libs/runtime/config.h"

namespace ww::runtime {
namespace {

std::string Strip(absl::string_view s) { return std::string(absl::StripAsciiWhitespace(s)); }

}  // namespace

absl::StatusOr<std::vector<ConfigEntry>> ParseConfigText(std::string_view text,
                                                         std::string_view where) {
  std::vector<ConfigEntry> out;
  int n = 0;
  for (absl::string_view raw : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++n;
    const std::string line = Strip(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    const size_t sep = line.find_first_of("=:");
    if (sep == std::string::npos || sep == 0) {
      return absl::InvalidArgumentError(absl::StrCat(absl::string_view(where.data(), where.size()),
                                                     ":", n,
                                                     ": expected 'key = value' or 'key: value'"));
    }
    std::string key = Strip(line.substr(0, sep));
    std::string value = Strip(line.substr(sep + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (absl::StartsWith(key, "kafka.")) {  // a librdkafka property: its dots are its own
      out.push_back({"kafka_property", absl::StrCat(key.substr(6), "=", value), n});
      continue;
    }
    out.push_back({absl::StrReplaceAll(key, {{"-", "_"}}), std::move(value), n});
  }
  return out;
}

absl::StatusOr<std::vector<ConfigEntry>> ReadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfigText(text.str(), path);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> MergeKeyValues(
    const std::vector<std::vector<std::string>>& sources_weakest_first) {
  std::vector<std::string> keys;
  std::map<std::string, std::string> value;
  for (const auto& source : sources_weakest_first) {
    for (const std::string& kv : source) {
      auto pair = ParseKeyValue(kv);
      if (!pair.ok()) return pair.status();
      if (!value.contains(pair->first)) keys.push_back(pair->first);
      value[pair->first] = std::move(pair->second);
    }
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& k : keys) out.emplace_back(k, value[k]);
  return out;
}

}  // namespace ww::runtime
