#include <cuda_runtime.h>

#include <string>

#include "kernels/cuda_nonce_search.h"

namespace rowchain::cuda {

StatusOr<std::vector<DeviceInfo>> ListUsableDevices() {
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  // On a machine without a GPU this often says "driver insufficient" rather than "no device";
  // either way there is no usable GPU, and the message says which it was.
  if (err == cudaErrorNoDevice || (err == cudaSuccess && count == 0)) {
    return FailedPreconditionError("no CUDA device found");
  }
  if (err == cudaErrorInsufficientDriver) {
    return FailedPreconditionError(
        "no usable NVIDIA driver (none installed, or older than this CUDA runtime)");
  }
  if (err != cudaSuccess) {
    return FailedPreconditionError(std::string("no usable GPU: ") + cudaGetErrorString(err));
  }
  std::vector<DeviceInfo> devices;
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    devices.push_back({i, prop.name, prop.multiProcessorCount, prop.major, prop.minor});
  }
  if (devices.empty()) return FailedPreconditionError("no CUDA device could be queried");
  return devices;
}

}  // namespace rowchain::cuda
