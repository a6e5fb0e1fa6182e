#include "node/pool_writer.h"

namespace rowchain::node {

StatusOr<consensus::BatchId> PoolWriter::Store(store::NewPendingBatch batch, int64_t now) {
  if (!batch.retry.key_digest.empty()) {
    // A retry finds its batch at once; a race between two first sends is settled by the key's
    // unique index (see StoreGroup).
    auto found = m_connections.With([&](store::MysqlConnection& db) { return store::FindRetriedBatch(db, batch.retry); });
    if (!found.ok()) return found.status();
    if (*found) return **found;
  }
  Waiting self{.batch = std::move(batch), .now = now};
  std::unique_lock lock(m_mutex);
  m_queue.push_back(&self);
  while (!self.done) {
    // The first waiter to find room leads the next group, whose members it stores with its own.
    if (m_groups_in_flight < m_limits.max_parallel_groups && !m_queue.empty()) {
      std::vector<Waiting*> group = TakeGroupLocked();
      ++m_groups_in_flight;
      lock.unlock();
      StoreGroup(group);
      lock.lock();
      --m_groups_in_flight;
      for (Waiting* member : group) member->done = true;
      m_group_done.notify_all();
      continue;
    }
    m_group_done.wait(lock);
  }
  return std::move(self.result);
}

std::vector<PoolWriter::Waiting*> PoolWriter::TakeGroupLocked() {
  std::vector<Waiting*> group;
  size_t bytes = 0;
  while (!m_queue.empty() && group.size() < m_limits.max_group_batches) {
    const size_t size = m_queue.front()->batch.packed_leaves.size();
    if (!group.empty() && bytes + size > m_limits.max_group_bytes) break;
    bytes += size;
    group.push_back(m_queue.front());
    m_queue.pop_front();
  }
  return group;
}

void PoolWriter::StoreGroup(const std::vector<Waiting*>& group) {
  std::vector<const store::NewPendingBatch*> batches;
  batches.reserve(group.size());
  for (Waiting* member : group) batches.push_back(&member->batch);
  const int64_t now = group.front()->now;
  auto stored = m_connections.With([&](store::MysqlConnection& db) -> StatusOr<bool> {
    ROWCHAIN_RETURN_IF_ERROR(store::InsertPendingBatches(db, batches, now));
    return true;
  });
  if (stored.ok()) {
    for (Waiting* member : group) member->result = member->batch.id;
    return;
  }
  if (stored.status().code() != StatusCode::kAlreadyExists) {
    for (Waiting* member : group) member->result = stored.status();
    return;
  }
  // An idempotency key was taken meanwhile, or is used twice in this group: the statement stored
  // nothing, so each batch goes alone, and a taken key yields the batch stored under it.
  for (Waiting* member : group) {
    member->result = m_connections.With(
        [&](store::MysqlConnection& db) { return store::InsertPendingBatch(db, member->batch, member->now); });
  }
}

}  // namespace rowchain::node
