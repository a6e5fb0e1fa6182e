// Test helpers: the team's shared vectors and a runner for the rowchain binary.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <vector>

#include "consensus/block_header.h"

namespace rowchain::testing {

struct HeaderVector {
  std::string name;
  std::string header_hex;
  consensus::BlockHeader header;
  uint32_t nonce;
  std::string hash_display_hex;
};

// ../shared/vectors/bitcoin-headers.json; fails the calling test when it cannot be read.
std::vector<HeaderVector> LoadBitcoinHeaderVectors();

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the built `rowchain` binary with `args` (already shell-quoted where needed).
CommandResult RunCli(const std::string& args);
// The same for a command that runs until stopped (`watch`): ended with SIGTERM after `seconds`.
CommandResult RunCliFor(const std::string& args, int seconds);
// Any shell command: its stdout (stderr too if the command redirects it) and exit code.
CommandResult RunShell(const std::string& command);
// One JSON object per non-empty line of `out` (--json output of node commands).
std::vector<nlohmann::json> JsonLines(const std::string& out);
// Rows of the chains' `users` table as a JSON rows file: ids from..from+count-1.
std::string UsersJson(int from, int count);

}  // namespace rowchain::testing
