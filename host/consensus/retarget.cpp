#include "consensus/retarget.h"

#include <algorithm>
#include <bit>
#include <vector>

#include "consensus/compact.h"

namespace rowchain::consensus {

std::optional<uint64_t> RetargetAnchorHeight(const ChainParams& params, uint64_t new_height) {
  if (params.retarget_interval == 0 || new_height == 0 || new_height % params.retarget_interval != 0) {
    return std::nullopt;
  }
  return new_height - params.retarget_interval;
}

uint32_t NextWorkRequired(const ChainParams& params, uint64_t new_height, uint32_t parent_bits, uint32_t parent_time,
                          uint32_t anchor_time) {
  if (!RetargetAnchorHeight(params, new_height)) return parent_bits;
  const uint64_t target_timespan = uint64_t{params.target_spacing_s} * params.retarget_interval;
  int64_t actual = int64_t{parent_time} - int64_t{anchor_time};
  actual = std::clamp<int64_t>(actual, static_cast<int64_t>(target_timespan / params.retarget_clamp),
                               static_cast<int64_t>(target_timespan * params.retarget_clamp));
  const U256 limit = params.PowLimit();
  U256 target = DecodeCompact(parent_bits).target;
  // target * actual must stay below 2^256: divide first when the target is that large (a
  // deterministic choice, so every node computes the same bits).
  const auto actual32 = static_cast<uint32_t>(std::min<int64_t>(actual, UINT32_MAX));
  if (target.Bits() + static_cast<unsigned>(std::bit_width(actual32)) > 256) {
    target = target / U256(target_timespan) * actual32;
  } else {
    target = target * actual32 / U256(target_timespan);
  }
  if (target > limit) target = limit;
  return EncodeCompact(target);
}

uint32_t MedianTimePast(std::span<const uint32_t> times) {
  if (times.empty()) return 0;
  std::vector<uint32_t> sorted(times.begin(), times.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted[sorted.size() / 2];
}

}  // namespace rowchain::consensus
