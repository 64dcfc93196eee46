// wwctl alerts tail|list and wwctl rules apply|add|remove|list|test.
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/alerting/evaluate.h"
#include "libs/alerting/rule.h"
#include "libs/runtime/json.h"
#include "libs/tagging/matcher.h"
#include "libs/tagging/watchlist.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/output.h"
#include "tools/wwctl/rpc_client.h"
#include "ww/v1/alerts.grpc.pb.h"

namespace ww::wwctl {
namespace {

const std::vector<OptionSpec> kFilterOptions = {
    {"entity", "ID", "only alerts naming this entity", "", true},
    {"rule", "ID", "only alerts of this rule", "", true},
    {"min-severity", "LEVEL", "info, low, medium, high or critical", ""},
};

ww::v1::AlertFilter Filter(const ParsedArgs& a) {
  ww::v1::AlertFilter f;
  for (const auto& e : a.values("entity")) f.add_entity_ids(e);
  for (const auto& r : a.values("rule")) f.add_rule_ids(r);
  f.set_min_severity(a.value("min-severity"));
  return f;
}

std::string When(int64_t ms) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMillis(ms), absl::LocalTimeZone());
}

std::string AlertLine(const ww::v1::Alert& al) {
  std::string line = absl::StrCat(When(al.raised_unix_ms()), "  [", al.severity(), "] ",
                                  al.rule_name().empty() ? al.rule_id() : al.rule_name(), ": \"",
                                  al.title(), "\"");
  if (!al.source().empty()) absl::StrAppend(&line, " (", al.source(), ")");
  if (al.version() > 1) {
    const int64_t outlets = std::max<int64_t>(al.outlet_count(), al.outlets_size());
    absl::StrAppend(&line, "  update ", al.version(), ": ");
    if (al.report_count() > 1) absl::StrAppend(&line, al.report_count(), " reports, ");
    absl::StrAppend(&line, "carried by ", outlets, outlets == 1 ? " outlet" : " outlets");
    // The story's outlets, the first few by name.
    std::vector<std::string> names(al.outlets().begin(),
                                   al.outlets().begin() + std::min(al.outlets_size(), 5));
    if (!names.empty()) {
      absl::StrAppend(&line, " (", absl::StrJoin(names, ", "), outlets > 5 ? ", ..." : "", ")");
    }
  }
  if (!al.why().empty()) absl::StrAppend(&line, "\n    why: ", al.why());
  if (!al.snippet().empty()) absl::StrAppend(&line, "\n    ", al.snippet());
  return line;
}

void Print(const ww::v1::Alert& a, Format f) {
  std::printf("%s\n", f == Format::kJson ? ToJsonLine(a).c_str() : AlertLine(a).c_str());
  std::fflush(stdout);
}

int AlertsTail(const ParsedArgs& a) {
  int64_t limit = 0;
  if (!absl::SimpleAtoi(a.value("limit"), &limit) || limit < 0) {
    return Fail("alerts tail", "--limit must be a whole number (0: no limit)", 2);
  }
  absl::Duration timeout = absl::InfiniteDuration();
  if (!a.value("timeout").empty()) {
    auto d = ParseDuration(a.value("timeout"));
    if (!d.ok()) return Fail("alerts tail", std::string(d.status().message()), 2);
    timeout = *d;
  }
  const Format format = FormatFromFlag(a.value("output"));
  const std::string target = a.value("alerter");
  auto stub = ww::v1::AlertService::NewStub(Channel(a, target));
  auto ctx = Context(a, timeout);
  ww::v1::SubscribeRequest req;
  *req.mutable_filter() = Filter(a);
  req.set_cursor(a.value("cursor"));
  // Batched, so a tail that falls behind a busy desk catches up in few messages; each
  // alert is still printed (and its cursor kept) one by one.
  auto reader = stub->SubscribeBatched(ctx.get(), req);
  // Once the server has sent its headers the subscription is live.
  if (reader->WaitForInitialMetadata(), format == Format::kText) {
    std::fprintf(stderr, "subscribed to alerts at %s\n", target.c_str());
  }
  int64_t n = 0;
  ww::v1::AlertBatch batch;
  std::string cursor;
  bool done = false;
  while (!done && reader->Read(&batch)) {
    for (const ww::v1::Alert& alert : batch.alerts()) {
      Print(alert, format);
      cursor = alert.cursor();
      if (limit > 0 && ++n >= limit) {
        ctx->TryCancel();
        done = true;
        break;
      }
    }
  }
  grpc::Status s = reader->Finish();
  if (!cursor.empty() && format == Format::kText) {
    std::fprintf(stderr, "to resume: wwctl alerts tail --cursor %s\n", cursor.c_str());
  }
  if (limit > 0 && n >= limit) return 0;
  if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    // The timeout is the normal end of a bounded tail. With a limit not reached, say so
    // and fail, so scripts notice missing alerts.
    if (limit == 0) return 0;
    return Fail("alerts tail", absl::StrCat("timed out after ", n, " of ", limit, " alerts"), 3);
  }
  if (!s.ok()) return FailRpc("alerts tail", target, s);
  return 0;
}

// A time as every wwctl command takes it (ParseTimeArg: 2026-11-28, 2026-11-28T10:00:00Z,
// "now", or an age like 3d); 0 for empty.
absl::StatusOr<int64_t> TimeArg(const std::string& v) {
  if (v.empty()) return 0;
  return ParseTimeArg(v);
}

int AlertsList(const ParsedArgs& a) {
  auto since = TimeArg(a.value("since"));
  auto until = TimeArg(a.value("until"));
  if (!since.ok()) return Fail("alerts list", std::string(since.status().message()), 2);
  if (!until.ok()) return Fail("alerts list", std::string(until.status().message()), 2);
  int limit = 0;
  if (!absl::SimpleAtoi(a.value("limit"), &limit) || limit < 0) {
    return Fail("alerts list", "--limit must be a whole number", 2);
  }
  const Format format = FormatFromFlag(a.value("output"));
  const std::string target = a.value("alerter");
  auto stub = ww::v1::AlertService::NewStub(Channel(a, target));
  ww::v1::ListAlertsRequest req;
  req.set_since_unix_ms(*since);
  req.set_until_unix_ms(*until);
  *req.mutable_filter() = Filter(a);
  req.set_page_size(200);
  int shown = 0;
  do {
    auto ctx = Context(a, absl::Seconds(30));
    ww::v1::ListAlertsResponse resp;
    grpc::Status s = stub->ListAlerts(ctx.get(), req, &resp);
    if (!s.ok()) return FailRpc("alerts list", target, s);
    for (const auto& al : resp.alerts()) {
      Print(al, format);
      if (limit > 0 && ++shown >= limit) return 0;
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  return 0;
}

int RulesPut(const ParsedArgs& a, bool replace_all, const std::string& command) {
  if (a.positional().size() != 1) return Fail(command, "give exactly one FILE", 2);
  auto text = ReadFile(a.positional()[0]);
  if (!text.ok()) return Fail(command, std::string(text.status().message()));
  // Check locally first: the same parser the alerter uses, with the file's name in errors.
  auto rules = alerting::ParseRulesYaml(*text);
  if (!rules.ok()) {
    return Fail(command, absl::StrCat(a.positional()[0], ": ", rules.status().message()), 2);
  }
  const std::string target = a.value("alerter");
  auto stub = ww::v1::RuleService::NewStub(Channel(a, target));
  ww::v1::PutRulesRequest req;
  req.set_yaml(*text);
  req.set_replace_all(replace_all);
  auto ctx = Context(a, absl::Seconds(30));
  ww::v1::PutRulesResponse resp;
  grpc::Status s = stub->PutRules(ctx.get(), req, &resp);
  if (!s.ok()) return FailRpc(command, target, s);
  std::printf("rules applied: %d written, %d removed\n", resp.upserted(), resp.deleted());
  return 0;
}

int RulesRemove(const ParsedArgs& a) {
  if (a.positional().size() != 1) return Fail("rules remove", "give exactly one rule ID", 2);
  const std::string target = a.value("alerter");
  auto stub = ww::v1::RuleService::NewStub(Channel(a, target));
  ww::v1::DeleteRuleRequest req;
  req.set_id(a.positional()[0]);
  auto ctx = Context(a, absl::Seconds(30));
  ww::v1::DeleteRuleResponse resp;
  grpc::Status s = stub->DeleteRule(ctx.get(), req, &resp);
  if (!s.ok()) return FailRpc("rules remove", target, s);
  std::printf("rule %s removed\n", req.id().c_str());
  return 0;
}

int RulesList(const ParsedArgs& a) {
  const std::string target = a.value("alerter");
  auto stub = ww::v1::RuleService::NewStub(Channel(a, target));
  auto ctx = Context(a, absl::Seconds(10));
  ww::v1::ListRulesResponse resp;
  grpc::Status s = stub->ListRules(ctx.get(), {}, &resp);
  if (!s.ok()) return FailRpc("rules list", target, s);
  if (FormatFromFlag(a.value("output")) == Format::kJson) {
    for (const auto& r : resp.rules()) std::printf("%s\n", ToJsonLine(r).c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : resp.rules()) rows.push_back({r.id(), r.owner(), r.yaml()});
  std::fputs(Table({"ID", "TENANT", "RULE"}, rows).c_str(), stdout);
  return 0;
}

int RulesTest(const ParsedArgs& a) {
  const std::string rules_file = a.value("rules");
  if (rules_file.empty()) return Fail("rules test", "--rules FILE is required", 2);
  auto rules = alerting::LoadRulesFile(rules_file);
  if (!rules.ok()) return Fail("rules test", std::string(rules.status().message()), 2);
  const std::string wl_file = a.value("watchlist").empty() ? rules_file : a.value("watchlist");
  auto wl = tagging::LoadWatchlistFile(wl_file);
  if (!wl.ok()) return Fail("rules test", std::string(wl.status().message()), 2);
  auto matcher = tagging::Matcher::Build(*wl);
  if (!matcher.ok()) return Fail("rules test", std::string(matcher.status().message()), 2);
  if (a.positional().empty()) return Fail("rules test", "give one or more ARTICLE files", 2);
  const Format format = FormatFromFlag(a.value("output"));
  int status = 0;
  for (const std::string& file : a.positional()) {
    auto text = ReadFile(file);
    if (!text.ok()) {
      status = Fail("rules test", std::string(text.status().message()));
      continue;
    }
    alerting::TaggedStory story{file, file, a.value("source"), a.value("language"), "", *text, {}};
    for (const tagging::Mention& m : (*matcher)->FindAll(*text)) {
      story.mentions.push_back({m.entity_id, m.alias, "text", m.start, m.end, m.text, m.snippet});
    }
    for (const alerting::Rule& rule : *rules) {
      alerting::RuleResult r = alerting::EvaluateRule(rule, story);
      if (format == Format::kJson) {
        std::puts(runtime::ToJsonLine(
                      {{"article", file}, {"rule", rule.id}, {"fired", r.fired}, {"why", r.why}})
                      .c_str());
      } else {
        std::printf("%s\t%s\t%s\t%s\n", file.c_str(), rule.id.c_str(), r.fired ? "FIRES" : "quiet",
                    r.why.c_str());
      }
    }
  }
  return status;
}

}  // namespace

void AddAlertCommands(Cli& cli) {
  std::vector<OptionSpec> tail = kFilterOptions;
  tail.insert(tail.end(),
              {{"cursor", "CURSOR", "resume after the alert that carried this cursor", ""},
               {"limit", "N", "exit after N alerts (0: never)", "0"},
               {"timeout", "DURATION", "exit after this long (30s, 5m, 1h)", ""},
               {"output", "FORMAT", "text (readable) or json (an object a line)", "text"}});
  cli.Add({{"alerts", "tail"},
           "Streams alerts as they are raised (and updated), resumable with --cursor.",
           "[--entity ID]... [--rule ID]... [--min-severity LEVEL] [--cursor C] [--limit N] "
           "[--timeout D] [--output json]",
           "wwctl alerts tail --rule kim-putin-summit --min-severity high --output json",
           tail,
           AlertsTail});
  std::vector<OptionSpec> list = kFilterOptions;
  list.insert(
      list.end(),
      {{"since", "TIME", "a time (2026-11-28, 2026-11-28T10:00:00Z) or an age like 3d", "7d"},
       {"until", "TIME", "a time, \"now\" or an age like 1h (default: now)", ""},
       {"limit", "N", "show at most N alerts (0: all)", "0"},
       {"output", "FORMAT", "text or json", "text"}});
  cli.Add({{"alerts", "list"},
           "Lists past alerts by time range and filter.",
           "[--since TIME] [--until TIME] [filters] [--output json]",
           "wwctl alerts list --since 2d --entity kim-jong-un",
           list,
           AlertsList});
  cli.Add({{"rules", "apply"},
           "Sets the tenant's rules to those in FILE (`rules:`); others are removed.",
           "FILE",
           "wwctl rules apply samples/watchlist.yaml",
           {},
           [](const ParsedArgs& a) { return RulesPut(a, true, "rules apply"); }});
  cli.Add({{"rules", "add"},
           "Adds or replaces the rules in FILE, keeping the others.",
           "FILE",
           "wwctl rules add my-rule.yaml",
           {},
           [](const ParsedArgs& a) { return RulesPut(a, false, "rules add"); }});
  cli.Add({{"rules", "remove"},
           "Removes one rule.",
           "ID",
           "wwctl rules remove kim-putin-summit",
           {},
           RulesRemove});
  cli.Add({{"rules", "list"},
           "Lists the tenant's rules.",
           "[--output json]",
           "wwctl rules list",
           {{"output", "FORMAT", "text or json", "text"}},
           RulesList});
  cli.Add({{"rules", "test"},
           "Evaluates rules offline on article files and says which fire and why.",
           "--rules FILE [--watchlist FILE] [--output json] ARTICLE...",
           "wwctl rules test --rules samples/watchlist.yaml samples/articles/kim-train.txt",
           {{"rules", "FILE", "YAML with `rules:`", ""},
            {"watchlist", "FILE", "YAML with `entities:` (default: the rules file)", ""},
            {"source", "S", "source to assume for the articles", ""},
            {"language", "L", "language to assume for the articles", ""},
            {"output", "FORMAT", "text or json (an object per article and rule)", "text"}},
           RulesTest});
}

}  // namespace ww::wwctl
