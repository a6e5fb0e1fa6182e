// What each mining backend is and whether it can run on this machine, for
// `rowchain backends` and the "auto" choice. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "mining/miner.h"

namespace rowchain::mining {

struct BackendInfo {
  std::string name;       // "cpu", "cuda", or a CPU path "cpu/avx512"
  bool compiled = false;  // built into this binary
  bool usable = false;    // can run here now
  std::string reason;     // why not, when !usable
};

// The cpu backend, then each CPU path, then cuda.
std::vector<BackendInfo> ListBackends();

BackendInfo CudaBackendInfo();
// The ordinals of the GPUs the cuda backend can use here (empty without one).
std::vector<int> UsableCudaOrdinals();
// Precondition: CudaBackendInfo().usable.
StatusOr<MinerChoice> CreateCudaMiner(const MinerOptions& options);

}  // namespace rowchain::mining
