#include "node/pending_cache.h"

namespace rowchain::node {

uint64_t PendingCache::Footprint(const PreparedBatch& batch) {
  constexpr uint64_t kPerAllocation = 16;  // what malloc keeps beside each block it hands out
  uint64_t bytes = sizeof(PreparedBatch) + batch.leaf_bytes;
  for (const std::string& key : batch.keys) bytes += sizeof(std::string) + key.capacity() + kPerAllocation;
  for (const consensus::RowOperation& row : batch.rows) {
    bytes += sizeof(consensus::RowOperation) + sizeof(consensus::Leaf) + 2 * kPerAllocation +
             row.values.capacity() * sizeof(consensus::Value);
    for (const consensus::Value& value : row.values) {
      if (!value.is_null() && value.kind() != consensus::Value::Kind::kInt) bytes += value.as_string().capacity();
    }
  }
  return bytes;
}

void PendingCache::Put(std::shared_ptr<const PreparedBatch> batch) {
  const uint64_t footprint = Footprint(*batch);
  std::lock_guard lock(m_mutex);
  if (m_bytes + footprint > m_max_bytes) return;
  const consensus::BatchId id = batch->id;
  auto [it, inserted] = m_batches.try_emplace(id, Held{.batch = std::move(batch), .footprint = footprint});
  if (inserted) m_bytes += footprint;
}

std::shared_ptr<const PreparedBatch> PendingCache::Find(const consensus::BatchId& id) const {
  std::lock_guard lock(m_mutex);
  auto it = m_batches.find(id);
  return it == m_batches.end() ? nullptr : it->second.batch;
}

void PendingCache::Erase(const consensus::BatchId& id) {
  std::lock_guard lock(m_mutex);
  auto it = m_batches.find(id);
  if (it == m_batches.end()) return;
  m_bytes -= it->second.footprint;
  m_batches.erase(it);
}

size_t PendingCache::batches() const {
  std::lock_guard lock(m_mutex);
  return m_batches.size();
}

uint64_t PendingCache::bytes() const {
  std::lock_guard lock(m_mutex);
  return m_bytes;
}

}  // namespace rowchain::node
