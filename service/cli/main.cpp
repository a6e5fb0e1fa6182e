// rowchain: the command-line tool (mining, benchmarks, backends, chains, database audit).
#include <cstdio>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/node_client.h"

namespace rowchain::cli {

int ReportError(int code, const std::string& message) {
  std::fprintf(stderr, "rowchain: %s\n", message.c_str());
  return code;
}

}  // namespace rowchain::cli

int main(int argc, char** argv) {
  using namespace rowchain::cli;  // NOLINT
  // Logs go to stderr so that --json output on stdout stays machine-readable.
  spdlog::set_default_logger(spdlog::stderr_color_mt("rowchain"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  CLI::App app{"rowchain: a proof-of-work ledger for MySQL", "rowchain"};
  app.require_subcommand(1);
  app.fallthrough();  // node flags (--node, --token, ...) may follow the subcommand too
  int exit_code = kExitOk;
  AddMineHeaderCommand(app, &exit_code);
  AddBenchCommand(app, &exit_code);
  AddBackendsCommand(app, &exit_code);
  AddVerifyCommand(app, &exit_code);
  AddDigestCommand(app, &exit_code);
  AddChainCommand(app, &exit_code);
  AddBenchLedgerCommand(app, &exit_code);
  NodeFlags node_flags;
  AddNodeFlags(app, &node_flags);
  AddNodeCommands(app, &node_flags, &exit_code);
  AddFollowCommands(app, &node_flags, &exit_code);
  AddStatusCommand(app, &exit_code);
  AddPeersCommand(app, &node_flags, &exit_code);
  AddWorkersCommand(app, &node_flags, &exit_code);
  AddLoadTestCommand(app, &node_flags, &exit_code);
  AddBenchNodeCommand(app, &node_flags, &exit_code);
  AddBenchPeersCommand(app, &node_flags, &exit_code);
  AddDevBrokerCommand(app, &exit_code);
  AddFeedReplayCommand(app, &exit_code);
  AddCompletionCommand(app, &exit_code);  // last: it lists everything registered before it
  if (argc == 1) {  // `rowchain` alone: the help, not a complaint
    std::printf("%s", app.help().c_str());
    return kExitOk;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11's own messages can span lines; the contract is one line.
    std::string what = e.what();
    for (char& c : what) if (c == '\n') c = ' ';
    return ReportError(kExitUsage, what);
  }
  return exit_code;
}
