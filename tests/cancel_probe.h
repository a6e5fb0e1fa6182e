// Test helper: starts a search no hash can end (zero target, the whole nonce space), asks it to
// stop after `delay`, and measures how long the miner took to return after the request.
#pragma once

#include <chrono>

#include "mining/miner.h"

namespace rowchain::testing {

struct CancelProbe {
  StatusOr<mining::SearchResult> result;
  std::chrono::duration<double, std::milli> latency;
};

CancelProbe SearchThenCancel(mining::Miner& miner, std::chrono::milliseconds delay);

}  // namespace rowchain::testing
