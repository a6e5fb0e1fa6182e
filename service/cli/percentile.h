// The p-th quantile (0..1) of measured values, nearest rank: what the bench and load-test
// commands report as p50 and p99.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace rowchain::cli {

inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

}  // namespace rowchain::cli
