#include "node/seal_timer.h"

#include "metrics/metrics.h"

namespace rowchain::node {

void SealTimer::Start(const consensus::BatchId& id) {
  std::lock_guard lock(m_mutex);
  if (m_started.size() < kMaxTimed) m_started.emplace(id, std::chrono::steady_clock::now());
}

void SealTimer::Finish(const consensus::BatchId& id) {
  std::chrono::steady_clock::time_point started;
  {
    std::lock_guard lock(m_mutex);
    auto it = m_started.find(id);
    if (it == m_started.end()) return;
    started = it->second;
    m_started.erase(it);
  }
  metrics::Get().batch_seal_seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace rowchain::node
