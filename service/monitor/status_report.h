// The node's summary behind GET /status.json, the status page and `rowchain status`
// (docs/monitoring.md lists its fields): tip, pool, peers, per-device hash rate over 15 minutes,
// GPU telemetry, the last blocks with their first rows, and rejects by reason. Thread-safe as
// its sources are.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "monitor/hash_rate_history.h"
#include "node/node.h"

namespace rowchain::monitor {

struct StatusSources {
  node::Node* node = nullptr;
  const HashRateHistory* history = nullptr;
  std::function<nlohmann::json()> gpus;  // per GPU telemetry; an empty array without NVML
};

inline constexpr int kStatusBlocks = 5;       // the last blocks shown
inline constexpr int kStatusRowsPerBlock = 5;  // and the first rows of each

nlohmann::json StatusJson(const StatusSources& sources);

}  // namespace rowchain::monitor
