#include "cli/miner_flags.h"

namespace rowchain::cli {

void AddMinerFlags(CLI::App* command, mining::MinerOptions* options) {
  command->add_option("--backend", options->backend, "auto, cpu or cuda")
      ->default_val("auto");
  command->add_option("--threads", options->threads, "CPU threads (0 = every core)")
      ->default_val(0)
      ->check(CLI::Range(0u, 4096u));
  command->add_option("--cpu-path", options->cpu_path,
                      "force a CPU code path: avx512, sha-ni, avx2 or portable");
}

}  // namespace rowchain::cli
