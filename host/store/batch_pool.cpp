#include "store/batch_pool.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "store/packed_leaves.h"

namespace rowchain::store {

Value BatchIdValue(const consensus::BatchId& id) { return Value::Bytes(std::string(id.begin(), id.end())); }

namespace {

consensus::BatchId BatchIdFrom(const Value& v) {
  consensus::BatchId id{};
  std::copy_n(v.as_string().begin(), id.size(), id.begin());
  return id;
}

}  // namespace

StatusOr<std::optional<consensus::BatchId>> FindBatchByKey(MysqlConnection& db, const std::string& idempotency_key) {
  Value key = Value::Bytes(idempotency_key);
  auto found = db.Query("SELECT batch_id FROM rowchain_batches WHERE idempotency_key = ?", std::span(&key, 1));
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<consensus::BatchId>();
  consensus::BatchId id{};
  std::copy_n((*found)[0][0].as_string().begin(), id.size(), id.begin());
  return std::optional<consensus::BatchId>(id);
}

StatusOr<consensus::BatchId> InsertPendingBatch(MysqlConnection& db, const consensus::BatchId& id,
                                                std::string_view table, std::span<const consensus::Leaf> leaves,
                                                const std::string& idempotency_key, int64_t now) {
  if (!idempotency_key.empty()) {
    auto found = FindBatchByKey(db, idempotency_key);
    if (!found.ok()) return found.status();
    if (*found) return **found;
  }
  std::vector<uint8_t> blob = PackLeaves(leaves);
  std::array<Value, 7> params = {
      BatchIdValue(id),
      Value::Text(std::string(table)),
      idempotency_key.empty() ? Value::Null() : Value::Bytes(idempotency_key),
      Value::Bytes(std::string(blob.begin(), blob.end())),
      Value::Int(static_cast<int64_t>(leaves.size())),
      Value::Int(static_cast<int64_t>(consensus::BodySize(leaves))),
      Value::Int(now)};
  auto inserted = db.Update(
      "INSERT INTO rowchain_batches (batch_id, table_name, idempotency_key, rows_blob, row_count, byte_size, state, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
      params);
  if (!inserted.ok()) {
    // Two writers raced with the same key: the unique key let exactly one of them in.
    if (inserted.status().code() == StatusCode::kAlreadyExists && !idempotency_key.empty()) {
      auto found = FindBatchByKey(db, idempotency_key);
      if (!found.ok()) return found.status();
      if (*found) return **found;
    }
    return inserted.status();
  }
  return id;
}

StatusOr<std::vector<PendingBatch>> ReadPendingBatches(
    MysqlConnection& db, uint64_t max_rows, uint64_t max_bytes, const std::set<consensus::BatchId>& exclude,
    const std::function<bool(const consensus::BatchId&)>& leaves_known) {
  std::vector<PendingBatch> batches;
  uint64_t rows = 0, bytes = 0;
  // One streamed query; every batch holds at least one row, so max_rows bounds what is read.
  Value limit = Value::Int(static_cast<int64_t>(std::min<uint64_t>(max_rows + exclude.size(), INT64_MAX)));
  Status s = db.QueryEach(
      "SELECT batch_id, table_name, rows_blob, seq, row_count, byte_size FROM rowchain_batches WHERE state = 0 "
      "ORDER BY seq LIMIT ?",
      std::span(&limit, 1), [&](std::span<const Value> r) {
        const consensus::BatchId id = BatchIdFrom(r[0]);
        if (exclude.contains(id)) return OkStatus();
        uint64_t n = static_cast<uint64_t>(r[4].as_int()), b = static_cast<uint64_t>(r[5].as_int());
        if (rows + n > max_rows || bytes + b > max_bytes) return CancelledError("budget full");
        rows += n;
        bytes += b;
        PendingBatch batch{.id = id, .table = r[1].as_string(), .leaves = {}, .seq = r[3].as_int()};
        if (!leaves_known || !leaves_known(id)) {
          const std::string& blob = r[2].as_string();
          auto leaves = UnpackLeaves(std::span(reinterpret_cast<const uint8_t*>(blob.data()), blob.size()));
          if (!leaves.ok()) return InternalError(fmt::format("stored batch is damaged: {}", leaves.status().message()));
          batch.leaves = std::move(*leaves);
        }
        batches.push_back(std::move(batch));
        return OkStatus();
      });
  if (!s.ok() && s.code() != StatusCode::kCancelled) return s;
  return batches;
}

StatusOr<std::optional<BatchRecord>> ReadBatchRecord(MysqlConnection& db, const consensus::BatchId& id) {
  Value v = BatchIdValue(id);
  auto found = db.Query("SELECT state, block_hash, reason, row_count FROM rowchain_batches WHERE batch_id = ?",
                        std::span(&v, 1));
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<BatchRecord>();
  const Row& r = (*found)[0];
  BatchRecord record;
  record.state = static_cast<BatchState>(r[0].as_int());
  if (!r[1].is_null()) {
    consensus::Hash256 h{};
    std::copy_n(r[1].as_string().begin(), h.size(), h.begin());
    record.block_hash = h;
  }
  if (!r[2].is_null()) record.reason = r[2].as_string();
  record.row_count = static_cast<uint32_t>(r[3].as_int());
  return std::optional<BatchRecord>(record);
}

StatusOr<PendingTotals> ReadPendingTotals(MysqlConnection& db) {
  // SUM is a DECIMAL: cast back to an integer column.
  auto found =
      db.Query("SELECT COUNT(*), CAST(COALESCE(SUM(row_count), 0) AS SIGNED) FROM rowchain_batches WHERE state = 0");
  if (!found.ok()) return found.status();
  const Row& r = (*found)[0];
  return PendingTotals{.batches = static_cast<uint64_t>(r[0].as_int()), .rows = static_cast<uint64_t>(r[1].as_int())};
}

Status RejectPendingBatch(MysqlConnection& db, const consensus::BatchId& id, std::string_view reason) {
  std::array<Value, 2> params = {Value::Text(std::string(reason.substr(0, 255))), BatchIdValue(id)};
  auto updated = db.Update("UPDATE rowchain_batches SET state = 2, reason = ? WHERE batch_id = ? AND state = 0", params);
  return updated.status();
}

}  // namespace rowchain::store
