#include "mining/device_pauses.h"

namespace rowchain::mining {

DevicePauses& DevicePauses::Get() {
  static DevicePauses* pauses = new DevicePauses();  // never destroyed: miner threads may ask at exit
  return *pauses;
}

void DevicePauses::Pause(unsigned device, const std::string& reason) {
  std::lock_guard lock(m_mutex);
  m_paused[device] = reason;
}

void DevicePauses::Resume(unsigned device) {
  std::lock_guard lock(m_mutex);
  m_paused.erase(device);
}

std::optional<std::string> DevicePauses::ReasonOf(unsigned device) const {
  std::lock_guard lock(m_mutex);
  auto it = m_paused.find(device);
  if (it == m_paused.end()) return std::nullopt;
  return it->second;
}

}  // namespace rowchain::mining
