// GPUs taken out of the mining rotation: too hot (`rowchaind --max-gpu-temp`), or failing.
// The GPU watch (service/monitor/gpu_watch.h) pauses and resumes them; the CUDA miner skips a
// paused device's share of the nonce range (the next template covers it again). Indexed in PCI
// bus order, as NVML numbers devices; rowchaind sets CUDA_DEVICE_ORDER=PCI_BUS_ID so CUDA's
// ordinals are the same. Process-wide; thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace rowchain::mining {

class DevicePauses {
 public:
  static DevicePauses& Get();
  void Pause(unsigned device, const std::string& reason);
  void Resume(unsigned device);
  // Why the device is paused, or nullopt when it mines.
  std::optional<std::string> ReasonOf(unsigned device) const;

 private:
  mutable std::mutex m_mutex;
  std::map<unsigned, std::string> m_paused;
};

}  // namespace rowchain::mining
