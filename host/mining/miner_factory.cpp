#include <thread>

#include <fmt/format.h>

#include "crypto/nonce_scan.h"
#include "mining/backends.h"
#include "mining/cpu_miner.h"
#include "mining/miner.h"

namespace rowchain::mining {
namespace {

StatusOr<MinerChoice> CreateCpuMiner(const MinerOptions& options, std::string reason) {
  crypto::ScanPath path = crypto::FastestScanPath();
  if (options.cpu_path) {
    std::optional<crypto::ScanPath> forced = crypto::ScanPathFromName(*options.cpu_path);
    if (!forced) {
      return InvalidArgumentError(fmt::format(
          "unknown CPU path '{}' (expected avx512, sha-ni, avx2 or portable)", *options.cpu_path));
    }
    if (Status usable = crypto::ScanPathUsable(*forced); !usable.ok()) {
      return FailedPreconditionError(usable.message());
    }
    path = *forced;
  }
  unsigned threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  return MinerChoice{std::make_unique<CpuMiner>(path, threads), std::move(reason)};
}

}  // namespace

StatusOr<MinerChoice> CreateMiner(const MinerOptions& options) {
  if (options.backend == "cpu") return CreateCpuMiner(options, "cpu backend requested");
  if (options.backend == "cuda" || options.backend == "auto") {
    BackendInfo cuda = CudaBackendInfo();
    if (cuda.usable) return CreateCudaMiner(options);
    if (options.backend == "cuda") {
      return FailedPreconditionError(fmt::format("cuda backend unavailable: {}", cuda.reason));
    }
    return CreateCpuMiner(options, fmt::format("cpu backend chosen: no usable GPU ({})", cuda.reason));
  }
  return InvalidArgumentError(
      fmt::format("unknown backend '{}' (expected auto, cpu or cuda)", options.backend));
}

}  // namespace rowchain::mining
