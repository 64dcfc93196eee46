#pragma once
// The wwctl commands, registered on a Cli.
#include "tools/wwctl/cli.h"

namespace ww::wwctl {

// tag, feed parse: offline, on files; no broker or service needed.
void AddOfflineCommands(Cli& cli);
// topics, watchlist, submit, status: talk to Kafka and the services.
void AddPipelineCommands(Cli& cli);
// dedup: story clustering offline on a JSON-lines file.
void AddDedupCommands(Cli& cli);
// alerts tail|list, rules apply|add|remove|list|test (commands_alerts.cc).
void AddAlertCommands(Cli& cli);
// feeds add|remove|list|import-opml: the feeds ww-ingestor polls (commands_feeds.cc).
void AddFeedCommands(Cli& cli);

// Reads a whole file ("-" is stdin). NotFound / PermissionDenied name the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace ww::wwctl
