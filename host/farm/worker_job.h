// What a remote worker is sent to hash, and what it sends back (docs/farm.md). A job carries
// the header without its Merkle root, leaf 0's fields and its audit path (the worker rebuilds
// the root for each extra-nonce and never sees a row), the share target, and the extra-nonce
// range that is this worker's alone. Value types; pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/block_header.h"
#include "consensus/block_template.h"
#include "consensus/uint256.h"
#include "util/status.h"

namespace rowchain::farm {

// Leaf 0's path has one hash per tree level: 64 covers 2^64 leaves.
inline constexpr size_t kMaxLeaf0PathHashes = 64;

struct WorkerJob {
  uint64_t id = 0;
  consensus::BlockHeader header;  // version, prev hash, time, bits; Merkle root and nonce zero
  uint64_t height = 0;
  std::string miner_id;
  std::vector<consensus::Hash256> leaf0_path;
  consensus::U256 share_target;  // every hash at or under it is a share
  uint64_t extra_nonce_first = 0;
  uint64_t extra_nonce_count = 0;

  consensus::BlockTemplate Template() const;
};

struct ShareSubmission {
  uint64_t job_id = 0;
  uint64_t extra_nonce = 0;
  uint32_t nonce = 0;
};

// A job a worker can hash: INVALID_ARGUMENT (naming the field) for a miner id over 64 bytes, a
// path over 64 hashes, an empty extra-nonce range or one that wraps past 2^64, a zero share
// target. The worker checks what its node sends, as the node checks the worker.
Status CheckWorkerJob(const WorkerJob& job);

// Extra-nonce ranges: the node's own miner counts up from 0; worker slot s owns
// [2^63 + s * 2^40, 2^63 + (s + 1) * 2^40): never exhausted (2^72 hashes a job) and never met.
inline constexpr uint64_t kWorkerExtraNonceBase = uint64_t{1} << 63;
inline constexpr uint64_t kWorkerExtraNonceSpan = uint64_t{1} << 40;
inline constexpr uint32_t kMaxWorkerSlots = 1u << 23;  // 2^63 / 2^40

inline uint64_t FirstExtraNonceOfSlot(uint32_t slot) { return kWorkerExtraNonceBase + uint64_t{slot} * kWorkerExtraNonceSpan; }

}  // namespace rowchain::farm
