// Share targets and vardiff (docs/farm.md): each worker gets the target at which it finds about
// one share per interval, so the node learns its real hash rate from verified work at a
// bounded message rate. Pure functions.
#pragma once

#include <chrono>
#include <cstdint>

#include "consensus/uint256.h"

namespace rowchain::farm {

// The target under which one hash in `hashes_per_share` falls, never harder than the block's
// own target (a share that could be a block must count as one).
consensus::U256 ShareTargetFor(uint64_t hashes_per_share, const consensus::U256& block_target);
// The hashes one share at `target` stands for: 2^256 / (target + 1), at least 1.
double HashesPerShareAt(const consensus::U256& target);

struct VardiffRules {
  std::chrono::milliseconds share_interval{5000};  // aim: one share per worker per this
  uint64_t min_hashes_per_share = 1 << 12;
  uint64_t max_hashes_per_share = uint64_t{1} << 62;
};

// The first difficulty: what the worker says it hashes (only this use: counting trusts shares
// alone), or 2^24 hashes a share when it says nothing.
uint64_t InitialHashesPerShare(double nominal_hash_rate, const VardiffRules& rules);

// Retarget after `shares` shares in `elapsed`: once at least 3 intervals passed or 12 shares
// came, whichever first (nullopt: not yet). At most 4x either way per step.
struct VardiffWindow {
  uint64_t shares = 0;
  std::chrono::steady_clock::duration elapsed{};
};
bool VardiffDue(const VardiffWindow& window, const VardiffRules& rules);
uint64_t NextHashesPerShare(uint64_t current, const VardiffWindow& window, const VardiffRules& rules);

}  // namespace rowchain::farm
