// What a node tells its watchers: batch state changes and main-chain block changes, in the
// order they happened. Subscribers are called on the publishing thread with the hub's lock
// held, so a callback must only queue (gRPC streams queue and write on their own). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "consensus/block.h"
#include "consensus/uint256.h"

namespace rowchain::node {

enum class BatchPhase { kPending, kMining, kSealed, kRejected };

struct BatchEvent {
  consensus::BatchId id{};
  BatchPhase phase = BatchPhase::kPending;
  uint64_t height = 0;                // kSealed
  consensus::Hash256 block_hash{};    // kSealed
  std::string reason;                 // kRejected
  bool reorged = false;               // back to pending because its block was disconnected
};

BatchEvent PendingEvent(const consensus::BatchId& id, bool reorged = false);
BatchEvent MiningEvent(const consensus::BatchId& id);
BatchEvent SealedEvent(const consensus::BatchId& id, uint64_t height, const consensus::Hash256& block_hash);
BatchEvent RejectedEvent(const consensus::BatchId& id, std::string reason);

// A stored block as readers see it.
struct BlockView {
  consensus::Block block;
  consensus::Hash256 hash{};
  uint64_t height = 0;
  bool in_main = false;
  consensus::U256 chain_work;
};

// The batches a block holds, in block order (a batch's rows are contiguous).
std::vector<consensus::BatchId> BatchesOf(const consensus::Block& block);

struct BlockEvent {
  bool connected = true;  // false: disconnected
  std::shared_ptr<const BlockView> block;
};

using NodeEvent = std::variant<BatchEvent, BlockEvent>;

class EventHub {
 public:
  using Callback = std::function<void(const NodeEvent&)>;
  // Returns the id to unsubscribe with.
  uint64_t Subscribe(Callback callback);
  void Unsubscribe(uint64_t id);
  void Publish(const NodeEvent& event);
  size_t subscribers() const;

 private:
  mutable std::mutex m_mutex;
  uint64_t m_next_id = 1;
  std::unordered_map<uint64_t, Callback> m_subscribers;
};

}  // namespace rowchain::node
