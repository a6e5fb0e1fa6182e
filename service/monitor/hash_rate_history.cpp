#include "monitor/hash_rate_history.h"

#include <ctime>

#include "metrics/metrics.h"

namespace rowchain::monitor {
namespace {

std::string LabelOf(const prometheus::ClientMetric& m, const std::string& name) {
  for (const prometheus::ClientMetric::Label& l : m.label) {
    if (l.name == name) return l.value;
  }
  return {};
}

}  // namespace

HashRateHistory::HashRateHistory() { m_sampler = std::make_unique<Periodic>(kInterval, [this] { Sample(); }); }

HashRateHistory::~HashRateHistory() { m_sampler.reset(); }

void HashRateHistory::Sample() {
  const auto now = std::chrono::steady_clock::now();
  const int64_t unix_now = static_cast<int64_t>(std::time(nullptr));
  for (const prometheus::MetricFamily& family : metrics::Get().registry.Collect()) {
    if (family.name != "rowchain_hashes_total") continue;
    std::lock_guard lock(m_mutex);
    for (const prometheus::ClientMetric& m : family.metric) {
      Device& d = m_devices[{LabelOf(m, "backend"), LabelOf(m, "device")}];
      const double total = m.counter.value;
      if (d.last_at != std::chrono::steady_clock::time_point{}) {
        const double seconds = std::chrono::duration<double>(now - d.last_at).count();
        if (seconds > 0) d.rates.emplace_back(unix_now, (total - d.last_total) / seconds);
        if (d.rates.size() > kSamples) d.rates.pop_front();
      }
      d.last_total = total;
      d.last_at = now;
    }
  }
}

nlohmann::json HashRateHistory::Json() const {
  std::lock_guard lock(m_mutex);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [key, d] : m_devices) {
    nlohmann::json history = nlohmann::json::array();
    for (const auto& [at, rate] : d.rates) history.push_back({at, rate});
    out.push_back({{"backend", key.first},
                   {"device", key.second},
                   {"hashes_per_second", d.rates.empty() ? 0.0 : d.rates.back().second},
                   {"history", history}});
  }
  return out;
}

}  // namespace rowchain::monitor
