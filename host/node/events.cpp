#include "node/events.h"

namespace rowchain::node {

namespace {
BatchEvent Event(const consensus::BatchId& id, BatchPhase phase) {
  BatchEvent event;
  event.id = id;
  event.phase = phase;
  return event;
}
}  // namespace

BatchEvent PendingEvent(const consensus::BatchId& id, bool reorged) {
  BatchEvent event = Event(id, BatchPhase::kPending);
  event.reorged = reorged;
  return event;
}

std::vector<consensus::BatchId> BatchesOf(const consensus::Block& block) {
  std::vector<consensus::BatchId> ids;
  for (size_t i = 1; i < block.leaves.size(); ++i) {
    auto batch_row = consensus::PeekBatchOfLeaf(block.leaves[i]);
    if (batch_row && batch_row->second == 0) ids.push_back(batch_row->first);
  }
  return ids;
}

BatchEvent MiningEvent(const consensus::BatchId& id) { return Event(id, BatchPhase::kMining); }

BatchEvent SealedEvent(const consensus::BatchId& id, uint64_t height, const consensus::Hash256& block_hash) {
  BatchEvent event = Event(id, BatchPhase::kSealed);
  event.height = height;
  event.block_hash = block_hash;
  return event;
}

BatchEvent RejectedEvent(const consensus::BatchId& id, std::string reason) {
  BatchEvent event = Event(id, BatchPhase::kRejected);
  event.reason = std::move(reason);
  return event;
}

uint64_t EventHub::Subscribe(Callback callback) {
  std::lock_guard lock(m_mutex);
  uint64_t id = m_next_id++;
  m_subscribers.emplace(id, std::move(callback));
  return id;
}

void EventHub::Unsubscribe(uint64_t id) {
  std::lock_guard lock(m_mutex);
  m_subscribers.erase(id);
}

void EventHub::Publish(const NodeEvent& event) {
  std::lock_guard lock(m_mutex);
  for (auto& [id, callback] : m_subscribers) callback(event);
}

size_t EventHub::subscribers() const {
  std::lock_guard lock(m_mutex);
  return m_subscribers.size();
}

}  // namespace rowchain::node
