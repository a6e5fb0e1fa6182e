// The hash rate of each mining device over the last 15 minutes, for the status page's chart:
// every 5 s the rowchain_hashes_total counters are read and the rate since the last sample is
// kept, 180 samples a device. Its own thread; thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "monitor/periodic.h"

namespace rowchain::monitor {

class HashRateHistory {
 public:
  static constexpr std::chrono::seconds kInterval{5};
  static constexpr size_t kSamples = 180;  // 15 minutes

  HashRateHistory();
  ~HashRateHistory();  // stops the sampling thread

  // [{"backend", "device", "hashes_per_second" (the last sample), "history": [[unix, rate], ...]}]
  nlohmann::json Json() const;
  // Takes a sample now (the thread does it every kInterval).
  void Sample();

 private:
  struct Device {
    double last_total = 0;
    std::chrono::steady_clock::time_point last_at;
    std::deque<std::pair<int64_t, double>> rates;
  };
  mutable std::mutex m_mutex;
  std::map<std::pair<std::string, std::string>, Device> m_devices;  // (backend, device)
  std::unique_ptr<Periodic> m_sampler;  // last: stopped first
};

}  // namespace rowchain::monitor
