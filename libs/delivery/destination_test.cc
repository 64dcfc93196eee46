#include "libs/delivery/destination.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "gtest/gtest.h"

namespace ww::delivery {
namespace {

std::string Error(const std::string& yaml) {
  auto r = ParseDestinationsYaml(yaml, "desk-a");
  return r.ok() ? "" : std::string(r.status().message());
}

// Every field but `yaml`, which is compared on its own.
void ExpectSame(const Destination& a, const Destination& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.owner, b.owner);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.url, b.url);
  EXPECT_EQ(a.secret, b.secret);
  EXPECT_EQ(a.secret_env, b.secret_env);
  EXPECT_EQ(a.to, b.to);
  EXPECT_EQ(a.smtp, b.smtp);
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(a.filter.tenant, b.filter.tenant);
  EXPECT_EQ(a.filter.entities, b.filter.entities);
  EXPECT_EQ(a.filter.rules, b.filter.rules);
  EXPECT_EQ(a.filter.min_severity, b.filter.min_severity);
  EXPECT_EQ(a.updates, b.updates);
  EXPECT_EQ(a.rate_per_second, b.rate_per_second);
  EXPECT_EQ(a.give_up_after, b.give_up_after);
}

constexpr char kHeaderExample[] = R"(
destinations:
  - id: desk-webhook
    type: webhook                      # webhook | slack | teams | email
    url: https://hooks.example.org/ww
    secret_env: DESK_WEBHOOK_SECRET    # or secret: whsec_... (Standard Webhooks)
    entities: [kim-jong-un]            # filter, as subscriptions: entities, rules,
    rules: [kim-putin-summit]          #   min_severity; empty means every alert
    min_severity: medium
    updates: false                     # also deliver updates (version > 1) of an alert
    rate_per_second: 1                 # default: 1 for slack, 10 otherwise
    give_up_after: 24h                 # then the delivery goes to the dead-letter topic
  - id: desk-slack
    type: slack
    url: https://hooks.slack.com/services/T000/B000/XXXX
  - id: desk-mail
    type: email
    to: [desk@example.org]
    smtp: smtp://mail.example.org:587
    digest: 15m                        # 0: one mail per alert
  - id: desk-teams
    type: teams
    url: "https://example.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x"
    secret_env: NOT_FOR_TEAMS
)";

TEST(ParseDestinations, TheHeaderExample) {
  // The last one is wrong on purpose: a Teams destination takes no secret.
  EXPECT_EQ(Error(kHeaderExample),
            "line 24: destination 4 'desk-teams': secret_env: is only for webhook and email "
            "destinations");
  std::string yaml = kHeaderExample;
  yaml.erase(yaml.find("    secret_env: NOT_FOR_TEAMS"));
  auto ds = ParseDestinationsYaml(yaml, "desk-a");
  ASSERT_TRUE(ds.ok()) << ds.status();
  ASSERT_EQ(ds->size(), 4u);

  const Destination& hook = (*ds)[0];
  EXPECT_EQ(hook.id, "desk-webhook");
  EXPECT_EQ(hook.owner, "desk-a");
  EXPECT_EQ(hook.type, DestinationType::kWebhook);
  EXPECT_EQ(hook.url, "https://hooks.example.org/ww");
  EXPECT_EQ(hook.secret, "");
  EXPECT_EQ(hook.secret_env, "DESK_WEBHOOK_SECRET");
  EXPECT_EQ(hook.filter.tenant, "desk-a") << "the filter is the owner's";
  EXPECT_EQ(hook.filter.entities, std::set<std::string>{"kim-jong-un"});
  EXPECT_EQ(hook.filter.rules, std::set<std::string>{"kim-putin-summit"});
  EXPECT_EQ(hook.filter.min_severity, alerting::Severity::kMedium);
  EXPECT_FALSE(hook.updates);
  EXPECT_EQ(hook.rate_per_second, 1);
  EXPECT_EQ(hook.give_up_after, absl::Hours(24));

  const Destination& slack = (*ds)[1];
  EXPECT_EQ(slack.type, DestinationType::kSlack);
  EXPECT_EQ(slack.rate_per_second, 1) << "Slack's incoming webhooks take one message a second";
  EXPECT_TRUE(slack.filter.entities.empty());
  EXPECT_EQ(slack.filter.min_severity, alerting::Severity::kInfo);

  const Destination& mail = (*ds)[2];
  EXPECT_EQ(mail.type, DestinationType::kEmail);
  EXPECT_EQ(mail.to, std::vector<std::string>{"desk@example.org"});
  EXPECT_EQ(mail.smtp, "smtp://mail.example.org:587");
  EXPECT_EQ(mail.digest, absl::Minutes(15));
  EXPECT_EQ(mail.url, "");
  EXPECT_EQ(mail.rate_per_second, 10);

  const Destination& teams = (*ds)[3];
  EXPECT_EQ(teams.type, DestinationType::kTeams);
  EXPECT_EQ(teams.rate_per_second, 10);
  EXPECT_EQ(teams.give_up_after, absl::Hours(24));
}

// What the README and `wwctl destinations apply --help` point users to must load.
TEST(ParseDestinations, TheSampleFileLoads) {
  const char* src = std::getenv("WW_SOURCE_DIR");
  ASSERT_NE(src, nullptr) << "run through ctest (it sets WW_SOURCE_DIR)";
  std::ifstream in(std::string(src) + "/samples/destinations.yaml");
  ASSERT_TRUE(in) << "samples/destinations.yaml is missing";
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = ParseDestinationsYaml(text.str(), "default");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::set<DestinationType> types;
  for (const Destination& d : *parsed) types.insert(d.type);
  EXPECT_EQ(types.size(), 4u) << "one destination of each type";
}

TEST(ParseDestinations, TheStoredYamlParsesBackToTheSameDestination) {
  auto ds = ParseDestinationsYaml(R"(
destinations:
  - id: full
    type: webhook
    url: "https://hooks.example.org/ww?a=1,2&b=[x]%20y#frag"
    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
    entities: [kim-jong-un, vladimir-putin]
    rules: [kim-putin-summit, "mention:kim-jong-un"]
    min_severity: high
    updates: true
    rate_per_second: 2.5
    give_up_after: 90m
  - id: mail
    type: email
    to: [a@example.org, "b+desk@example.org"]
    smtp: smtps://mail.example.org
    digest: 0
  - {id: slack, type: slack, url: 'https://hooks.slack.com/services/T/B/X', give_up_after: 90s}
)",
                                  "desk-b");
  ASSERT_TRUE(ds.ok()) << ds.status();
  ASSERT_EQ(ds->size(), 3u);
  EXPECT_EQ((*ds)[0].rate_per_second, 2.5);
  EXPECT_EQ((*ds)[0].give_up_after, absl::Minutes(90));
  EXPECT_TRUE((*ds)[0].updates);
  EXPECT_EQ((*ds)[1].digest, absl::ZeroDuration());
  EXPECT_EQ((*ds)[2].give_up_after, absl::Seconds(90));
  for (const Destination& d : *ds) {
    SCOPED_TRACE(d.yaml);
    ASSERT_FALSE(d.yaml.empty());
    auto again = ParseDestinationYaml(d.yaml, "desk-b");
    ASSERT_TRUE(again.ok()) << again.status();
    ExpectSame(*again, d);
    EXPECT_EQ(again->yaml, d.yaml) << "storing the stored form changes nothing";
  }
}

TEST(ParseDestinations, ADocumentThatIsOneDestination) {
  auto one = ParseDestinationsYaml("id: solo\ntype: slack\nurl: https://hooks.slack.com/x\n", "t");
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].id, "solo");
  EXPECT_EQ((*one)[0].owner, "t");

  // A watchlist file without destinations has none; its other keys are other parsers' business.
  auto none = ParseDestinationsYaml("entities: [{id: kim}]\nrules: []\n", "t");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  auto empty = ParseDestinationsYaml("destinations:\n", "t");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());

  EXPECT_EQ(std::string(ParseDestinationYaml("{id: d1, type: webhook}", "t").status().message()),
            "line 1: destination 'd1': url: is required");
}

TEST(ParseDestinations, ErrorsNameTheLineTheDestinationAndTheField) {
  const std::string hook =
      "destinations:\n  - id: d1\n    type: webhook\n    url: https://h.example/x\n";
  EXPECT_EQ(Error(hook + "    colour: red\n"),
            "line 5: destination 1 'd1': colour: unknown field (expected id, type, url, secret, "
            "secret_env, to, smtp, digest, entities, rules, min_severity, updates, "
            "rate_per_second, give_up_after)");
  EXPECT_EQ(Error("destinations:\n  - id: d1\n    type: pager\n"),
            "line 3: destination 1 'd1': type: must be webhook, slack, teams or email");
  EXPECT_EQ(Error("destinations:\n  - id: d1\n    url: https://h.example/x\n"),
            "line 2: destination 1 'd1': type: is required (webhook, slack, teams or email)");
  EXPECT_EQ(Error("destinations:\n  - id: d1\n    type: slack\n"),
            "line 2: destination 1 'd1': url: is required");
  EXPECT_EQ(Error("destinations:\n  - id: d1\n    type: webhook\n    url: ftp://h.example/x\n"),
            "line 4: destination 1 'd1': url: must be an http or https URL with a host");
  EXPECT_EQ(Error("destinations:\n  - id: d1\n    type: webhook\n    url: /relative/path\n"),
            "line 4: destination 1 'd1': url: must be an http or https URL with a host");
  EXPECT_EQ(Error("destinations:\n  - id: d1\n    type: webhook\n    url: [https://h.example]\n"),
            "line 4: destination 1 'd1': url: must be an http or https URL with a host");
  EXPECT_EQ(Error(hook + "    secret: MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"),
            "line 5: destination 1 'd1': secret: must be \"whsec_\" followed by a base64 key "
            "(Standard Webhooks)");
  EXPECT_EQ(Error(hook + "    secret: whsec_not*base64!\n"),
            "line 5: destination 1 'd1': secret: must be \"whsec_\" followed by a base64 key "
            "(Standard Webhooks)");
  EXPECT_EQ(Error(hook + "    secret: whsec_\n"),
            "line 5: destination 1 'd1': secret: must be \"whsec_\" followed by a base64 key "
            "(Standard Webhooks)");
  EXPECT_EQ(Error(hook + "    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n    secret_env: S\n"),
            "line 2: destination 1 'd1': secret: give secret or secret_env, not both");
  EXPECT_EQ(Error(hook + "    secret_env: not a name\n"),
            "line 5: destination 1 'd1': secret_env: must be an environment variable name");
  EXPECT_EQ(
      Error(hook + "    min_severity: urgent\n"),
      "line 5: destination 1 'd1': min_severity: must be info, low, medium, high or critical");
  EXPECT_EQ(
      Error(hook + "    give_up_after: a day\n"),
      "line 5: destination 1 'd1': give_up_after: 'a day' is not a duration like 30m, 6h or 1d");
  // Durations are read as everywhere else in Wirewatch: whole days too.
  auto days = ParseDestinationsYaml(hook + "    give_up_after: 2d\n", "default");
  ASSERT_TRUE(days.ok()) << days.status();
  EXPECT_EQ((*days)[0].give_up_after, absl::Hours(48));
  EXPECT_EQ(Error(hook + "    give_up_after: 0s\n"),
            "line 5: destination 1 'd1': give_up_after: must be more than 0");
  EXPECT_EQ(Error(hook + "    rate_per_second: 0\n"),
            "line 5: destination 1 'd1': rate_per_second: must be more than 0");
  EXPECT_EQ(Error(hook + "    rate_per_second: -1\n"),
            "line 5: destination 1 'd1': rate_per_second: must be more than 0");
  EXPECT_EQ(Error(hook + "    rate_per_second: fast\n"),
            "line 5: destination 1 'd1': rate_per_second: must be a number");
  EXPECT_EQ(Error(hook + "    updates: sometimes\n"),
            "line 5: destination 1 'd1': updates: must be true or false");
  EXPECT_EQ(Error(hook + "    entities: [Kim Jong Un]\n"),
            "line 5: destination 1 'd1': entities: 'Kim Jong Un' is not an id (lowercase letters, "
            "digits, '.', '_' and '-', starting with a letter or a digit)");
  EXPECT_EQ(Error(hook + "  - id: d1\n    type: slack\n    url: https://h.example/y\n"),
            "line 5: destination 2 'd1': id: is used twice");
  EXPECT_EQ(Error("destinations:\n  - id: Desk Hook\n    type: webhook\n"),
            "line 2: destination 1 'Desk Hook': id: is required: lowercase letters, digits, '.', "
            "'_' and '-', starting with a letter or a digit");
  EXPECT_EQ(Error("destinations:\n  - type: webhook\n"),
            "line 2: destination 1 '?': id: is required: lowercase letters, digits, '.', '_' and "
            "'-', starting with a letter or a digit");
  EXPECT_EQ(Error("destinations: {id: d1}\n"), "line 1: destinations must be a list");
  EXPECT_EQ(Error("destinations:\n  - [d1]\n"),
            "line 2: destination 1 '?': destination: must be a mapping with id and type");
  EXPECT_NE(Error("destinations: [\n"), "") << "a YAML syntax error is refused too";
}

TEST(ParseDestinations, EachTypeTakesOnlyItsOwnKeys) {
  const std::string mail =
      "destinations:\n  - id: m\n    type: email\n    to: [desk@example.org]\n"
      "    smtp: smtp://mail.example.org\n";
  ASSERT_EQ(Error(mail), "");
  EXPECT_EQ(Error(mail + "    url: https://h.example/x\n"),
            "line 6: destination 1 'm': url: is only for webhook, slack and teams destinations");
  EXPECT_EQ(Error(mail + "    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"),
            "line 6: destination 1 'm': secret: is only for webhook destinations");
  EXPECT_EQ(Error("destinations:\n  - id: m\n    type: email\n    smtp: smtp://mail.example.org\n"),
            "line 2: destination 1 'm': to: is required (a list of addresses)");
  EXPECT_EQ(Error("destinations:\n  - id: m\n    type: email\n    to: []\n"
                  "    smtp: smtp://mail.example.org\n"),
            "line 2: destination 1 'm': to: is required (a list of addresses)");
  EXPECT_EQ(Error("destinations:\n  - id: m\n    type: email\n    to: [desk@example.org]\n"),
            "line 2: destination 1 'm': smtp: is required");
  EXPECT_EQ(Error("destinations:\n  - id: m\n    type: email\n    to: [desk@example.org]\n"
                  "    smtp: https://mail.example.org\n"),
            "line 5: destination 1 'm': smtp: must be an smtp:// or smtps:// URL with a host");
  // An address that could add a recipient or a header line is not an address.
  EXPECT_EQ(Error("destinations:\n  - id: m\n    type: email\n"
                  "    to: [\"desk@example.org\\r\\nBcc: x@evil.example\"]\n"
                  "    smtp: smtp://mail.example.org\n"),
            "line 4: destination 1 'm': to: 'desk@example.org\r\nBcc: x@evil.example' is not an "
            "email address");
  EXPECT_NE(Error("destinations:\n  - id: m\n    type: email\n    to: [desk]\n"
                  "    smtp: smtp://mail.example.org\n"),
            "");
  EXPECT_EQ(Error("destinations:\n  - id: s\n    type: slack\n    url: https://h.example/x\n"
                  "    digest: 15m\n"),
            "line 5: destination 1 's': digest: is only for email destinations");
}

TEST(ResolveSecret, FromTheDestinationOrItsEnvironmentVariable) {
  Destination d;
  d.id = "d1";
  EXPECT_EQ(*ResolveSecret(d), "") << "no secret: unsigned";
  EXPECT_EQ(SecretHint(d), "");
  d.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  EXPECT_EQ(*ResolveSecret(d), d.secret);
  EXPECT_EQ(SecretHint(d), "…LaSw");

  Destination e;
  e.id = "d2";
  e.secret_env = "WW_DELIVERY_TEST_SECRET";
  ::unsetenv("WW_DELIVERY_TEST_SECRET");
  auto unset = ResolveSecret(e);
  EXPECT_EQ(unset.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unset.status().message(),
            "destination 'd2': environment variable WW_DELIVERY_TEST_SECRET is not set");
  ::setenv("WW_DELIVERY_TEST_SECRET", "whsec_c2VjcmV0", 1);
  EXPECT_EQ(*ResolveSecret(e), "whsec_c2VjcmV0");
  EXPECT_EQ(SecretHint(e), "") << "the value is not the destination's to show";
  ::unsetenv("WW_DELIVERY_TEST_SECRET");
}

ww::v1::Alert Alert(const std::string& owner, const std::string& rule, const std::string& entity,
                    const std::string& severity) {
  ww::v1::Alert a;
  a.set_owner(owner);
  a.set_rule_id(rule);
  a.set_entity_id(entity);
  a.set_severity(severity);
  a.set_version(1);
  return a;
}

TEST(AlertFilter, AdmitsAsTheSubscriptionsDo) {
  AlertFilter any;
  EXPECT_TRUE(any.Admits(Alert("t1", "r1", "kim", "info")));

  AlertFilter f;
  f.tenant = "t1";
  f.entities = {"kim", "putin"};
  f.rules = {"r1"};
  f.min_severity = alerting::Severity::kMedium;
  EXPECT_TRUE(f.Admits(Alert("t1", "r1", "kim", "medium")));
  EXPECT_TRUE(f.Admits(Alert("t1", "r1", "kim", "critical")));
  EXPECT_FALSE(f.Admits(Alert("t2", "r1", "kim", "high"))) << "another tenant's alert";
  EXPECT_FALSE(f.Admits(Alert("t1", "r2", "kim", "high"))) << "another rule";
  EXPECT_FALSE(f.Admits(Alert("t1", "r1", "xi", "high"))) << "another entity";
  EXPECT_FALSE(f.Admits(Alert("t1", "r1", "kim", "low"))) << "below min_severity";
  EXPECT_TRUE(f.Admits(Alert("t1", "r1", "kim", "loud"))) << "an unreadable severity is shown";
  EXPECT_TRUE(f.Admits(Alert("t1", "r1", "kim", ""))) << "an unreadable severity is shown";

  ww::v1::Alert both = Alert("t1", "r1", "xi", "high");
  both.add_entity_ids("xi");
  both.add_entity_ids("putin");
  EXPECT_TRUE(f.Admits(both)) << "any of the entities the rule matched";
}

TEST(Wants, UpdatesOnlyWhenAskedFor) {
  Destination d;
  d.filter.tenant = "t1";
  ww::v1::Alert a = Alert("t1", "r1", "kim", "high");
  EXPECT_TRUE(Wants(d, a));
  a.set_version(2);
  EXPECT_FALSE(Wants(d, a));
  d.updates = true;
  EXPECT_TRUE(Wants(d, a));
  a.set_owner("t2");
  EXPECT_FALSE(Wants(d, a)) << "the filter still applies";
}

TEST(TypeName, NamesAsInYaml) {
  EXPECT_EQ(TypeName(DestinationType::kWebhook), "webhook");
  EXPECT_EQ(TypeName(DestinationType::kSlack), "slack");
  EXPECT_EQ(TypeName(DestinationType::kTeams), "teams");
  EXPECT_EQ(TypeName(DestinationType::kEmail), "email");
}

}  // namespace
}  // namespace ww::delivery
