#include "consensus/pow.h"

#include <fmt/format.h>

#include "consensus/compact.h"

namespace rowchain::consensus {

U256 MaxTarget() { return ~U256(); }

bool HashMeetsTarget(const Hash256& hash, const U256& target) {
  return U256::FromLittleEndianBytes(hash) <= target;
}

Verdict CheckProofOfWork(const Hash256& hash, uint32_t bits, const U256& pow_limit) {
  U256 target;
  if (Verdict v = DecodeTarget(bits, pow_limit, &target); !v.ok()) return v;
  if (!HashMeetsTarget(hash, target)) {
    return Verdict::Invalid("high-hash", fmt::format("hash {} is above the target of bits {:08x}",
                                                     ToDisplayHex(hash), bits));
  }
  return Verdict::Valid();
}

U256 WorkForTarget(const U256& target) {
  // 2^256 does not fit, but 2^256 / (t+1) = (2^256 - (t+1)) / (t+1) + 1 = ~t / (t+1) + 1.
  if (target == MaxTarget()) return U256(1);
  return ~target / (target + U256(1)) + U256(1);
}

}  // namespace rowchain::consensus
