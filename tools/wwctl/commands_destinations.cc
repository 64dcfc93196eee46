// wwctl destinations apply|add|remove|list|test: where ww-notifier delivers alerts, through
// the notifier's DestinationService (gRPC, --notifier): the token's tenant owns what it
// writes, and the notifier validates, audits and stores it (the compacted
// <prefix>destinations topic, key "tenant/id").
#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/delivery/destination.h"
#include "libs/fetch/address_policy.h"
#include "libs/runtime/json.h"
#include "libs/url/url.h"
#include "services/notifier/network_sender.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"
#include "ww/v1/destinations.grpc.pb.h"
#include "ww/v1/records.pb.h"

namespace ww::wwctl {
namespace {

// The caller's destinations, as the notifier holds them; prints the problem and returns
// false when it does not answer.
bool Fetch(const ParsedArgs& a, const std::string& cmd, std::vector<delivery::Destination>* out,
           int* code) {
  const std::string target = a.value("notifier");
  auto stub = ww::v1::DestinationService::NewStub(Channel(a, target));
  auto ctx = Context(a, absl::Seconds(10));
  ww::v1::ListDestinationsResponse resp;
  grpc::Status s = stub->ListDestinations(ctx.get(), {}, &resp);
  if (!s.ok()) {
    *code = FailRpc(cmd, target, s);
    return false;
  }
  for (const ww::v1::Destination& stored : resp.destinations()) {
    auto d = delivery::ParseDestinationYaml(stored.yaml(), stored.owner());
    if (d.ok()) out->push_back(*std::move(d));
  }
  return true;
}

int ApplyOrAdd(const ParsedArgs& a, bool replace) {
  const std::string cmd = replace ? "destinations apply" : "destinations add";
  if (a.positional().size() != 1) return Fail(cmd, "give one FILE", 2);
  auto text = ReadFile(a.positional()[0]);
  if (!text.ok()) return Fail(cmd, std::string(text.status().message()), 2);
  // Checked here too, so that a mistake names the file before anything is sent.
  if (auto parsed = delivery::ParseDestinationsYaml(*text, "default"); !parsed.ok()) {
    return Fail(cmd, absl::StrCat(a.positional()[0], ": ", parsed.status().message()), 2);
  }
  ww::v1::PutDestinationsRequest req;
  req.set_yaml(*text);
  req.set_replace_all(replace);
  ww::v1::PutDestinationsResponse resp;
  const std::string target = a.value("notifier");
  auto stub = ww::v1::DestinationService::NewStub(Channel(a, target));
  auto ctx = Context(a, absl::Seconds(30));
  if (grpc::Status s = stub->PutDestinations(ctx.get(), req, &resp); !s.ok()) {
    return FailRpc(cmd, target, s);
  }
  std::printf("%s %d destination(s)", replace ? "applied" : "added", resp.upserted());
  if (replace) std::printf(", removed %d", resp.deleted());
  std::printf("\n");
  return 0;
}

int DestinationsApply(const ParsedArgs& a) { return ApplyOrAdd(a, /*replace=*/true); }
int DestinationsAdd(const ParsedArgs& a) { return ApplyOrAdd(a, /*replace=*/false); }

int DestinationsRemove(const ParsedArgs& a) {
  const std::string cmd = "destinations remove";
  if (a.positional().empty()) return Fail(cmd, "give one or more destination IDs", 2);
  std::vector<delivery::Destination> current;
  int code = 0;
  if (!Fetch(a, cmd, &current, &code)) return code;
  // All or nothing: an unknown id (a typo) removes none of the others.
  std::set<std::string> known;
  for (const delivery::Destination& d : current) known.insert(d.id);
  for (const std::string& id : a.positional()) {
    if (!known.contains(id)) {
      return Fail(cmd, absl::StrCat("no destination ", id,
                                    " (nothing removed; see wwctl destinations list)"));
    }
  }
  const std::string target = a.value("notifier");
  auto stub = ww::v1::DestinationService::NewStub(Channel(a, target));
  for (const std::string& id : a.positional()) {
    ww::v1::DeleteDestinationRequest req;
    req.set_id(id);
    ww::v1::DeleteDestinationResponse resp;
    auto ctx = Context(a, absl::Seconds(30));
    if (grpc::Status s = stub->DeleteDestination(ctx.get(), req, &resp); !s.ok()) {
      return FailRpc(cmd, target, s);
    }
  }
  std::printf("removed %zu destination(s)\n", a.positional().size());
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
  std::vector<delivery::Destination> current;
  int code = 0;
  if (!Fetch(a, "destinations list", &current, &code)) return code;
  std::vector<std::vector<std::string>> rows;
  for (const delivery::Destination& d : current) {
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
  std::vector<delivery::Destination> current;
  int code = 0;
  if (!Fetch(a, cmd, &current, &code)) return code;
  auto it = std::find_if(current.begin(), current.end(),
                         [&](const delivery::Destination& d) { return d.id == a.positional()[0]; });
  if (it == current.end()) {
    return Fail(
        cmd, absl::StrCat("no destination ", a.positional()[0], " (see wwctl destinations list)"));
  }
  std::vector<std::string> networks =
      absl::StrSplit(a.value("allow-networks"), ',', absl::SkipWhitespace());
  auto policy = fetch::AddressPolicy::Create(networks);
  if (!policy.ok()) return Fail(cmd, std::string(policy.status().message()), 2);
  ww::v1::Alert alert;
  const int64_t now = absl::ToUnixMillis(absl::Now());
  alert.set_id(absl::StrCat("test-", now));
  alert.set_version(1);
  alert.set_owner(it->owner);
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
  auto answer = sender.Send(*it, alert);
  if (!answer.ok()) return Fail(cmd, answer.status().ToString());
  std::printf("%s\n", answer->c_str());
  return 0;
}

}  // namespace

void AddDestinationCommands(Cli& cli) {
  const char* file_format =
      "FILE holds `destinations:`, a list of {id, type: webhook|slack|teams|email, url (email: "
      "to and smtp), secret|secret_env, entities, rules, min_severity, updates, "
      "rate_per_second, give_up_after}: see samples/destinations.yaml.";
  cli.Add({{"destinations", "apply"},
           absl::StrCat("Makes FILE your tenant's destinations (the --token's tenant): adds "
                        "and updates those in it, removes the others. Through the notifier "
                        "(--notifier), which validates and records the change. ",
                        file_format),
           "FILE",
           "wwctl destinations apply samples/destinations.yaml",
           {},
           DestinationsApply});
  cli.Add(
      {{"destinations", "add"},
       absl::StrCat("Adds or updates the destinations in FILE, keeping the others. ", file_format),
       "FILE",
       "wwctl destinations add slack.yaml",
       {},
       DestinationsAdd});
  cli.Add({{"destinations", "remove"},
           "Removes destinations by id.",
           "ID...",
           "wwctl destinations remove desk-slack",
           {},
           DestinationsRemove});
  cli.Add({{"destinations", "list"},
           "Lists your tenant's destinations: where each delivers (a Slack or Teams URL only by "
           "host), its filter, and the last four characters of its secret.",
           "[--output json]",
           "wwctl destinations list",
           {{"output", "text|json", "output format", "text"}},
           DestinationsList});
  cli.Add({{"destinations", "test"},
           "Sends a test alert to a destination from this machine and prints its answer "
           "(exit 1 when it refuses).",
           "ID [--allow-networks CIDR,...] [--mail-from ADDRESS]",
           "wwctl destinations test desk-webhook",
           {{"allow-networks", "CIDR,...",
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
