// Stores writers' new batches in the pending pool with a group commit: batches that arrive
// while another group is being stored wait, and go together in the next statement, so that
// one commit (one redo-log flush) makes many batches durable. Each caller still returns only
// once its own batch is durable. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>

#include "store/batch_pool.h"
#include "store/connection_pool.h"

namespace rowchain::node {

struct PoolWriterLimits {
  size_t max_parallel_groups = 1;       // groups being stored at once (each holds a connection)
  size_t max_group_batches = 64;
  size_t max_group_bytes = 4u << 20;    // well below MariaDB's max_allowed_packet (16 MiB)
};

class PoolWriter {
 public:
  PoolWriter(store::ConnectionPool& connections, PoolWriterLimits limits = {})
      : m_connections(connections), m_limits(limits) {}

  // Stores `batch` durably; with an idempotency key already stored (also by a concurrent call),
  // stores nothing and returns the id stored under it.
  StatusOr<consensus::BatchId> Store(store::NewPendingBatch batch, int64_t now);

 private:
  struct Waiting {
    store::NewPendingBatch batch;
    int64_t now = 0;
    bool done = false;
    StatusOr<consensus::BatchId> result = InternalError("not stored");
  };
  // Takes the group to store next from the front of the queue.
  std::vector<Waiting*> TakeGroupLocked();
  void StoreGroup(const std::vector<Waiting*>& group);

  store::ConnectionPool& m_connections;
  const PoolWriterLimits m_limits;
  std::mutex m_mutex;
  std::condition_variable m_group_done;
  std::deque<Waiting*> m_queue;
  size_t m_groups_in_flight = 0;
};

}  // namespace rowchain::node
