#pragma once
// The wwctl commands, registered on a Cli.
#include "tools/wwctl/cli.h"

namespace ww::wwctl {

// tag, feed parse: offline, on files; no broker or service needed.
void AddOfflineCommands(Cli& cli);
// topics, watchlist, submit, alerts: talk to Kafka and the services.
void AddPipelineCommands(Cli& cli);

// Reads a whole file ("-" is stdin). NotFound / PermissionDenied name the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace ww::wwctl
