// The `rowchain` command line: each subcommand registers itself on the app and, when run,
// stores the process exit code. Errors are one line on stderr: exit 2 for bad input or a
// backend that cannot run here, 1 for failures while running.
#pragma once

#include <CLI/CLI.hpp>

namespace rowchain::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

void AddMineHeaderCommand(CLI::App& app, int* exit_code);
void AddBenchCommand(CLI::App& app, int* exit_code);
void AddBackendsCommand(CLI::App& app, int* exit_code);
void AddVerifyCommand(CLI::App& app, int* exit_code);
// digest: a signed digest of the stored tip, for `verify --digest` (cmd_digest.cpp).
void AddDigestCommand(CLI::App& app, int* exit_code);
void AddChainCommand(CLI::App& app, int* exit_code);
void AddBenchLedgerCommand(CLI::App& app, int* exit_code);
struct NodeFlags;
// submit, tip, block, proof, verify-proof (cmd_node.cpp); `node` is filled by the app's flags.
void AddNodeCommands(CLI::App& app, const NodeFlags* node, int* exit_code);
// batch and watch: following a batch, and the chain's blocks (cmd_follow.cpp).
void AddFollowCommands(CLI::App& app, const NodeFlags* node, int* exit_code);
// status: the node's summary from its monitoring listener (cmd_status.cpp).
void AddStatusCommand(CLI::App& app, int* exit_code);
// completion: a bash completion script built from the app's own subcommands and flags.
void AddCompletionCommand(CLI::App& app, int* exit_code);
// peers: the node's peer links and bans (cmd_peers.cpp).
void AddPeersCommand(CLI::App& app, const NodeFlags* node, int* exit_code);
// workers: the remote workers mining for the node (cmd_workers.cpp).
void AddWorkersCommand(CLI::App& app, const NodeFlags* node, int* exit_code);
// load-test: many writers and watchers, then what the node stored (cmd_load_test.cpp).
void AddLoadTestCommand(CLI::App& app, const NodeFlags* node, int* exit_code);
void AddBenchNodeCommand(CLI::App& app, const NodeFlags* node, int* exit_code);
void AddBenchPeersCommand(CLI::App& app, const NodeFlags* node, int* exit_code);
void AddDevBrokerCommand(CLI::App& app, int* exit_code);
void AddFeedReplayCommand(CLI::App& app, int* exit_code);

// Prints "rowchain: <message>" to stderr and returns `code`.
int ReportError(int code, const std::string& message);

}  // namespace rowchain::cli
