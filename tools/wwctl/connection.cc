// What every Kafka command of wwctl shares: the connection from the global options.
#include "libs/runtime/config.h"
#include "tools/wwctl/commands.h"

namespace ww::wwctl {

kafka::ClientConfig KafkaClient(const ParsedArgs& a) {
  kafka::ClientConfig c;
  c.bootstrap_servers = a.value("bootstrap-servers");
  for (const std::string& kv : a.values("kafka-property")) {
    auto p = runtime::ParseKeyValue(kv);  // the parser checked KEY=VALUE and merged the sources
    if (p.ok()) c.properties[p->first] = p->second;
  }
  return c;
}

}  // namespace ww::wwctl
