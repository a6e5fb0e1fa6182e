#include "worker/worker_report.h"

#include <condition_variable>
#include <mutex>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace rowchain::worker {

Reporter::Reporter(const Hashers& hashers, const NodeLink& link, std::chrono::duration<double> every)
    : m_hashers(hashers), m_link(link), m_thread([this, every](std::stop_token stop) { Run(stop, every); }) {}

void Reporter::Run(std::stop_token stop, std::chrono::duration<double> every) {
  const auto& devices = m_hashers.devices();
  std::vector<uint64_t> last(devices.size(), 0);
  auto last_time = std::chrono::steady_clock::now();
  std::mutex m;
  std::condition_variable_any cv;
  while (true) {
    {
      std::unique_lock lock(m);
      if (cv.wait_for(lock, stop, every, [] { return false; }) || stop.stop_requested()) return;
    }
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - last_time).count();
    last_time = now;
    std::string line;
    double total = 0;
    for (size_t i = 0; i < devices.size(); ++i) {
      const uint64_t hashes = devices[i]->hashes.load();
      const double rate = static_cast<double>(hashes - last[i]) / seconds;
      last[i] = hashes;
      total += rate;
      line += fmt::format("{}: {:.2f} MH/s; ", devices[i]->label, rate / 1e6);
    }
    const LinkCounters& c = m_link.counters();
    auto job = m_hashers.current_job();
    spdlog::info("{}total {:.2f} MH/s; shares {} accepted, {} rejected, {} stale; {}", line, total / 1e6,
                 c.accepted.load(), c.rejected.load(), c.stale.load(),
                 job ? fmt::format("job {}", *job) : std::string("no job"));
  }
}

}  // namespace rowchain::worker
