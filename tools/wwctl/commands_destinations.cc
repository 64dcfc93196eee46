// wwctl destinations apply|add|remove|list|test: where ww-notifier delivers alerts. The
// destinations live in the compacted <prefix>destinations topic (key "tenant/id"), validated
// here by libs/delivery before they are written; the notifier follows the topic.
#include <cstdio>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/delivery/destination.h"
#include "libs/fetch/address_policy.h"
#include "libs/kafka/producer.h"
#include "libs/runtime/json.h"
#include "libs/url/url.h"
#include "services/notifier/destinations_table.h"
#include "services/notifier/network_sender.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"
#include "ww/v1/records.pb.h"

namespace ww::wwctl {
namespace {

using services::DestinationsTable;

std::string Topic(const ParsedArgs& a) { return a.value("topic-prefix") + "destinations"; }

// The destinations topic folded into a table, as the notifier sees it.
absl::StatusOr<std::shared_ptr<const DestinationsTable::Destinations>> Current(
    const ParsedArgs& a) {
  DestinationsTable table;
  std::vector<kafka::Record> records;
  absl::Status s = ReadRange(KafkaClient(a), Topic(a), -1, 0,
                             [&](const kafka::Record& r) { records.push_back(r); });
  if (!s.ok()) return s;
  table.Apply(records);
  return table.snapshot();
}

kafka::OutRecord Write(const ParsedArgs& a, const delivery::Destination& d) {
  ww::v1::Destination stored;
  stored.set_id(d.id);
  stored.set_owner(d.owner);
  stored.set_yaml(d.yaml);
  return {Topic(a), DestinationsTable::Key(d.owner, d.id), stored.SerializeAsString()};
}

kafka::OutRecord Remove(const ParsedArgs& a, const std::string& key) {
  return {Topic(a), key, "", /*tombstone=*/true};
}

int Produce(const ParsedArgs& a, const std::string& cmd,
            const std::vector<kafka::OutRecord>& records) {
  auto producer = kafka::Producer::Create(KafkaClient(a));
  if (!producer.ok()) return FailStatus(cmd, producer.status(), a.value("bootstrap-servers"));
  for (const kafka::OutRecord& r : records) {
    auto sent = (*producer)->Send(r);
    if (!sent.ok()) return FailStatus(cmd, sent.status(), a.value("bootstrap-servers"));
  }
  return 0;
}

int ApplyOrAdd(const ParsedArgs& a, bool replace) {
  const std::string cmd = replace ? "destinations apply" : "destinations add";
  if (a.positional().size() != 1) return Fail(cmd, "give one FILE", 2);
  auto text = ReadFile(a.positional()[0]);
  if (!text.ok()) return Fail(cmd, std::string(text.status().message()), 2);
  const std::string tenant = a.value("tenant");
  auto parsed = delivery::ParseDestinationsYaml(*text, tenant);
  if (!parsed.ok()) {
    return Fail(cmd, absl::StrCat(a.positional()[0], ": ", parsed.status().message()), 2);
  }
  std::vector<kafka::OutRecord> records;
  std::set<std::string> keep;
  for (const delivery::Destination& d : *parsed) {
    records.push_back(Write(a, d));
    keep.insert(DestinationsTable::Key(d.owner, d.id));
  }
  size_t removed = 0;
  if (replace) {  // the file is the tenant's whole list: the others go
    auto current = Current(a);
    if (!current.ok()) return FailStatus(cmd, current.status(), a.value("bootstrap-servers"));
    for (const auto& [key, d] : **current) {
      if (d.owner == tenant && !keep.contains(key)) {
        records.push_back(Remove(a, key));
        ++removed;
      }
    }
  }
  if (int rc = Produce(a, cmd, records); rc != 0) return rc;
  std::printf("%s %zu destination(s) for tenant %s", replace ? "applied" : "added", parsed->size(),
              tenant.c_str());
  if (replace) std::printf(", removed %zu", removed);
  std::printf("\n");
  return 0;
}

int DestinationsApply(const ParsedArgs& a) { return ApplyOrAdd(a, /*replace=*/true); }
int DestinationsAdd(const ParsedArgs& a) { return ApplyOrAdd(a, /*replace=*/false); }

int DestinationsRemove(const ParsedArgs& a) {
  const std::string cmd = "destinations remove";
  if (a.positional().empty()) return Fail(cmd, "give one or more destination IDs", 2);
  auto current = Current(a);
  if (!current.ok()) return FailStatus(cmd, current.status(), a.value("bootstrap-servers"));
  std::vector<kafka::OutRecord> records;
  for (const std::string& id : a.positional()) {
    const std::string key = DestinationsTable::Key(a.value("tenant"), id);
    if (!(*current)->contains(key)) {
      return Fail(cmd, absl::StrCat("no destination ", id, " for tenant ", a.value("tenant")));
    }
    records.push_back(Remove(a, key));
  }
  if (int rc = Produce(a, cmd, records); rc != 0) return rc;
  std::printf("removed %zu destination(s)\n", records.size());
  return 0;
}

// Where a destination delivers, without what would let a reader post to it: a Slack or
// Teams URL is itself the credential, so only its host is shown; a webhook shows no query.
std::string Target(const delivery::Destination& d) {
  if (d.type == delivery::DestinationType::kEmail) {
    const auto u = url::Url::Parse(d.smtp);  // without the user the URL may name
    std::string via = u.ok() ? absl::StrCat(u->scheme(), "://", u->host()) : "?";
    if (u.ok() && !u->port().empty()) absl::StrAppend(&via, ":", u->port());
    return absl::StrCat(absl::StrJoin(d.to, ","), " via ", via,
                        d.digest > absl::ZeroDuration()
                            ? absl::StrCat(" (digest every ", absl::FormatDuration(d.digest), ")")
                            : "");
  }
  auto u = url::Url::Parse(d.url);
  if (!u.ok()) return "?";
  if (d.type != delivery::DestinationType::kWebhook) {
    return absl::StrCat(u->scheme(), "://", u->host(), "/…");
  }
  std::string port = u->port().empty() ? "" : ":" + u->port();
  return absl::StrCat(u->scheme(), "://", u->host(), port, u->path());
}

std::string Filter(const delivery::Destination& d) {
  std::vector<std::string> parts;
  if (!d.filter.entities.empty())
    parts.push_back("entities=" + absl::StrJoin(d.filter.entities, ","));
  if (!d.filter.rules.empty()) parts.push_back("rules=" + absl::StrJoin(d.filter.rules, ","));
  if (d.filter.min_severity != alerting::Severity::kInfo) {
    parts.push_back(
        absl::StrCat("min_severity=", std::string(alerting::SeverityName(d.filter.min_severity))));
  }
  return parts.empty() ? "every alert" : absl::StrJoin(parts, " ");
}

int DestinationsList(const ParsedArgs& a) {
  const Format format = FormatFromFlag(a.value("output"));
  auto current = Current(a);
  if (!current.ok()) {
    return FailStatus("destinations list", current.status(), a.value("bootstrap-servers"));
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [key, d] : **current) {
    if (!a.value("tenant").empty() && d.owner != a.value("tenant")) continue;
    const std::string secret = !d.secret_env.empty() ? "$" + d.secret_env : delivery::SecretHint(d);
    if (format == Format::kJson) {
      std::puts(runtime::ToJsonLine({{"tenant", d.owner},
                                     {"id", d.id},
                                     {"type", delivery::TypeName(d.type)},
                                     {"target", Target(d)},
                                     {"filter", Filter(d)},
                                     {"updates", d.updates},
                                     {"secret", secret}})
                    .c_str());
      continue;
    }
    rows.push_back({d.owner, d.id, std::string(delivery::TypeName(d.type)), Target(d), Filter(d),
                    d.updates ? "yes" : "no", secret.empty() ? "-" : secret});
  }
  if (format == Format::kText) {
    std::fputs(
        Table({"TENANT", "ID", "TYPE", "TARGET", "FILTER", "UPDATES", "SECRET"}, rows).c_str(),
        stdout);
  }
  return 0;
}

int DestinationsTest(const ParsedArgs& a) {
  const std::string cmd = "destinations test";
  if (a.positional().size() != 1) return Fail(cmd, "give one destination ID", 2);
  auto current = Current(a);
  if (!current.ok()) return FailStatus(cmd, current.status(), a.value("bootstrap-servers"));
  auto it = (*current)->find(DestinationsTable::Key(a.value("tenant"), a.positional()[0]));
  if (it == (*current)->end()) {
    return Fail(
        cmd, absl::StrCat("no destination ", a.positional()[0], " for tenant ", a.value("tenant")));
  }
  std::vector<std::string> networks =
      absl::StrSplit(a.value("allow-networks"), ',', absl::SkipWhitespace());
  auto policy = fetch::AddressPolicy::Create(networks);
  if (!policy.ok()) return Fail(cmd, std::string(policy.status().message()), 2);
  ww::v1::Alert alert;
  const int64_t now = absl::ToUnixMillis(absl::Now());
  alert.set_id(absl::StrCat("test-", now));
  alert.set_version(1);
  alert.set_owner(it->second.owner);
  alert.set_rule_id("wwctl-test");
  alert.set_rule_name("Test alert from wwctl destinations test");
  alert.set_entity_id("test");
  alert.set_entity_name("Test");
  alert.set_severity("info");
  alert.set_title("Wirewatch test alert: this destination works");
  alert.set_url("https://github.com/");
  alert.set_snippet("If you can read this, Wirewatch can deliver alerts here.");
  alert.set_raised_unix_ms(now);
  alert.add_outlets("wwctl");
  alert.set_outlet_count(1);
  services::NetworkSender sender(*policy, absl::Seconds(10),
                                 {a.value("mail-from"), a.value("smtp-require-tls") != "false"});
  auto answer = sender.Send(it->second, alert);
  if (!answer.ok()) return Fail(cmd, answer.status().ToString());
  std::printf("%s\n", answer->c_str());
  return 0;
}

}  // namespace

void AddDestinationCommands(Cli& cli) {
  const OptionSpec tenant{"tenant", "TENANT", "the tenant whose destinations these are", "default"};
  const char* file_format =
      "FILE holds `destinations:`, a list of {id, type: webhook|slack|teams|email, url (email: "
      "to and smtp), secret|secret_env, entities, rules, min_severity, updates, "
      "rate_per_second, give_up_after}: see samples/destinations.yaml.";
  cli.Add({{"destinations", "apply"},
           absl::StrCat("Makes FILE the tenant's destinations: adds and updates those in it, "
                        "removes the others. ",
                        file_format),
           "FILE [--tenant T]",
           "wwctl destinations apply samples/destinations.yaml",
           {tenant},
           DestinationsApply});
  cli.Add(
      {{"destinations", "add"},
       absl::StrCat("Adds or updates the destinations in FILE, keeping the others. ", file_format),
       "FILE [--tenant T]",
       "wwctl destinations add slack.yaml",
       {tenant},
       DestinationsAdd});
  cli.Add({{"destinations", "remove"},
           "Removes destinations by id.",
           "ID... [--tenant T]",
           "wwctl destinations remove desk-slack",
           {tenant},
           DestinationsRemove});
  cli.Add({{"destinations", "list"},
           "Lists destinations: where each delivers (a Slack or Teams URL only by host), its "
           "filter, and the last four characters of its secret.",
           "[--tenant T]",
           "wwctl destinations list --tenant ''",
           {{"tenant", "TENANT", "only this tenant's ('' for all)", ""},
            {"output", "text|json", "output format", "text"}},
           DestinationsList});
  cli.Add({{"destinations", "test"},
           "Sends a test alert to a destination from this machine and prints its answer "
           "(exit 1 when it refuses).",
           "ID [--tenant T] [--allow-networks CIDR,...] [--mail-from ADDRESS]",
           "wwctl destinations test desk-webhook",
           {tenant,
            {"allow-networks", "CIDR,...",
             "networks the destination may resolve to besides public addresses (e.g. "
             "127.0.0.1/32 for a local receiver)",
             ""},
            {"mail-from", "ADDRESS", "From: of a test mail (as the notifier's --mail_from)",
             "Wirewatch <wirewatch@localhost>"},
            {"smtp-require-tls", "BOOL",
             "refuse an smtp:// server without STARTTLS (false only for a local relay)", "true"}},
           DestinationsTest});
}

}  // namespace ww::wwctl
