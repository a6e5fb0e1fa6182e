#include "cancel_probe.h"

#include <thread>

namespace rowchain::testing {

CancelProbe SearchThenCancel(mining::Miner& miner, std::chrono::milliseconds delay) {
  mining::SearchRequest request{consensus::BlockHeader{}, consensus::U256(0), 0, mining::kNonceSpace};
  std::stop_source stop;
  std::chrono::steady_clock::time_point asked;
  std::jthread canceller([&] {
    std::this_thread::sleep_for(delay);
    asked = std::chrono::steady_clock::now();
    stop.request_stop();
  });
  StatusOr<mining::SearchResult> result = miner.Search(request, stop.get_token());
  const auto returned = std::chrono::steady_clock::now();
  canceller.join();
  return {std::move(result), returned - asked};
}

}  // namespace rowchain::testing
