// wwctl completion bash|zsh: the script comes from the commands registered on the Cli.
#include <cstdio>

#include "tools/wwctl/commands.h"
#include "tools/wwctl/rpc_client.h"

namespace ww::wwctl {

void AddCompletionCommand(Cli& cli) {
  cli.Add({{"completion"},
           "Prints a shell completion script for wwctl's commands and options (bash or zsh).",
           "bash|zsh",
           "source <(wwctl completion bash)   # or put it in ~/.local/share/bash-completion/"
           "completions/wwctl",
           {},
           [&cli](const ParsedArgs& a) {
             if (a.positional().size() != 1) return Fail("completion", "give bash or zsh", 2);
             auto script = cli.Completion(a.positional()[0]);
             if (!script.ok()) return Fail("completion", std::string(script.status().message()), 2);
             std::fputs(script->c_str(), stdout);
             return 0;
           }});
}

}  // namespace ww::wwctl
