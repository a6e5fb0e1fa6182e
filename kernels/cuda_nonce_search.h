// The CUDA nonce search behind a plain C++ header: no CUDA type leaks out, so host/ code can
// call it without including a CUDA header. Built only when a CUDA toolkit is present.
//
// Thread safety: a DeviceSearcher belongs to one thread at a time; ListUsableDevices is
// thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "crypto/nonce_scan.h"
#include "util/status.h"

namespace rowchain::cuda {

struct DeviceInfo {
  int ordinal = 0;
  std::string name;
  int multiprocessors = 0;
  int compute_major = 0, compute_minor = 0;
};

// The devices this process can mine on, or FAILED_PRECONDITION naming why none can: no driver,
// a driver too old for this runtime, no device. Every CUDA error here means "no usable GPU".
StatusOr<std::vector<DeviceInfo>> ListUsableDevices();

struct LaunchConfig {
  int block_size = 0;         // threads per block; 0 = from the occupancy API
  int blocks = 0;             // blocks per launch; 0 = enough to fill every multiprocessor
  int nonces_per_thread = 0;  // 0 = sized so that one launch takes a few milliseconds
};

// Mines on one GPU: bounded launches on one stream with the next launch always queued, results
// through an atomic slot per launch, and a cancel flag the kernel reads at thread start.
class DeviceSearcher {
 public:
  static StatusOr<std::unique_ptr<DeviceSearcher>> Open(int ordinal, const LaunchConfig& config);
  virtual ~DeviceSearcher() = default;

  // The lowest nonce of [first_nonce, first_nonce + count) whose hash's top word is at most
  // job.target_top, like crypto::ScanNonces (the caller confirms it on the CPU).
  virtual StatusOr<crypto::NonceScanResult> Scan(const crypto::NonceScanJob& job,
                                                 uint32_t first_nonce, uint64_t count,
                                                 std::stop_token stop) = 0;
  virtual const DeviceInfo& info() const = 0;
  virtual LaunchConfig config() const = 0;
};

}  // namespace rowchain::cuda
