// What every Kafka command of wwctl shares: the connection from the global options.
#include "absl/strings/str_split.h"
#include "tools/wwctl/commands.h"

namespace ww::wwctl {

kafka::ClientConfig KafkaClient(const ParsedArgs& a) {
  kafka::ClientConfig c;
  c.bootstrap_servers = a.value("bootstrap-servers");
  for (const std::string& kv : a.values("kafka-property")) {
    std::pair<std::string, std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
    c.properties[p.first] = p.second;  // the parser checked KEY=VALUE and merged the sources
  }
  return c;
}

}  // namespace ww::wwctl
