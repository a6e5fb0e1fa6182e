#include "store/batch_pool.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "crypto/sha256.h"
#include "store/packed_leaves.h"
#include "util/hex.h"
#include "util/utf8.h"

namespace rowchain::store {

Value BatchIdValue(const consensus::BatchId& id) { return Value::Bytes(std::string(id.begin(), id.end())); }

namespace {

// Every leaf's bytes but its batch id (bytes 2..17 of a row leaf, docs/format.md): the same rows
// sent again under a new batch id digest the same.
std::string ContentDigest(std::span<const consensus::Leaf> leaves) {
  constexpr size_t kBatchIdEnd = 2 + 16;
  std::vector<std::span<const uint8_t>> parts;
  parts.reserve(2 * leaves.size());
  for (const consensus::Leaf& leaf : leaves) {
    const size_t cut = std::min(leaf.size(), kBatchIdEnd);
    parts.emplace_back(leaf.data(), std::min<size_t>(leaf.size(), 2));
    parts.emplace_back(leaf.data() + cut, leaf.size() - cut);
  }
  const crypto::Digest digest = crypto::Sha256Parts(parts);
  return std::string(digest.begin(), digest.end());
}

consensus::BatchId BatchIdFrom(const Value& v) {
  consensus::BatchId id{};
  std::copy_n(v.as_string().begin(), id.size(), id.begin());
  return id;
}

}  // namespace

RetryKey RetryKeyOf(const IdempotencyKey& key, std::string_view table, std::span<const consensus::Leaf> leaves) {
  if (key.key.empty()) return {};
  const std::string scoped = fmt::format("rowchain-key-v1{}{}{}{}{}{}", '\0', key.writer, '\0', table, '\0', key.key);
  const crypto::Digest digest = crypto::Sha256(std::span(reinterpret_cast<const uint8_t*>(scoped.data()), scoped.size()));
  return {.key_digest = std::string(digest.begin(), digest.end()), .content_digest = ContentDigest(leaves)};
}

NewPendingBatch NewPendingBatchOf(const consensus::BatchId& id, std::string_view table,
                                  std::span<const consensus::Leaf> leaves, RetryKey retry) {
  std::vector<uint8_t> packed = PackLeaves(leaves);
  return NewPendingBatch{.id = id,
                         .table = table,
                         .retry = std::move(retry),
                         .packed_leaves = std::string(packed.begin(), packed.end()),
                         .row_count = static_cast<uint32_t>(leaves.size()),
                         .byte_size = consensus::BodySize(leaves)};
}

NewPendingBatch NewPendingBatchOf(const consensus::BatchId& id, std::string_view table,
                                  std::span<const consensus::Leaf> leaves, const IdempotencyKey& key) {
  return NewPendingBatchOf(id, table, leaves, RetryKeyOf(key, table, leaves));
}

StatusOr<std::optional<consensus::BatchId>> FindRetriedBatch(MysqlConnection& db, const RetryKey& retry) {
  if (retry.key_digest.empty()) return std::optional<consensus::BatchId>();
  Value key = Value::Bytes(retry.key_digest);
  auto found = db.Query("SELECT batch_id, content_digest FROM rowchain_batches WHERE idempotency_key = ?",
                        std::span(&key, 1));
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<consensus::BatchId>();
  consensus::BatchId id{};
  std::copy_n((*found)[0][0].as_string().begin(), id.size(), id.begin());
  const Value& stored = (*found)[0][1];
  if (!stored.is_null() && stored.as_string() != retry.content_digest) {
    return Status(StatusCode::kAlreadyExists,
                  fmt::format("the idempotency key already names batch {}, which holds other rows", HexEncode(id)));
  }
  return std::optional<consensus::BatchId>(id);
}

StatusOr<consensus::BatchId> InsertPendingBatch(MysqlConnection& db, const NewPendingBatch& batch, int64_t now) {
  auto retried = FindRetriedBatch(db, batch.retry);
  if (!retried.ok()) return retried.status();
  if (*retried) return **retried;
  const NewPendingBatch* one = &batch;
  Status inserted = InsertPendingBatches(db, std::span(&one, 1), now);
  if (!inserted.ok()) {
    // Two writers raced with the same key: the unique key let exactly one of them in.
    if (inserted.code() == StatusCode::kAlreadyExists && !batch.retry.key_digest.empty()) {
      auto found = FindRetriedBatch(db, batch.retry);
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
      "INSERT INTO rowchain_batches (batch_id, table_name, idempotency_key, content_digest, rows_blob, row_count, "
      "byte_size, state, created_at) VALUES ";
  std::vector<Value> params;
  params.reserve(batches.size() * 8);
  for (size_t i = 0; i < batches.size(); ++i) {
    const NewPendingBatch& batch = *batches[i];
    sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, 0, ?)" : ", (?, ?, ?, ?, ?, ?, ?, 0, ?)";
    params.push_back(BatchIdValue(batch.id));
    params.push_back(Value::Text(std::string(batch.table)));
    const RetryKey& retry = batch.retry;
    params.push_back(retry.key_digest.empty() ? Value::Null() : Value::Bytes(retry.key_digest));
    params.push_back(retry.content_digest.empty() ? Value::Null() : Value::Bytes(retry.content_digest));
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
