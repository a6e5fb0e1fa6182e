#include "mining/nvml.h"

#include <dlfcn.h>

#include <fmt/format.h>

namespace rowchain::mining {
namespace {

// NVML's C interface, as much of it as is used (the ABI of nvml.h, declared here because the
// header is not packaged apart from the driver).
using nvmlReturn_t = int;
using nvmlDevice_t = void*;
using nvmlEventSet_t = void*;
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr int kTemperatureGpu = 0;
constexpr int kClockSm = 1;
constexpr int kClockMem = 2;
constexpr unsigned long long kEventXidCriticalError = 0x8;
struct Utilization {
  unsigned gpu, memory;
};
struct Memory {
  unsigned long long total, free, used;
};
struct EventData {
  nvmlDevice_t device;
  unsigned long long event_type;
  unsigned long long event_data;
  unsigned gpu_instance_id;
  unsigned compute_instance_id;
};

}  // namespace

struct Nvml::Api {
  void* library = nullptr;
  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*shutdown)() = nullptr;
  nvmlReturn_t (*count)(unsigned*) = nullptr;
  nvmlReturn_t (*handle)(unsigned, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*name)(nvmlDevice_t, char*, unsigned) = nullptr;
  nvmlReturn_t (*uuid)(nvmlDevice_t, char*, unsigned) = nullptr;
  nvmlReturn_t (*minor)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*temperature)(nvmlDevice_t, int, unsigned*) = nullptr;
  nvmlReturn_t (*power)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*clock)(nvmlDevice_t, int, unsigned*) = nullptr;
  nvmlReturn_t (*utilization)(nvmlDevice_t, Utilization*) = nullptr;
  nvmlReturn_t (*memory)(nvmlDevice_t, Memory*) = nullptr;
  nvmlReturn_t (*throttle)(nvmlDevice_t, unsigned long long*) = nullptr;
  nvmlReturn_t (*event_set_create)(nvmlEventSet_t*) = nullptr;
  nvmlReturn_t (*register_events)(nvmlDevice_t, unsigned long long, nvmlEventSet_t) = nullptr;
  nvmlReturn_t (*event_set_wait)(nvmlEventSet_t, EventData*, unsigned) = nullptr;
  nvmlReturn_t (*event_set_free)(nvmlEventSet_t) = nullptr;

  template <typename F>
  bool Bind(F& f, const char* symbol) {
    f = reinterpret_cast<F>(dlsym(library, symbol));
    return f != nullptr;
  }
  bool BindAll() {
    return Bind(init, "nvmlInit_v2") && Bind(shutdown, "nvmlShutdown") && Bind(count, "nvmlDeviceGetCount_v2") &&
           Bind(handle, "nvmlDeviceGetHandleByIndex_v2") && Bind(name, "nvmlDeviceGetName") &&
           Bind(uuid, "nvmlDeviceGetUUID") && Bind(minor, "nvmlDeviceGetMinorNumber") &&
           Bind(temperature, "nvmlDeviceGetTemperature") && Bind(power, "nvmlDeviceGetPowerUsage") &&
           Bind(clock, "nvmlDeviceGetClockInfo") && Bind(utilization, "nvmlDeviceGetUtilizationRates") &&
           Bind(memory, "nvmlDeviceGetMemoryInfo") && Bind(throttle, "nvmlDeviceGetCurrentClocksThrottleReasons");
  }
  bool BindEvents() {
    return Bind(event_set_create, "nvmlEventSetCreate") && Bind(register_events, "nvmlDeviceRegisterEvents") &&
           Bind(event_set_wait, "nvmlEventSetWait_v2") && Bind(event_set_free, "nvmlEventSetFree");
  }
};

const std::vector<ThrottleReason>& ThrottleReasons() {
  static const std::vector<ThrottleReason> reasons = {
      {0x1, "gpu_idle"},           {0x2, "applications_clocks_setting"}, {0x4, "sw_power_cap"},
      {0x8, "hw_slowdown"},        {0x10, "sync_boost"},                 {0x20, "sw_thermal_slowdown"},
      {0x40, "hw_thermal_slowdown"}, {0x80, "hw_power_brake_slowdown"},  {0x100, "display_clock_setting"}};
  return reasons;
}

StatusOr<std::unique_ptr<Nvml>> Nvml::Open() {
  std::unique_ptr<Nvml> nvml(new Nvml());
  nvml->m_api = std::make_unique<Api>();
  Api& api = *nvml->m_api;
  api.library = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (api.library == nullptr) return FailedPreconditionError("no NVML: libnvidia-ml.so.1 is not installed (no NVIDIA driver)");
  if (!api.BindAll()) return FailedPreconditionError("libnvidia-ml.so.1 lacks an NVML function rowchaind reads");
  if (api.init() != kNvmlSuccess) {
    api.init = nullptr;  // nothing to shut down
    return FailedPreconditionError("NVML did not start (is the NVIDIA driver loaded?)");
  }
  unsigned count = 0;
  if (api.count(&count) != kNvmlSuccess || count == 0) return FailedPreconditionError("NVML sees no GPU");
  for (unsigned i = 0; i < count; ++i) {
    nvmlDevice_t device = nullptr;
    if (api.handle(i, &device) == kNvmlSuccess) nvml->m_devices.push_back(device);
  }
  if (api.BindEvents() && api.event_set_create(&nvml->m_events) == kNvmlSuccess) {
    for (void* device : nvml->m_devices) (void)api.register_events(device, kEventXidCriticalError, nvml->m_events);
  } else {
    nvml->m_events = nullptr;
  }
  return nvml;
}

Nvml::~Nvml() {
  if (!m_api) return;
  if (m_events) m_api->event_set_free(m_events);
  if (m_api->init) m_api->shutdown();
  if (m_api->library) dlclose(m_api->library);
}

GpuReading Nvml::Read(unsigned index) const {
  GpuReading r;
  r.index = index;
  if (index >= m_devices.size()) return r;
  void* d = m_devices[index];
  const Api& api = *m_api;
  char text[96] = {};
  if (api.name(d, text, sizeof text) == kNvmlSuccess) r.name = text;
  if (api.uuid(d, text, sizeof text) == kNvmlSuccess) r.uuid = text;
  (void)api.minor(d, &r.minor);
  (void)api.temperature(d, kTemperatureGpu, &r.temperature_c);
  unsigned milliwatts = 0;
  if (api.power(d, &milliwatts) == kNvmlSuccess) r.power_w = milliwatts / 1000.0;
  (void)api.clock(d, kClockSm, &r.sm_clock_mhz);
  (void)api.clock(d, kClockMem, &r.mem_clock_mhz);
  Utilization u{};
  if (api.utilization(d, &u) == kNvmlSuccess) r.utilization_percent = u.gpu;
  Memory m{};
  if (api.memory(d, &m) == kNvmlSuccess) r.fb_used_mib = m.used >> 20;
  unsigned long long reasons = 0;
  if (api.throttle(d, &reasons) == kNvmlSuccess) r.throttle_reasons = reasons;
  return r;
}

std::vector<std::pair<unsigned, uint64_t>> Nvml::TakeXidErrors(unsigned timeout_ms) {
  std::vector<std::pair<unsigned, uint64_t>> out;
  if (m_events == nullptr) return out;
  for (EventData e{}; m_api->event_set_wait(m_events, &e, out.empty() ? timeout_ms : 0) == kNvmlSuccess && out.size() < 64;) {
    for (unsigned i = 0; i < m_devices.size(); ++i) {
      if (m_devices[i] == e.device && (e.event_type & kEventXidCriticalError)) out.emplace_back(i, e.event_data);
    }
  }
  return out;
}

}  // namespace rowchain::mining
