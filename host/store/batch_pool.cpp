#include "store/batch_pool.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "store/packed_leaves.h"
#include "util/utf8.h"

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

NewPendingBatch NewPendingBatchOf(const consensus::BatchId& id, std::string_view table,
                                  std::span<const consensus::Leaf> leaves, std::string_view idempotency_key) {
  std::vector<uint8_t> packed = PackLeaves(leaves);
  return NewPendingBatch{.id = id,
                         .table = table,
                         .idempotency_key = idempotency_key,
                         .packed_leaves = std::string(packed.begin(), packed.end()),
                         .row_count = static_cast<uint32_t>(leaves.size()),
                         .byte_size = consensus::BodySize(leaves)};
}

StatusOr<consensus::BatchId> InsertPendingBatch(MysqlConnection& db, const NewPendingBatch& batch, int64_t now) {
  const std::string key(batch.idempotency_key);
  if (!key.empty()) {
    auto found = FindBatchByKey(db, key);
    if (!found.ok()) return found.status();
    if (*found) return **found;
  }
  const NewPendingBatch* one = &batch;
  Status inserted = InsertPendingBatches(db, std::span(&one, 1), now);
  if (!inserted.ok()) {
    // Two writers raced with the same key: the unique key let exactly one of them in.
    if (inserted.code() == StatusCode::kAlreadyExists && !key.empty()) {
      auto found = FindBatchByKey(db, key);
      if (!found.ok()) return found.status();
      if (*found) return **found;
    }
    return inserted;
  }
  return batch.id;
}

Status InsertPendingBatches(MysqlConnection& db, std::span<const NewPendingBatch* const> batches, int64_t now) {
  if (batches.empty()) return OkStatus();
  // One statement text per group size; groups are small, so the cache holds them all.
  std::string sql =
      "INSERT INTO rowchain_batches (batch_id, table_name, idempotency_key, rows_blob, row_count, byte_size, state, "
      "created_at) VALUES ";
  std::vector<Value> params;
  params.reserve(batches.size() * 7);
  for (size_t i = 0; i < batches.size(); ++i) {
    const NewPendingBatch& batch = *batches[i];
    sql += i == 0 ? "(?, ?, ?, ?, ?, ?, 0, ?)" : ", (?, ?, ?, ?, ?, ?, 0, ?)";
    params.push_back(BatchIdValue(batch.id));
    params.push_back(Value::Text(std::string(batch.table)));
    params.push_back(batch.idempotency_key.empty() ? Value::Null() : Value::Bytes(std::string(batch.idempotency_key)));
    params.push_back(Value::Bytes(batch.packed_leaves));
    params.push_back(Value::Int(batch.row_count));
    params.push_back(Value::Int(static_cast<int64_t>(batch.byte_size)));
    params.push_back(Value::Int(now));
  }
  return db.Update(sql, params).status();
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
  // The column holds 255 characters; a reason is cut at a character boundary (a cut inside one
  // would fail under strict mode, and the batch would head every template forever).
  std::array<Value, 2> params = {Value::Text(Utf8Prefix(reason, 255)), BatchIdValue(id)};
  auto updated = db.Update("UPDATE rowchain_batches SET state = 2, reason = ? WHERE batch_id = ? AND state = 0", params);
  return updated.status();
}

}  // namespace rowchain::store
