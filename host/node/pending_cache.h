// The pending batches as templates need them (node/batch_input.h's PreparedBatch), kept from
// the moment they are submitted so that a template neither reads their rows back from MySQL
// nor decodes them again. MySQL stays the record of which batches are pending and in what
// order; this only remembers what each batch holds, which never changes for a batch id the
// node stored. A batch that is not held (the node restarted, a reorg returned it, the bound was
// reached) is read from MySQL and held from then on. Bounded in bytes. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "node/batch_input.h"

namespace rowchain::node {

class PendingCache {
 public:
  explicit PendingCache(uint64_t max_bytes) : m_max_bytes(max_bytes) {}

  // Holds the batch unless that would pass the bound (the batch is then read from MySQL).
  void Put(std::shared_ptr<const PreparedBatch> batch);
  // nullptr when not held.
  std::shared_ptr<const PreparedBatch> Find(const consensus::BatchId& id) const;
  // The batch left the pool (sealed in a block, or rejected).
  void Erase(const consensus::BatchId& id);

  size_t batches() const;
  uint64_t bytes() const;

  // What holding a batch costs in memory, roughly: its leaves, keys and decoded rows.
  static uint64_t Footprint(const PreparedBatch& batch);

 private:
  const uint64_t m_max_bytes;
  mutable std::mutex m_mutex;
  // Ordered: ids may come from peers' blocks (after a reorg), so no hash to collide on.
  struct Held {
    std::shared_ptr<const PreparedBatch> batch;
    uint64_t footprint = 0;
  };
  std::map<consensus::BatchId, Held> m_batches;
  uint64_t m_bytes = 0;
};

}  // namespace rowchain::node
