// Per-GPU telemetry and farm safety (docs/monitoring.md): every 5 s each GPU's NVML readings go
// to the metrics under dcgm-exporter's names and labels (DCGM_FI_DEV_GPU_TEMP{gpu, UUID,
// device, modelName, Hostname}, ...), with the clock-throttle reasons beside them; XID errors
// are counted; and with a temperature limit a GPU above it is paused (mining::DevicePauses),
// logged and counted, and resumed once it is kHysteresisC below it. Without NVML nothing is
// exposed and one log line says why. Its own thread; thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "mining/nvml.h"
#include "monitor/periodic.h"

namespace rowchain::monitor {

class GpuWatch {
 public:
  static constexpr std::chrono::seconds kInterval{5};
  static constexpr unsigned kHysteresisC = 5;

  // Starts watching when NVML opens; otherwise logs why and watches nothing.
  explicit GpuWatch(std::optional<unsigned> max_temp_c);
  ~GpuWatch();

  // For /status.json: [{gpu, modelName, UUID, temperature_c, power_w, utilization_percent, paused}].
  nlohmann::json Json() const;
  // One round of readings now (the thread does it every kInterval).
  void Poll();

 private:
  struct Exposed;
  void Publish(const mining::GpuReading& r);
  void ApplyTemperatureLimit(const mining::GpuReading& r);

  std::optional<unsigned> m_max_temp_c;
  std::unique_ptr<mining::Nvml> m_nvml;
  std::unique_ptr<Exposed> m_exposed;
  mutable std::mutex m_mutex;
  std::vector<mining::GpuReading> m_last;
  std::unique_ptr<Periodic> m_poller;  // last: stopped first
};

}  // namespace rowchain::monitor
