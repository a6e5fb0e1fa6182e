// The CUDA backend: every selected GPU mines a disjoint slice of the range through a
// kernels/ DeviceSearcher; every nonce a GPU reports is re-checked on the CPU before it is
// used, and a mismatch is counted and logged as a device error, never reported as found.
// Built only with a CUDA toolkit; reach it through CreateMiner.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "kernels/cuda_nonce_search.h"
#include "mining/miner.h"

namespace rowchain::mining {

class CudaMiner final : public Miner {
 public:
  explicit CudaMiner(std::vector<std::unique_ptr<cuda::DeviceSearcher>> devices);

  std::string backend() const override { return "cuda"; }
  std::string Describe() const override;
  StatusOr<SearchResult> Search(const SearchRequest& request, std::stop_token stop) override;

  // GPU-reported candidates that the CPU re-check refuted, since construction.
  uint64_t device_errors() const { return m_device_errors.load(); }
  // Hashes per device during the last Search, in device order.
  std::vector<uint64_t> last_hashes_per_device() const { return m_last_hashes; }
  const std::vector<std::unique_ptr<cuda::DeviceSearcher>>& devices() const { return m_devices; }

 private:
  // A GPU whose kernel launch fails, or that hashes nothing, leaves the rotation for this long
  // (mining::DevicePauses, reason "failing") while the others go on; then it is tried again.
  static constexpr std::chrono::seconds kRetryFailingAfter{60};
  // Whether device d may mine now; brings a failing device back once its time is up.
  bool MayMine(size_t d);
  void TakeOutOfRotation(size_t d, const std::string& why);

  std::vector<std::unique_ptr<cuda::DeviceSearcher>> m_devices;
  std::atomic<uint64_t> m_device_errors{0};
  std::vector<uint64_t> m_last_hashes;
  std::vector<std::chrono::steady_clock::time_point> m_failing_until;  // per device; past: not failing
};

}  // namespace rowchain::mining
