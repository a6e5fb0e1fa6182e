// The worker's devices (docs/farm.md): one thread per device, each hashing its own slice of the
// current job's extra-nonce range with its own Miner, reporting shares as it finds them. A new
// job or a void-your-jobs message takes effect within a Miner's 10 ms stop latency.
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "farm/share_search.h"
#include "mining/miner.h"

namespace rowchain::worker {

struct Device {
  std::string label;  // "cpu (avx512, 4 threads)", "cuda:0"
  std::unique_ptr<mining::Miner> miner;
  std::atomic<uint64_t> hashes{0};
};

class Hashers {
 public:
  using OnShare = std::function<void(const farm::FoundShare&)>;
  using OnStarted = std::function<void(uint64_t job_id)>;
  Hashers(std::vector<std::unique_ptr<Device>> devices, OnShare on_share, OnStarted on_started);
  ~Hashers();  // stops and joins

  // Hash this job from now on (the same id again changes nothing).
  void SetJob(const farm::WorkerJob& job);
  // Stop hashing; wait for the next job.
  void ClearJob();
  // The node retargeted: applies when `job_id` is the job being hashed.
  void SetShareTarget(uint64_t job_id, const consensus::U256& target);
  std::optional<uint64_t> current_job() const;
  const std::vector<std::unique_ptr<Device>>& devices() const { return m_devices; }

 private:
  void Run(size_t index, std::stop_token stop);

  std::vector<std::unique_ptr<Device>> m_devices;
  OnShare m_on_share;
  OnStarted m_on_started;
  mutable std::mutex m_mutex;
  std::condition_variable_any m_cv;
  uint64_t m_generation = 0;
  std::shared_ptr<const farm::WorkerJob> m_job;
  std::shared_ptr<farm::ShareTargetCell> m_target;
  std::stop_source m_job_stop;
  std::vector<std::jthread> m_threads;
};

}  // namespace rowchain::worker
