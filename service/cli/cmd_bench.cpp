// rowchain bench: nonce-search speed of a backend over a fixed time.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "consensus/pow.h"
#include "cli/miner_flags.h"

namespace rowchain::cli {
namespace {

struct BenchArgs {
  double seconds = 3;
  bool json = false;
  mining::MinerOptions miner;
};

int Run(const BenchArgs& args) {
  StatusOr<mining::MinerChoice> choice = mining::CreateMiner(args.miner);
  if (!choice.ok()) return ReportError(kExitUsage, choice.status().message());
  mining::Miner& miner = *choice->miner;
  spdlog::info("{}: {}", miner.Describe(), choice->reason);

  // A target no hash meets: every nonce is hashed and none ends the search early.
  mining::SearchRequest request{consensus::BlockHeader{}, consensus::U256(0), 0, mining::kNonceSpace};
  request.header.bits = 0x1d00ffff;
  std::stop_source stop;
  std::jthread timer([&stop, seconds = args.seconds](std::stop_token cancel) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait_for(lock, cancel, std::chrono::duration<double>(seconds), [] { return false; });
    stop.request_stop();
  });

  const auto begin = std::chrono::steady_clock::now();
  uint64_t hashes = 0;
  while (!stop.stop_requested()) {
    ++request.header.time;  // a fresh header for each pass over the nonce space
    StatusOr<mining::SearchResult> r = miner.Search(request, stop.get_token());
    if (!r.ok()) return ReportError(kExitFailure, r.status().message());
    hashes += r->hashes;
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  timer.request_stop();

  const double rate = hashes / elapsed;
  nlohmann::json out = {{"backend", miner.backend()}, {"miner", miner.Describe()},
                        {"threads", args.miner.threads != 0 ? args.miner.threads : std::thread::hardware_concurrency()},
                        {"seconds", elapsed}, {"hashes", hashes}, {"hashes_per_second", rate}};
  if (args.json) {
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("%s: %.2f MH/s (%llu hashes in %.2f s)\n", miner.Describe().c_str(), rate / 1e6,
                static_cast<unsigned long long>(hashes), elapsed);
  }
  return kExitOk;
}

}  // namespace

void AddBenchCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure nonce-search speed (SHA-256d hashes per second)");
  cmd->add_option("--seconds", args->seconds, "how long to measure")->default_val(3.0)->check(CLI::Range(0.1, 3600.0));
  cmd->add_flag("--json", args->json, "machine-readable output");
  AddMinerFlags(cmd, &args->miner);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace rowchain::cli
