// The cuda backend when this binary was built without a CUDA toolkit.
#include "mining/backends.h"

namespace rowchain::mining {

BackendInfo CudaBackendInfo() {
  return {"cuda", /*compiled=*/false, /*usable=*/false,
          "this binary was built without CUDA (no CUDA toolkit at configure time)"};
}

std::vector<int> UsableCudaOrdinals() { return {}; }

StatusOr<MinerChoice> CreateCudaMiner(const MinerOptions&) {
  return FailedPreconditionError("cuda backend unavailable: " + CudaBackendInfo().reason);
}

}  // namespace rowchain::mining
