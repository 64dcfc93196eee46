#pragma once
// The wwctl commands, registered on a Cli.
#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "libs/kafka/record.h"
#include "tools/wwctl/cli.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

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
// replay: exactly-once, resumable copy of a time or offset range (commands_replay.cc).
void AddReplayCommands(Cli& cli);
// groups list|describe, offsets reset (commands_groups.cc).
void AddGroupCommands(Cli& cli);
// consume, deadletter list|show|retry, audit (commands_consume.cc).
void AddConsumeCommands(Cli& cli);

// destinations apply|add|remove|list|test: where ww-notifier delivers alerts
// (commands_destinations.cc).
void AddDestinationCommands(Cli& cli);

// trace ARTICLE_ID: an article's path through the topics (commands_trace.cc).
void AddTraceCommand(Cli& cli);
// tokens create: a new bearer token and its tokens-file line (commands_tokens.cc).
void AddTokenCommands(Cli& cli);
// loadgen: generated articles at a rate, submit-to-alert latency (commands_loadgen.cc).
void AddLoadgenCommand(Cli& cli);

// completion bash|zsh: a script generated from `cli`'s commands (commands_completion.cc).
// Register it last; `cli` must outlive the command.
void AddCompletionCommand(Cli& cli);

// Writes watchlist FILE through the tagger's WatchlistService, as `watchlist apply` does
// (replacing the current one unless `merge`), then waits up to `wait` until the tagger is
// SERVING with that watchlist version. Prints progress or the problem; returns the exit
// code (0: applied and loaded).
int ApplyWatchlistAndWait(const ParsedArgs& a, const std::string& cmd, const std::string& file,
                          bool merge, absl::Duration wait);

// The Kafka connection of the global options (connection.cc): --bootstrap-servers and every
// --kafka-property KEY=VALUE (from the command line, WW_* or the config file).
kafka::ClientConfig KafkaClient(const ParsedArgs& a);

// The protobuf record type of a topic, by its name without `prefix` (articles.* Article,
// articles.tagged TaggedArticle, alerts Alert, watchlist Entity, rules Rule, feeds
// FeedState); null for topics of raw bytes.
std::unique_ptr<google::protobuf::Message> RecordMessageFor(const std::string& topic,
                                                            const std::string& prefix);

// Reads `topic` from `since_ms` (-1: the beginning) to its end, at most `limit` records
// (0: all), calling `fn` for each. With `follow`, goes on past the end until SIGINT or
// SIGTERM (or `limit`). (commands_consume.cc)
absl::Status ReadRange(const kafka::ClientConfig& c, const std::string& topic, int64_t since_ms,
                       int64_t limit, const std::function<void(const kafka::Record&)>& fn,
                       bool follow = false);

// Reads a whole file ("-" is stdin). NotFound / PermissionDenied name the path.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace ww::wwctl
