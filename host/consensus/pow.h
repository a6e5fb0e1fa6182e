// Proof of work: does a block hash meet its compact target, and how much work it proves.
// Pure functions (Bitcoin Core pow.h style); thread-safe.
#pragma once

#include <cstdint>

#include "consensus/compact.h"
#include "consensus/hash.h"
#include "consensus/uint256.h"
#include "consensus/verdict.h"

namespace rowchain::consensus {

// The largest target any chain may use: every hash meets it (a "trivial" difficulty).
U256 MaxTarget();

// Reason codes: "bad-diffbits" (bits unusable or easier than pow_limit), "high-hash".
Verdict CheckProofOfWork(const Hash256& hash, uint32_t bits, const U256& pow_limit);

// hash (read little-endian) <= target.
bool HashMeetsTarget(const Hash256& hash, const U256& target);

// Expected hashes to find a block at this target: 2^256 / (target + 1).
U256 WorkForTarget(const U256& target);
// The work a block of these bits adds to its chain.
inline U256 BlockWork(uint32_t bits) { return WorkForTarget(DecodeCompact(bits).target); }

}  // namespace rowchain::consensus
