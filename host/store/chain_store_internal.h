// What the chain store's source files share, and nothing else uses.
#pragma once

#include <cstdint>

#include "consensus/compact.h"
#include "consensus/pow.h"

namespace rowchain::store::internal {

// The work a block of these bits adds to its chain.
inline consensus::U256 WorkOf(uint32_t bits) {
  return consensus::WorkForTarget(consensus::DecodeCompact(bits).target);
}

}  // namespace rowchain::store::internal
