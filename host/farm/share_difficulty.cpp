#include "farm/share_difficulty.h"

#include <algorithm>
#include <cmath>

#include "consensus/pow.h"

namespace rowchain::farm {

using consensus::U256;

U256 ShareTargetFor(uint64_t hashes_per_share, const U256& block_target) {
  U256 target = consensus::MaxTarget() / U256(std::max<uint64_t>(1, hashes_per_share));
  return std::max(target, block_target);
}

double HashesPerShareAt(const U256& target) { return std::max(1.0, consensus::WorkForTarget(target).ToDouble()); }

namespace {

uint64_t Clamp(double hashes, const VardiffRules& rules) {
  if (!(hashes >= static_cast<double>(rules.min_hashes_per_share))) return rules.min_hashes_per_share;
  if (hashes >= static_cast<double>(rules.max_hashes_per_share)) return rules.max_hashes_per_share;
  return static_cast<uint64_t>(hashes);
}

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

uint64_t InitialHashesPerShare(double nominal_hash_rate, const VardiffRules& rules) {
  if (!(nominal_hash_rate > 0) || !std::isfinite(nominal_hash_rate)) return Clamp(double(1 << 24), rules);
  return Clamp(nominal_hash_rate * Seconds(rules.share_interval), rules);
}

bool VardiffDue(const VardiffWindow& window, const VardiffRules& rules) {
  return window.shares >= 12 || window.elapsed >= 3 * rules.share_interval;
}

uint64_t NextHashesPerShare(uint64_t current, const VardiffWindow& window, const VardiffRules& rules) {
  const double elapsed = std::max(Seconds(window.elapsed), 1e-3);
  const double hash_rate = static_cast<double>(window.shares) * static_cast<double>(current) / elapsed;
  const double wanted = hash_rate * Seconds(rules.share_interval);
  const double lowest = static_cast<double>(current) / 4;
  const double highest = static_cast<double>(current) * 4;
  return Clamp(std::clamp(wanted, lowest, highest), rules);
}

}  // namespace rowchain::farm
