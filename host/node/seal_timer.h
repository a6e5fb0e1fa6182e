// Times each batch from its acknowledgement to the block that seals it, for the
// rowchain_batch_seal_seconds histogram. Bounded: past kMaxTimed batches waiting, new ones are
// not timed (the histogram then undercounts; nothing else depends on it). Batches sealed after
// a restart were acknowledged by an earlier process and are not timed. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <unordered_map>

#include "consensus/row_operation.h"

namespace rowchain::node {

class SealTimer {
 public:
  static constexpr size_t kMaxTimed = 100'000;

  void Start(const consensus::BatchId& id);
  // Observes the time since Start, if the batch was timed.
  void Finish(const consensus::BatchId& id);

 private:
  struct IdHash {
    size_t operator()(const consensus::BatchId& id) const {
      size_t h = 0;
      for (size_t i = 0; i < sizeof h; ++i) h = h << 8 | id[i];  // ids are random
      return h;
    }
  };
  std::mutex m_mutex;
  std::unordered_map<consensus::BatchId, std::chrono::steady_clock::time_point, IdHash> m_started;
};

}  // namespace rowchain::node
