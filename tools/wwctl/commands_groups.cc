// wwctl groups list|describe and wwctl offsets reset: consumer groups, their lag, and
// moving their committed offsets (libs/kafka/groups.h).
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/kafka/groups.h"
#include "libs/runtime/json.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"

namespace ww::wwctl {
namespace {

std::string Dash(int64_t v) { return v < 0 ? "-" : absl::StrCat(v); }

kafka::ClientConfig Client(const ParsedArgs& a) {
  kafka::ClientConfig c;
  c.bootstrap_servers = a.value("bootstrap-servers");
  return c;
}

int GroupsList(const ParsedArgs& a) {
  const Format format = FormatFromFlag(a.value("output"));
  auto groups = kafka::ListGroups(Client(a));
  if (!groups.ok()) return FailStatus("groups list", groups.status(), a.value("bootstrap-servers"));
  std::vector<std::vector<std::string>> rows;
  for (const auto& g : *groups) {
    if (format == Format::kJson) {
      std::printf("{\"group\":%s,\"state\":%s,\"simple\":%s}\n", runtime::JsonQuote(g.group).c_str(),
                  runtime::JsonQuote(g.state).c_str(), g.simple ? "true" : "false");
    }
    rows.push_back({g.group, g.state});
  }
  if (format == Format::kText) std::fputs(Table({"GROUP", "STATE"}, rows).c_str(), stdout);
  return 0;
}

int GroupsDescribe(const ParsedArgs& a) {
  const Format format = FormatFromFlag(a.value("output"));
  if (a.positional().size() != 1) return Fail("groups describe", "give one GROUP", 2);
  auto d = kafka::DescribeGroup(Client(a), a.positional()[0]);
  if (!d.ok()) return FailStatus("groups describe", d.status(), a.value("bootstrap-servers"));
  std::map<std::string, const kafka::GroupMember*> members;
  for (const auto& m : d->members) members[m.member_id] = &m;
  if (format == Format::kJson) {
    std::string ms, ps;
    for (const auto& m : d->members) {
      absl::StrAppend(&ms, ms.empty() ? "" : ",", "{\"member_id\":", runtime::JsonQuote(m.member_id),
                      ",\"client_id\":", runtime::JsonQuote(m.client_id), ",\"host\":", runtime::JsonQuote(m.host),
                      ",\"partitions\":", m.assignment.size(), "}");
    }
    for (const auto& p : d->partitions) {
      absl::StrAppend(&ps, ps.empty() ? "" : ",", "{\"topic\":", runtime::JsonQuote(p.topic),
                      ",\"partition\":", p.partition, ",\"committed\":", p.committed,
                      ",\"log_end\":", p.log_end, ",\"lag\":", p.lag,
                      ",\"member_id\":", runtime::JsonQuote(p.member_id), "}");
    }
    std::printf("{\"group\":%s,\"state\":%s,\"total_lag\":%lld,\"members\":[%s],"
                "\"partitions\":[%s]}\n",
                runtime::JsonQuote(d->group).c_str(), runtime::JsonQuote(d->state).c_str(), static_cast<long long>(d->total_lag),
                ms.c_str(), ps.c_str());
    return 0;
  }
  std::printf("group %s  state %s  members %zu  total lag %lld\n\n", d->group.c_str(),
              d->state.c_str(), d->members.size(), static_cast<long long>(d->total_lag));
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : d->partitions) {
    std::string who = "-";
    if (auto it = members.find(p.member_id); it != members.end()) {
      who = absl::StrCat(it->second->client_id, " ", it->second->host);
    }
    rows.push_back({p.topic, absl::StrCat(p.partition), Dash(p.committed), Dash(p.log_end),
                    Dash(p.lag), who});
  }
  std::fputs(Table({"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER"},
                   rows)
                 .c_str(),
             stdout);
  if (!d->members.empty()) {
    std::vector<std::vector<std::string>> mrows;
    for (const auto& m : d->members) {
      mrows.push_back({m.member_id, m.client_id, m.host, absl::StrCat(m.assignment.size())});
    }
    std::printf("\n");
    std::fputs(Table({"MEMBER", "CLIENT-ID", "HOST", "PARTITIONS"}, mrows).c_str(), stdout);
  }
  return 0;
}

int OffsetsReset(const ParsedArgs& a) {
  const std::string cmd = "offsets reset";
  const Format format = FormatFromFlag(a.value("output"));
  const std::string group = a.value("group"), topic = a.value("topic");
  if (group.empty() || topic.empty()) return Fail(cmd, "--group and --topic are required", 2);
  int modes = a.has("to-time") + a.has("to-earliest") + a.has("to-latest") + a.has("shift");
  if (modes != 1) {
    return Fail(cmd, "give exactly one of --to-time, --to-earliest, --to-latest, --shift", 2);
  }
  kafka::OffsetReset reset;
  if (a.has("to-earliest")) reset.kind = kafka::OffsetReset::Kind::kEarliest;
  if (a.has("to-latest")) reset.kind = kafka::OffsetReset::Kind::kLatest;
  if (a.has("to-time")) {
    auto t = ParseTimeArg(a.value("to-time"));
    if (!t.ok()) return Fail(cmd, absl::StrCat("--to-time: ", t.status().message()), 2);
    reset.kind = kafka::OffsetReset::Kind::kTime;
    reset.time_ms = *t;
  }
  if (a.has("shift")) {
    reset.kind = kafka::OffsetReset::Kind::kShift;
    if (!absl::SimpleAtoi(a.value("shift"), &reset.shift)) {
      return Fail(cmd, "--shift must be a whole number (negative goes back)", 2);
    }
  }
  const kafka::ClientConfig client = Client(a);
  auto plan = kafka::PlanOffsetReset(client, group, topic, reset);
  if (!plan.ok()) return FailStatus(cmd, plan.status(), client.bootstrap_servers);
  const bool execute = a.has("execute");
  absl::Status applied;
  if (execute) applied = kafka::ApplyOffsetReset(client, group, topic, *plan);
  if (format == Format::kJson) {
    for (const auto& c : *plan) {
      std::printf("{\"group\":%s,\"topic\":%s,\"partition\":%d,\"current\":%lld,"
                  "\"target\":%lld,\"applied\":%s}\n",
                  runtime::JsonQuote(group).c_str(), runtime::JsonQuote(topic).c_str(), c.partition,
                  static_cast<long long>(c.current), static_cast<long long>(c.target),
                  execute && applied.ok() ? "true" : "false");
    }
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : *plan) {
      rows.push_back({topic, absl::StrCat(c.partition), Dash(c.current), absl::StrCat(c.target)});
    }
    std::fputs(Table({"TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"}, rows).c_str(),
               stdout);
  }
  if (!applied.ok()) return FailStatus(cmd, applied, client.bootstrap_servers);
  if (format == Format::kText) {
    std::printf(execute ? "offsets of group %s reset\n"
                        : "plan only for group %s: add --execute to apply it\n",
                group.c_str());
  }
  return 0;
}

}  // namespace

void AddGroupCommands(Cli& cli) {
  const OptionSpec output{"output", "text|json", "output format", "text"};
  cli.Add({{"groups", "list"}, "Lists the consumer groups with their state.", "",
           "wwctl groups list --output json", {output}, GroupsList});
  cli.Add({{"groups", "describe"},
           "Shows a group's state, members, and committed offset, log end and lag per "
           "partition (as kafka-consumer-groups), with the total lag.",
           "GROUP", "wwctl groups describe ww-tagger", {output}, GroupsDescribe});
  cli.Add({{"offsets", "reset"},
           "Moves a group's committed offsets on a topic: shows the plan; --execute applies it "
           "(refused while the group has active members).",
           "--group G --topic T (--to-time T | --to-earliest | --to-latest | --shift N) "
           "[--execute]",
           "wwctl offsets reset --group ww-tagger --topic ww.articles.unique --to-time 2h "
           "--execute",
           {{"group", "GROUP", "consumer group", ""},
            {"topic", "TOPIC", "topic whose partitions are reset", ""},
            {"to-time", "TIME", "first record at or after: ISO 8601 or age like 3d", ""},
            {"to-earliest", "", "the earliest offset", ""},
            {"to-latest", "", "the end (skip everything not yet consumed)", ""},
            {"shift", "N", "move the committed offset by N (negative goes back)", ""},
            {"execute", "", "apply the plan (default: only show it)", ""},
            output},
           OffsetsReset});
}

}  // namespace ww::wwctl
