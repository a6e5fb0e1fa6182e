// NVIDIA's management library (NVML), loaded at run time from libnvidia-ml.so.1 (the driver
// installs it; nothing links it at build time), for the GPUs' telemetry: temperature, power,
// clocks, utilization, memory, clock-throttle reasons and XID errors. Without the library or a
// driver, Open says why and nothing else changes. Tests load a stub of the same C interface
// the same way (tests/nvml_stub.c, through LD_LIBRARY_PATH). Thread-compatible: one Nvml used
// from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace rowchain::mining {

struct GpuReading {
  unsigned index = 0;  // NVML's index (PCI bus order; rowchaind sets CUDA_DEVICE_ORDER=PCI_BUS_ID to match)
  unsigned minor = 0;  // /dev/nvidiaN
  std::string uuid;
  std::string name;
  unsigned temperature_c = 0;
  double power_w = 0;
  unsigned sm_clock_mhz = 0;
  unsigned mem_clock_mhz = 0;
  unsigned utilization_percent = 0;
  uint64_t fb_used_mib = 0;
  uint64_t throttle_reasons = 0;  // NVML's nvmlClocksThrottleReason* bits
};

// The throttle-reason bits and their names ("sw_power_cap", "hw_thermal_slowdown", ...).
struct ThrottleReason {
  uint64_t bit;
  const char* name;
};
const std::vector<ThrottleReason>& ThrottleReasons();

class Nvml {
 public:
  // FAILED_PRECONDITION naming why (no libnvidia-ml.so.1, no driver, no GPU).
  static StatusOr<std::unique_ptr<Nvml>> Open();
  ~Nvml();  // nvmlShutdown

  unsigned device_count() const { return static_cast<unsigned>(m_devices.size()); }
  // What NVML reports now; fields it cannot read stay 0.
  GpuReading Read(unsigned index) const;
  // XID errors since the last call: (device index, XID code), waiting at most `timeout_ms`.
  std::vector<std::pair<unsigned, uint64_t>> TakeXidErrors(unsigned timeout_ms);

 private:
  struct Api;
  Nvml() = default;
  std::unique_ptr<Api> m_api;
  std::vector<void*> m_devices;  // nvmlDevice_t
  void* m_events = nullptr;      // nvmlEventSet_t, when XID events could be registered
};

}  // namespace rowchain::mining
