// Difficulty schedule and median time past, Bitcoin Core style (pow.cpp, chain.h). Pure.
//
// Every `retarget_interval` blocks the target is scaled by how long the last interval took
// against target_spacing * interval, the ratio clamped to [1/clamp, clamp] and the result
// capped at the proof-of-work limit. Like Bitcoin, the interval is measured from the block at
// new_height - interval to the parent (one block short); between retargets bits stay the same.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "consensus/chain_params.h"

namespace rowchain::consensus {

// The height whose time starts the measured interval when new_height is a retarget height;
// nullopt when the block at new_height keeps its parent's bits.
std::optional<uint64_t> RetargetAnchorHeight(const ChainParams& params, uint64_t new_height);

// The bits a block at new_height must carry. `anchor_time` is the time of the block at
// RetargetAnchorHeight(new_height) and is read only at retarget heights.
uint32_t NextWorkRequired(const ChainParams& params, uint64_t new_height, uint32_t parent_bits, uint32_t parent_time,
                          uint32_t anchor_time);

// The median of the given block times (the parent's and its ancestors', up to the chain's
// window); 0 for none. For an even count the upper middle, as Bitcoin's sorted[n/2].
uint32_t MedianTimePast(std::span<const uint32_t> times);

}  // namespace rowchain::consensus
