#include "monitor/gpu_watch.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "metrics/metrics.h"
#include "mining/device_pauses.h"

namespace rowchain::monitor {
namespace {

std::string HostName() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

metrics::Family<metrics::Gauge>& Dcgm(const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(metrics::Get().registry);
}

}  // namespace

// The series of dcgm-exporter's names, registered only when there is NVML.
struct GpuWatch::Exposed {
  metrics::Family<metrics::Gauge>& temp = Dcgm("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).");
  metrics::Family<metrics::Gauge>& power = Dcgm("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).");
  metrics::Family<metrics::Gauge>& sm_clock = Dcgm("DCGM_FI_DEV_SM_CLOCK", "SM clock frequency (in MHz).");
  metrics::Family<metrics::Gauge>& mem_clock = Dcgm("DCGM_FI_DEV_MEM_CLOCK", "Memory clock frequency (in MHz).");
  metrics::Family<metrics::Gauge>& util = Dcgm("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).");
  metrics::Family<metrics::Gauge>& fb_used = Dcgm("DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB).");
  metrics::Family<metrics::Gauge>& xid = Dcgm("DCGM_FI_DEV_XID_ERRORS", "Value of the last XID error encountered.");
  metrics::Family<metrics::Gauge>& throttle =
      Dcgm("rowchain_gpu_clock_throttle_reasons", "1 while NVML reports this clock-throttle reason");
  metrics::Family<metrics::Counter>& xid_total = prometheus::BuildCounter()
                                                     .Name("rowchain_gpu_xid_errors_total")
                                                     .Help("XID errors NVML reported")
                                                     .Register(metrics::Get().registry);
  metrics::Gauge& max_temp = Dcgm("rowchain_max_gpu_temp_celsius", "The temperature above which a GPU pauses").Add({});
  std::string hostname = HostName();

  std::map<std::string, std::string> Labels(const mining::GpuReading& r) const {
    return {{"gpu", std::to_string(r.index)}, {"UUID", r.uuid}, {"device", "nvidia" + std::to_string(r.minor)},
            {"modelName", r.name}, {"Hostname", hostname}};
  }
};

GpuWatch::GpuWatch(std::optional<unsigned> max_temp_c) : m_max_temp_c(max_temp_c) {
  auto nvml = mining::Nvml::Open();
  if (!nvml.ok()) {
    spdlog::info("GPU telemetry off: {}", nvml.status().message());
    return;
  }
  m_nvml = std::move(*nvml);
  m_exposed = std::make_unique<Exposed>();
  if (m_max_temp_c) m_exposed->max_temp.Set(*m_max_temp_c);
  spdlog::info("GPU telemetry: {} GPUs through NVML{}", m_nvml->device_count(),
               m_max_temp_c ? fmt::format(", pausing above {} C", *m_max_temp_c) : "");
  m_poller = std::make_unique<Periodic>(kInterval, [this] { Poll(); });
}

GpuWatch::~GpuWatch() { m_poller.reset(); }

void GpuWatch::Poll() {
  if (!m_nvml) return;
  std::vector<mining::GpuReading> readings;
  for (unsigned i = 0; i < m_nvml->device_count(); ++i) readings.push_back(m_nvml->Read(i));
  for (const mining::GpuReading& r : readings) {
    Publish(r);
    ApplyTemperatureLimit(r);
  }
  for (const auto& [index, code] : m_nvml->TakeXidErrors(0)) {
    if (index >= readings.size()) continue;
    spdlog::error("GPU {} ({}): XID error {}", index, readings[index].uuid, code);
    m_exposed->xid.Add(m_exposed->Labels(readings[index])).Set(static_cast<double>(code));
    m_exposed->xid_total.Add({{"gpu", std::to_string(index)}}).Increment();
  }
  std::lock_guard lock(m_mutex);
  m_last = std::move(readings);
}

void GpuWatch::Publish(const mining::GpuReading& r) {
  Exposed& e = *m_exposed;
  const auto labels = e.Labels(r);
  e.temp.Add(labels).Set(r.temperature_c);
  e.power.Add(labels).Set(r.power_w);
  e.sm_clock.Add(labels).Set(r.sm_clock_mhz);
  e.mem_clock.Add(labels).Set(r.mem_clock_mhz);
  e.util.Add(labels).Set(r.utilization_percent);
  e.fb_used.Add(labels).Set(static_cast<double>(r.fb_used_mib));
  e.xid.Add(labels);  // 0 until an XID error
  for (const mining::ThrottleReason& reason : mining::ThrottleReasons()) {
    e.throttle.Add({{"gpu", std::to_string(r.index)}, {"reason", reason.name}}).Set((r.throttle_reasons & reason.bit) ? 1 : 0);
  }
}

void GpuWatch::ApplyTemperatureLimit(const mining::GpuReading& r) {
  if (!m_max_temp_c) return;
  mining::DevicePauses& pauses = mining::DevicePauses::Get();
  const bool paused = pauses.ReasonOf(r.index) == "temperature";
  const std::map<std::string, std::string> labels = {{"device", std::to_string(r.index)}, {"reason", "temperature"}};
  if (!paused && r.temperature_c > *m_max_temp_c) {
    pauses.Pause(r.index, "temperature");
    metrics::Get().device_pauses.Add(labels).Increment();
    metrics::Get().device_paused.Add(labels).Set(1);
    spdlog::warn("GPU {} at {} C, above --max-gpu-temp {}: paused until it is below {} C", r.index, r.temperature_c,
                 *m_max_temp_c, *m_max_temp_c - kHysteresisC);
  } else if (paused && r.temperature_c + kHysteresisC < *m_max_temp_c) {
    pauses.Resume(r.index);
    metrics::Get().device_paused.Add(labels).Set(0);
    spdlog::info("GPU {} at {} C: mining again", r.index, r.temperature_c);
  }
}

nlohmann::json GpuWatch::Json() const {
  std::lock_guard lock(m_mutex);
  nlohmann::json out = nlohmann::json::array();
  for (const mining::GpuReading& r : m_last) {
    auto paused = mining::DevicePauses::Get().ReasonOf(r.index);
    out.push_back({{"gpu", r.index},
                   {"modelName", r.name},
                   {"UUID", r.uuid},
                   {"temperature_c", r.temperature_c},
                   {"power_w", r.power_w},
                   {"utilization_percent", r.utilization_percent},
                   {"paused", paused ? nlohmann::json(*paused) : nlohmann::json(nullptr)}});
  }
  return out;
}

}  // namespace rowchain::monitor
