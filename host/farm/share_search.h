// The worker's side of a job (docs/farm.md): one miner hashes a slice of the job's extra-nonce
// range and reports every hash under the share target, in chunks short enough (about a fifth
// of a second) that a new share target or job takes effect at once. Thread safety as Miner's:
// one search per miner at a time; the share target may change from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stop_token>

#include "farm/worker_job.h"
#include "mining/miner.h"

namespace rowchain::farm {

struct FoundShare {
  uint64_t job_id = 0;
  uint64_t extra_nonce = 0;
  uint32_t nonce = 0;
  consensus::Hash256 hash{};
  bool meets_block_target = false;
};

// The share target in force for the job being hashed; set when the node retargets.
class ShareTargetCell {
 public:
  void Set(const consensus::U256& target) {
    std::lock_guard lock(m_mutex);
    m_target = target;
  }
  consensus::U256 Get() const {
    std::lock_guard lock(m_mutex);
    return m_target;
  }

 private:
  mutable std::mutex m_mutex;
  consensus::U256 m_target;
};

struct SliceSearch {
  const WorkerJob* job = nullptr;
  uint64_t first_extra_nonce = 0;  // within the job's range
  uint64_t extra_nonce_count = 0;
  const ShareTargetCell* share_target = nullptr;
  std::function<void(const FoundShare&)> on_share;
  std::atomic<uint64_t>* hashes = nullptr;  // nonces hashed, added as they are
};

// Runs until the slice is done, `stop` is requested, or the miner fails.
Status SearchSlice(mining::Miner& miner, const SliceSearch& search, std::stop_token stop);

// Slice `index` of `count` equal slices of the job's range (the last takes the remainder).
std::pair<uint64_t, uint64_t> SliceOfRange(const WorkerJob& job, size_t index, size_t count);

}  // namespace rowchain::farm
