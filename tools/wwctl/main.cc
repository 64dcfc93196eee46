// wwctl: the operator CLI. main() only wires the commands.
#include "libs/runtime/huge_pages.h"
#include "tools/wwctl/cli.h"
#include "tools/wwctl/commands.h"

int main(int argc, char** argv) {
  // `wwctl dedup` and `wwctl stories` hold the deduper's window: its tables, as fast.
  ww::runtime::UseHugePageHeap(argv);
  ww::wwctl::Cli cli({
      {"bootstrap-servers", "HOST:PORT", "Kafka brokers", "127.0.0.1:9092"},
      {"kafka-property", "KEY=VALUE",
       "librdkafka property, e.g. security.protocol=SASL_SSL, sasl.mechanism, sasl.username, "
       "ssl.ca.location",
       "", true, true},
      {"config", "FILE",
       "config file of these options ('key = value'; kafka.KEY for "
       "--kafka-property)",
       "$WW_CONFIG or ~/.config/wirewatch/wwctl.conf if it exists"},
      {"topic-prefix", "PREFIX", "prefix of the pipeline's topic names", "ww."},
      {"ingestor", "HOST:PORT", "ww-ingestor gRPC address", "127.0.0.1:50051"},
      {"deduper", "HOST:PORT", "ww-deduper gRPC address", "127.0.0.1:50052"},
      {"tagger", "HOST:PORT", "ww-tagger gRPC address", "127.0.0.1:50053"},
      {"alerter", "HOST:PORT", "ww-alerter gRPC address", "127.0.0.1:50054"},
      {"notifier", "HOST:PORT", "ww-notifier gRPC address (destinations; health)",
       "127.0.0.1:50055"},
      {"token", "TOKEN",
       "bearer token for the services' gRPC APIs when they have a tokens file (wwctl tokens "
       "create)",
       ""},
      {"ca-file", "PEM", "CA certificate: talk to the services over TLS", ""},
      {"cert-file", "PEM",
       "client certificate (with --ca-file and --key-file): mutual TLS, its subject's O and OU "
       "name your tenant and role instead of a --token",
       ""},
      {"key-file", "PEM", "private key of --cert-file", ""},
  });
  ww::wwctl::AddOfflineCommands(cli);
  ww::wwctl::AddPipelineCommands(cli);
  ww::wwctl::AddDedupCommands(cli);
  ww::wwctl::AddAlertCommands(cli);
  ww::wwctl::AddFeedCommands(cli);
  ww::wwctl::AddReplayCommands(cli);
  ww::wwctl::AddGroupCommands(cli);
  ww::wwctl::AddConsumeCommands(cli);
  ww::wwctl::AddDestinationCommands(cli);
  ww::wwctl::AddTraceCommand(cli);
  ww::wwctl::AddTokenCommands(cli);
  ww::wwctl::AddLoadgenCommand(cli);
  ww::wwctl::AddCompletionCommand(cli);
  return cli.Run(std::vector<std::string>(argv + 1, argv + argc));
}
