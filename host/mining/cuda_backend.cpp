// The cuda backend when this binary was built with a CUDA toolkit.
#include <algorithm>

#include <fmt/format.h>

#include "kernels/cuda_nonce_search.h"
#include "mining/backends.h"
#include "mining/cuda_miner.h"

namespace rowchain::mining {

BackendInfo CudaBackendInfo() {
  StatusOr<std::vector<cuda::DeviceInfo>> devices = cuda::ListUsableDevices();
  if (!devices.ok()) return {"cuda", /*compiled=*/true, /*usable=*/false, devices.status().message()};
  return {"cuda", /*compiled=*/true, /*usable=*/true, ""};
}

std::vector<int> UsableCudaOrdinals() {
  std::vector<int> ordinals;
  StatusOr<std::vector<cuda::DeviceInfo>> devices = cuda::ListUsableDevices();
  if (devices.ok()) {
    for (const cuda::DeviceInfo& d : *devices) ordinals.push_back(d.ordinal);
  }
  return ordinals;
}

StatusOr<MinerChoice> CreateCudaMiner(const MinerOptions& options) {
  StatusOr<std::vector<cuda::DeviceInfo>> devices = cuda::ListUsableDevices();
  if (!devices.ok()) return FailedPreconditionError("cuda backend unavailable: " + devices.status().message());
  std::vector<int> ordinals = options.devices;
  if (ordinals.empty()) {
    for (const auto& d : *devices) ordinals.push_back(d.ordinal);
  }
  std::vector<std::unique_ptr<cuda::DeviceSearcher>> searchers;
  for (int ordinal : ordinals) {
    bool known = std::any_of(devices->begin(), devices->end(), [&](const auto& d) { return d.ordinal == ordinal; });
    if (!known) {
      return InvalidArgumentError(fmt::format("GPU {} does not exist here ({} usable)", ordinal, devices->size()));
    }
    StatusOr<std::unique_ptr<cuda::DeviceSearcher>> s = cuda::DeviceSearcher::Open(ordinal, {});
    if (!s.ok()) return FailedPreconditionError(fmt::format("GPU {}: {}", ordinal, s.status().message()));
    searchers.push_back(std::move(*s));
  }
  return MinerChoice{std::make_unique<CudaMiner>(std::move(searchers)),
                     fmt::format("cuda backend: {} usable GPU(s)", ordinals.size())};
}

}  // namespace rowchain::mining
