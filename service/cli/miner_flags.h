// Flags shared by the commands that mine: --backend, --threads, --cpu-path.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "mining/miner.h"

namespace rowchain::cli {

void AddMinerFlags(CLI::App* command, mining::MinerOptions* options);

}  // namespace rowchain::cli
