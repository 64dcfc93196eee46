// wwctl tokens create: a new bearer token, shown once, and the line that lets it in.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "libs/rpc/auth.h"
#include "libs/runtime/ids.h"
#include "tools/wwctl/commands.h"
#include "tools/wwctl/rpc_client.h"

namespace ww::wwctl {
namespace {

int TokensCreate(const ParsedArgs& a) {
  const std::string tenant = a.value("tenant");
  if (!runtime::IsValidId(tenant)) {
    return Fail("tokens create", absl::StrCat("--tenant: ", runtime::kIdRule), 2);
  }
  auto role = rpc::ParseRole(a.value("role"));
  if (!role.ok())
    return Fail("tokens create", absl::StrCat("--role: ", role.status().message()), 2);
  const std::string token = rpc::NewToken();
  const std::string line =
      absl::StrCat(rpc::HashToken(token), " ", tenant, " ", std::string(rpc::RoleName(*role)));
  if (const std::string file = a.value("file"); !file.empty()) {
    // The file holds no secret, but who may edit it decides who gets in: owner only.
    const mode_t old = ::umask(077);
    std::ofstream out(file, std::ios::app);
    ::umask(old);
    out << line << "  # created by wwctl\n";
    if (!out) return Fail("tokens create", absl::StrCat("cannot append to ", file));
    std::fprintf(stderr, "added to %s (services read it again within a second or two)\n",
                 file.c_str());
  } else {
    std::fprintf(stderr, "add this line to the tokens file (WW_TOKENS_FILE) of every service:\n");
    std::printf("%s\n", line.c_str());
  }
  std::fprintf(stderr,
               "the token, shown only now (clients pass it as --token or WW_TOKEN; the file "
               "keeps only its hash):\n");
  std::printf("%s\n", token.c_str());
  return 0;
}

}  // namespace

void AddTokenCommands(Cli& cli) {
  cli.Add({{"tokens", "create"},
           "Makes a bearer token for one tenant and role: prints the token once, and the "
           "tokens-file line (its SHA-256, tenant, role) that lets it in.",
           "--tenant TENANT --role subscriber|submitter|editor|admin [--file TOKENS_FILE]",
           "wwctl tokens create --tenant desk-a --role editor --file /etc/wirewatch/tokens\n"
           "  WW_TOKEN=$(wwctl tokens create --tenant desk-a --role subscriber 2>/dev/null | "
           "tail -1)",
           {{"tenant", "TENANT", "who the token acts for (lowercase id)", ""},
            {"role", "ROLE",
             "subscriber (read alerts), submitter (submit articles), editor (watchlist, rules, "
             "feeds, destinations) or admin (everything in the tenant)",
             ""},
            {"file", "FILE", "append the line to this tokens file instead of printing it", ""}},
           TokensCreate});
}

}  // namespace ww::wwctl
