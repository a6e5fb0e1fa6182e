#include "worker/hashers.h"

#include <spdlog/spdlog.h>

namespace rowchain::worker {

Hashers::Hashers(std::vector<std::unique_ptr<Device>> devices, OnShare on_share, OnStarted on_started)
    : m_devices(std::move(devices)), m_on_share(std::move(on_share)), m_on_started(std::move(on_started)) {
  for (size_t i = 0; i < m_devices.size(); ++i) {
    m_threads.emplace_back([this, i](std::stop_token stop) { Run(i, stop); });
  }
}

Hashers::~Hashers() {
  {
    std::lock_guard lock(m_mutex);
    m_job_stop.request_stop();
  }
  for (auto& t : m_threads) t.request_stop();
  m_cv.notify_all();
  m_threads.clear();  // joins
}

void Hashers::SetJob(const farm::WorkerJob& job) {
  std::lock_guard lock(m_mutex);
  const bool same = m_job && m_job->id == job.id && m_job->header.Serialize() == job.header.Serialize() &&
                    m_job->leaf0_path == job.leaf0_path && m_job->extra_nonce_first == job.extra_nonce_first;
  if (same) {  // the same job after a reconnect: keep hashing it
    m_target->Set(job.share_target);
    return;
  }
  m_job_stop.request_stop();
  m_job_stop = std::stop_source();
  m_job = std::make_shared<const farm::WorkerJob>(job);
  m_target = std::make_shared<farm::ShareTargetCell>();
  m_target->Set(job.share_target);
  ++m_generation;
  m_cv.notify_all();
}

void Hashers::ClearJob() {
  std::lock_guard lock(m_mutex);
  if (!m_job) return;
  m_job_stop.request_stop();
  m_job.reset();
  ++m_generation;
  m_cv.notify_all();
}

void Hashers::SetShareTarget(uint64_t job_id, const consensus::U256& target) {
  std::lock_guard lock(m_mutex);
  if (m_job && m_job->id == job_id) m_target->Set(target);
}

std::optional<uint64_t> Hashers::current_job() const {
  std::lock_guard lock(m_mutex);
  return m_job ? std::optional<uint64_t>(m_job->id) : std::nullopt;
}

void Hashers::Run(size_t index, std::stop_token stop) {
  uint64_t seen = 0;
  while (!stop.stop_requested()) {
    std::shared_ptr<const farm::WorkerJob> job;
    std::shared_ptr<farm::ShareTargetCell> target;
    std::stop_token job_stop;
    {
      std::unique_lock lock(m_mutex);
      m_cv.wait(lock, stop, [&] { return m_generation != seen; });
      if (stop.stop_requested()) return;
      seen = m_generation;
      job = m_job, target = m_target, job_stop = m_job_stop.get_token();
    }
    if (!job) continue;
    if (index == 0) m_on_started(job->id);
    auto [first, count] = farm::SliceOfRange(*job, index, m_devices.size());
    Device& device = *m_devices[index];
    farm::SliceSearch search{.job = job.get(), .first_extra_nonce = first, .extra_nonce_count = count,
                             .share_target = target.get(), .on_share = m_on_share, .hashes = &device.hashes};
    if (Status s = farm::SearchSlice(*device.miner, search, job_stop); !s.ok()) {
      spdlog::error("{}: {}", device.label, s.message());  // this device sits out until the next job
    }
  }
}

}  // namespace rowchain::worker
