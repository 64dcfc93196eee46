// wwctl groups list|describe and wwctl offsets reset: consumer groups, their lag, and
// moving their committed offsets (libs/kafka/groups.h).
#include <cstdio>
#include <fstream>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/kafka/groups.h"
#include "libs/runtime/json.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/offset_plan.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"

namespace ww::wwctl {
namespace {

std::string Dash(int64_t v) { return v < 0 ? "-" : absl::StrCat(v); }

int GroupsList(const ParsedArgs& a) {
  const Format format = FormatFromFlag(a.value("output"));
  auto groups = kafka::ListGroups(KafkaClient(a));
  if (!groups.ok()) return FailStatus("groups list", groups.status(), a.value("bootstrap-servers"));
  std::vector<std::vector<std::string>> rows;
  for (const auto& g : *groups) {
    if (format == Format::kJson) {
      std::puts(runtime::ToJsonLine({{"group", g.group}, {"state", g.state}, {"simple", g.simple}})
                    .c_str());
    }
    rows.push_back({g.group, g.state});
  }
  if (format == Format::kText) std::fputs(Table({"GROUP", "STATE"}, rows).c_str(), stdout);
  return 0;
}

int GroupsDescribe(const ParsedArgs& a) {
  const Format format = FormatFromFlag(a.value("output"));
  if (a.positional().size() != 1) return Fail("groups describe", "give one GROUP", 2);
  auto d = kafka::DescribeGroup(KafkaClient(a), a.positional()[0]);
  if (!d.ok()) return FailStatus("groups describe", d.status(), a.value("bootstrap-servers"));
  std::map<std::string, const kafka::GroupMember*> members;
  for (const auto& m : d->members) members[m.member_id] = &m;
  if (format == Format::kJson) {
    using Json = nlohmann::ordered_json;
    Json ms = Json::array(), ps = Json::array();
    for (const auto& m : d->members) {
      ms.push_back({{"member_id", m.member_id},
                    {"client_id", m.client_id},
                    {"host", m.host},
                    {"partitions", m.assignment.size()}});
    }
    for (const auto& p : d->partitions) {
      ps.push_back({{"topic", p.topic},
                    {"partition", p.partition},
                    {"committed", p.committed},
                    {"log_end", p.log_end},
                    {"lag", p.lag},
                    {"time_lag_ms", p.time_lag_ms},
                    {"member_id", p.member_id}});
    }
    std::puts(runtime::ToJsonLine({{"group", d->group},
                                   {"state", d->state},
                                   {"total_lag", d->total_lag},
                                   {"max_time_lag_ms", d->max_time_lag_ms},
                                   {"members", ms},
                                   {"partitions", ps}})
                  .c_str());
    return 0;
  }
  std::printf("group %s  state %s  members %zu  total lag %lld  time lag %s\n\n", d->group.c_str(),
              d->state.c_str(), d->members.size(), static_cast<long long>(d->total_lag),
              FormatAge(d->max_time_lag_ms).c_str());
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : d->partitions) {
    std::string who = "-";
    if (auto it = members.find(p.member_id); it != members.end()) {
      who = absl::StrCat(it->second->client_id, " ", it->second->host);
    }
    rows.push_back({p.topic, absl::StrCat(p.partition), Dash(p.committed), Dash(p.log_end),
                    Dash(p.lag), FormatAge(p.time_lag_ms), who});
  }
  std::fputs(Table({"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "TIME-LAG",
                    "CONSUMER"},
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

// The reset the flags ask for, with the group and topic; a plan read from --from-file gives
// both. InvalidArgument (exit 2) for a bad combination.
absl::StatusOr<std::pair<OffsetPlan, kafka::OffsetReset>> ResetFromFlags(const ParsedArgs& a) {
  OffsetPlan target{a.value("group"), a.value("topic"), {}};
  kafka::OffsetReset reset;
  const int modes = a.has("to-time") + a.has("to-earliest") + a.has("to-latest") + a.has("shift") +
                    a.has("from-file");
  if (modes != 1) {
    return absl::InvalidArgumentError(
        "give exactly one of --to-time, --to-earliest, --to-latest, --shift, --from-file");
  }
  if (a.has("from-file")) {
    auto text = ReadFile(a.value("from-file"));
    if (!text.ok()) return absl::InvalidArgumentError(text.status().message());
    auto saved = OffsetPlanFromJson(*text);
    if (!saved.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(a.value("from-file"), ": ", saved.status().message()));
    }
    // --group / --topic are optional here; given, they must agree with the file, so a plan
    // is never applied to another group by mistake.
    for (auto [flag, mine, theirs] : {std::tuple{"group", target.group, saved->group},
                                      std::tuple{"topic", target.topic, saved->topic}}) {
      if (!mine.empty() && mine != theirs) {
        return absl::InvalidArgumentError(absl::StrCat("--", flag, " ", mine, " but the plan in ",
                                                       a.value("from-file"), " is for ", theirs));
      }
    }
    reset.kind = kafka::OffsetReset::Kind::kExplicit;
    for (const auto& c : saved->changes) reset.offsets[c.partition] = c.target;
    return std::pair{OffsetPlan{saved->group, saved->topic, {}}, reset};
  }
  if (target.group.empty() || target.topic.empty()) {
    return absl::InvalidArgumentError("--group and --topic are required");
  }
  if (a.has("to-earliest")) reset.kind = kafka::OffsetReset::Kind::kEarliest;
  if (a.has("to-latest")) reset.kind = kafka::OffsetReset::Kind::kLatest;
  if (a.has("to-time")) {
    auto t = ParseTimeArg(a.value("to-time"));
    if (!t.ok())
      return absl::InvalidArgumentError(absl::StrCat("--to-time: ", t.status().message()));
    reset.kind = kafka::OffsetReset::Kind::kTime;
    reset.time_ms = *t;
  }
  if (a.has("shift")) {
    reset.kind = kafka::OffsetReset::Kind::kShift;
    if (!absl::SimpleAtoi(a.value("shift"), &reset.shift)) {
      return absl::InvalidArgumentError("--shift must be a whole number (negative goes back)");
    }
  }
  return std::pair{target, reset};
}

int OffsetsReset(const ParsedArgs& a) {
  const std::string cmd = "offsets reset";
  const Format format = FormatFromFlag(a.value("output"));
  auto asked = ResetFromFlags(a);
  if (!asked.ok()) return Fail(cmd, std::string(asked.status().message()), 2);
  auto& [plan, reset] = *asked;
  const std::string& group = plan.group;
  const std::string& topic = plan.topic;
  const kafka::ClientConfig client = KafkaClient(a);
  auto changes = kafka::PlanOffsetReset(client, group, topic, reset);
  if (!changes.ok()) return FailStatus(cmd, changes.status(), client.bootstrap_servers);
  plan.changes = *changes;
  if (a.has("export")) {
    std::ofstream out(a.value("export"), std::ios::trunc);
    out << OffsetPlanToJson(plan);
    if (!out.flush()) return Fail(cmd, absl::StrCat("cannot write ", a.value("export")));
  }
  const bool execute = a.has("execute");
  absl::Status applied;
  if (execute) applied = kafka::ApplyOffsetReset(client, group, topic, plan.changes);
  if (format == Format::kJson) {
    for (const auto& c : plan.changes) {
      std::puts(runtime::ToJsonLine({{"group", group},
                                     {"topic", topic},
                                     {"partition", c.partition},
                                     {"current", c.current},
                                     {"target", c.target},
                                     {"applied", execute && applied.ok()}})
                    .c_str());
    }
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : plan.changes) {
      rows.push_back({topic, absl::StrCat(c.partition), Dash(c.current), absl::StrCat(c.target)});
    }
    std::fputs(Table({"TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"}, rows).c_str(), stdout);
  }
  if (!applied.ok()) return FailStatus(cmd, applied, client.bootstrap_servers);
  if (format == Format::kText) {
    if (a.has("export")) std::printf("plan written to %s\n", a.value("export").c_str());
    std::printf(execute ? "offsets of group %s reset\n"
                        : "plan only for group %s: add --execute to apply it\n",
                group.c_str());
  }
  return 0;
}

}  // namespace

void AddGroupCommands(Cli& cli) {
  const OptionSpec output{"output", "text|json", "output format", "text"};
  cli.Add({{"groups", "list"},
           "Lists the consumer groups with their state.",
           "",
           "wwctl groups list --output json",
           {output},
           GroupsList});
  cli.Add({{"groups", "describe"},
           "Shows a group's state, members, and committed offset, log end and lag per "
           "partition (as kafka-consumer-groups), with the total lag, and the time lag: the age "
           "of the oldest unconsumed record (0 when caught up).",
           "GROUP",
           "wwctl groups describe ww-tagger",
           {output},
           GroupsDescribe});
  cli.Add({{"offsets", "reset"},
           "Moves a group's committed offsets on a topic: shows the plan; --execute applies it "
           "(refused while the group has active members).",
           "--group G --topic T (--to-time T | --to-earliest | --to-latest | --shift N) "
           "[--export FILE] [--execute]  |  --from-file FILE [--execute]",
           "wwctl offsets reset --group ww-tagger --topic ww.articles.unique --to-time 2h "
           "--export plan.json\n  wwctl offsets reset --from-file plan.json --execute",
           {{"group", "GROUP", "consumer group", ""},
            {"topic", "TOPIC", "topic whose partitions are reset", ""},
            {"to-time", "TIME", "first record at or after: ISO 8601 or age like 3d", ""},
            {"to-earliest", "", "the earliest offset", ""},
            {"to-latest", "", "the end (skip everything not yet consumed)", ""},
            {"shift", "N", "move the committed offset by N (negative goes back)", ""},
            {"export", "FILE", "also write the plan to FILE as JSON (for --from-file)", ""},
            {"from-file", "FILE", "the plan saved by --export (targets per partition)", ""},
            {"execute", "", "apply the plan (default: only show it)", ""},
            output},
           OffsetsReset});
}

}  // namespace ww::wwctl
