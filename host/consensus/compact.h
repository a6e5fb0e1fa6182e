// Bitcoin's compact target encoding ("nBits"): a 256-bit target as a 1-byte exponent and a
// 23-bit mantissa with a sign bit. Pure functions; thread-safe.
#pragma once

#include <cstdint>

#include "consensus/uint256.h"
#include "consensus/verdict.h"

namespace rowchain::consensus {

struct CompactDecoding {
  U256 target;
  bool negative = false;  // sign bit set with a non-zero mantissa
  bool overflow = false;  // the value does not fit in 256 bits
};

// Decodes bits exactly as Bitcoin Core's arith_uint256::SetCompact does.
CompactDecoding DecodeCompact(uint32_t bits);

// The canonical compact form of a target (Bitcoin Core's GetCompact); rounds down.
uint32_t EncodeCompact(const U256& target);

// A usable target from bits: positive, non-zero, in range and no easier than pow_limit.
// Reason code on failure: "bad-diffbits".
Verdict DecodeTarget(uint32_t bits, const U256& pow_limit, U256* target);

}  // namespace rowchain::consensus
