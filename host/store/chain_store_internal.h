// What the chain store's source files share, and nothing else uses.
#pragma once

#include <cstdint>
#include <string>

#include "consensus/compact.h"
#include "consensus/hash.h"
#include "consensus/pow.h"

namespace rowchain::store::internal {

inline consensus::U256 WorkOf(uint32_t bits) { return consensus::BlockWork(bits); }

// A block hash as log lines and verdict details show it: the first 16 display hex digits.
inline std::string ShortHash(const consensus::Hash256& h) { return consensus::ToDisplayHex(h).substr(0, 16); }

}  // namespace rowchain::store::internal
