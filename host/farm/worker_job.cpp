#include "farm/worker_job.h"

#include <fmt/format.h>

#include "consensus/block_info_leaf.h"

namespace rowchain::farm {

consensus::BlockTemplate WorkerJob::Template() const {
  consensus::BlockInfoLeaf info{.height = height, .miner_id = miner_id, .extra_nonce = 0};
  return consensus::BlockTemplate::FromLeaf0Path(header, std::move(info), leaf0_path);
}

Status CheckWorkerJob(const WorkerJob& job) {
  if (job.miner_id.size() > consensus::kMaxMinerIdSize) {
    return InvalidArgumentError(fmt::format("job {}: miner id of {} bytes (at most {})", job.id, job.miner_id.size(),
                                            consensus::kMaxMinerIdSize));
  }
  if (job.leaf0_path.size() > kMaxLeaf0PathHashes) {
    return InvalidArgumentError(fmt::format("job {}: leaf 0 path of {} hashes (at most {})", job.id,
                                            job.leaf0_path.size(), kMaxLeaf0PathHashes));
  }
  if (job.extra_nonce_count == 0 || job.extra_nonce_first + job.extra_nonce_count < job.extra_nonce_first) {
    return InvalidArgumentError(fmt::format("job {}: extra-nonce range is empty or wraps past 2^64", job.id));
  }
  if (job.share_target.IsZero()) return InvalidArgumentError(fmt::format("job {}: share target is zero", job.id));
  return OkStatus();
}

}  // namespace rowchain::farm
