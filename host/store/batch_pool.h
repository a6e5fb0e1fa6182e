// The pending pool: batches accepted from writers (or returned by a reorg) that wait for a
// block, kept durably in rowchain_batches and served oldest first. A batch's rows are stored
// as their row-operation leaves (body encoding), so a template is a concatenation of them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/block.h"
#include "store/mysql_connection.h"

namespace rowchain::store {

struct PendingBatch {
  consensus::BatchId id{};
  std::string table;
  std::vector<consensus::Leaf> leaves;  // one row-operation leaf per row, rows 0..n-1
  int64_t seq = 0;
};

enum class BatchState : int { kPending = 0, kSealed = 1, kRejected = 2 };

struct BatchRecord {
  BatchState state = BatchState::kPending;
  std::optional<consensus::Hash256> block_hash;
  std::string reason;
  uint32_t row_count = 0;
};

// An idempotency key is scoped to its writer (a token's name, "kafka:<topic>") and table: what
// is stored is the SHA-256 of the three, so one writer can never claim another's keys (the
// predictable Kafka keys among them).
struct IdempotencyKey {
  std::string writer;
  std::string key;  // empty: none
};

// What recognises a retry: the scoped key's digest, and a digest of the rows without their
// batch id (a retry's rows are the same). Both empty without a key.
struct RetryKey {
  std::string key_digest;
  std::string content_digest;
};
RetryKey RetryKeyOf(const IdempotencyKey& key, std::string_view table, std::span<const consensus::Leaf> leaves);

// A new pending batch, its leaves already packed, as InsertPendingBatch(es) store it.
struct NewPendingBatch {
  consensus::BatchId id{};
  std::string_view table;
  RetryKey retry;
  std::string packed_leaves;   // PackLeaves
  uint32_t row_count = 0;
  uint64_t byte_size = 0;      // consensus::BodySize of the leaves
};
NewPendingBatch NewPendingBatchOf(const consensus::BatchId& id, std::string_view table,
                                  std::span<const consensus::Leaf> leaves, RetryKey retry);
NewPendingBatch NewPendingBatchOf(const consensus::BatchId& id, std::string_view table,
                                  std::span<const consensus::Leaf> leaves, const IdempotencyKey& key = {});

// The batch already stored under the key: nullopt when there is none (or no key); its id when it
// holds the same rows (a retry); ALREADY_EXISTS naming it when it holds other rows (never a
// silent success).
StatusOr<std::optional<consensus::BatchId>> FindRetriedBatch(MysqlConnection& db, const RetryKey& retry);

// Stores a new pending batch. With an idempotency key that is already stored (also by a
// concurrent call), stores nothing and returns FindRetriedBatch's answer.
StatusOr<consensus::BatchId> InsertPendingBatch(MysqlConnection& db, const NewPendingBatch& batch, int64_t now);
// Stores several new pending batches in one statement, so one commit makes them all durable:
// all are stored or none is. An idempotency key already stored (or used twice among them)
// fails the whole statement with ALREADY_EXISTS; the caller then stores them one by one.
Status InsertPendingBatches(MysqlConnection& db, std::span<const NewPendingBatch* const> batches, int64_t now);
// Oldest first, whole batches only, within the row and byte budgets; batches in `exclude` (the
// block being committed) are skipped without counting. A batch for which `leaves_known` says
// true comes without its leaves (the caller holds them already), which are then not unpacked.
StatusOr<std::vector<PendingBatch>> ReadPendingBatches(
    MysqlConnection& db, uint64_t max_rows, uint64_t max_bytes, const std::set<consensus::BatchId>& exclude = {},
    const std::function<bool(const consensus::BatchId&)>& leaves_known = nullptr);
StatusOr<std::optional<BatchRecord>> ReadBatchRecord(MysqlConnection& db, const consensus::BatchId& id);
struct PendingTotals {
  uint64_t batches = 0;
  uint64_t rows = 0;
};
StatusOr<PendingTotals> ReadPendingTotals(MysqlConnection& db);
// A pending batch whose rows can never apply (e.g. an INSERT of a key that now exists) leaves
// the pool for good, with the reason its writer is told.
Status RejectPendingBatch(MysqlConnection& db, const consensus::BatchId& id, std::string_view reason);

Value BatchIdValue(const consensus::BatchId& id);

}  // namespace rowchain::store
