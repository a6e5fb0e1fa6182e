// rowchain completion bash: a completion script made from the app's own subcommands and flags,
// so it cannot drift from them. Install: rowchain completion bash > /etc/bash_completion.d/rowchain
#include <cstdio>

#include <fmt/format.h>

#include "cli/commands.h"

namespace rowchain::cli {
namespace {

std::vector<std::string> FlagsOf(const CLI::App& app) {
  std::vector<std::string> flags;
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& name : opt->get_lnames()) flags.push_back("--" + name);
  }
  return flags;
}

std::vector<std::string> SubcommandsOf(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

std::string BashScript(const CLI::App& app) {
  std::vector<std::string> top = SubcommandsOf(app);
  std::vector<std::string> global = FlagsOf(app);
  std::erase(global, "--help");  // every subcommand has its own
  std::string cases;
  for (const CLI::App* sub : app.get_subcommands({})) {
    std::vector<std::string> words = FlagsOf(*sub);
    for (const std::string& nested : SubcommandsOf(*sub)) words.push_back(nested);
    words.insert(words.end(), global.begin(), global.end());
    cases += fmt::format("    {}) words=\"{}\" ;;\n", sub->get_name(), fmt::join(words, " "));
  }
  return fmt::format(R"(# bash completion for rowchain, made by `rowchain completion bash`
_rowchain() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} subcommands="{0}" sub="" words i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case " $subcommands " in *" ${{COMP_WORDS[i]}} "*) sub=${{COMP_WORDS[i]}}; break ;; esac
  done
  case $sub in
    "") words="$subcommands {1}" ;;
{2}    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  if [[ -n $sub && $cur != -* ]]; then COMPREPLY+=($(compgen -f -- "$cur")); fi
}}
complete -F _rowchain rowchain
)",
                     fmt::join(top, " "), fmt::join(global, " "), cases);
}

}  // namespace

void AddCompletionCommand(CLI::App& app, int* exit_code) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("completion", "Print a shell completion script (bash)");
  cmd->add_option("shell", *shell, "bash")->required()->check(CLI::IsMember({"bash"}));
  CLI::App* root = &app;
  cmd->callback([root, shell, exit_code] {
    std::fputs(BashScript(*root).c_str(), stdout);
    *exit_code = kExitOk;
  });
}

}  // namespace rowchain::cli
