// ChainStore: connecting one block to the main chain (see chain_store.h, docs/storage.md). The
// block's writes are few statements, and on MariaDB the last of them carries the COMMIT:
//   UPDATE/DELETE rows (with their pre-images read first), one at a time, checked;
//   the INSERT rows, started without waiting for them (MysqlConnection::StartUpdate; an array
//   of rows on MariaDB): the client hashes the leaves and packs the body while the server
//   inserts;
//   then one statement list: the batch upsert, the block row with its body and undo image,
//   COMMIT. (The block row's in_main mark is the main chain's tip: no record of its own.)
// (Sending the INSERT rows in that list too saves a round trip, but the server copies a compound
// statement's values once more, which cost more than the round trip at every block size
// measured: BENCHMARKS.md.) Writes the ledger refuses (a duplicate
// key, a batch sealed before) are not asked about first: the block is rolled back and the clash
// named afterwards by the same consensus check a validator that asked first would run.
#include <array>
#include <ctime>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "consensus/block_checks.h"
#include "store/chain_store.h"
#include "store/chain_store_internal.h"
#include "store/node_tables.h"
#include "store/packed_leaves.h"
#include "store/outbox.h"
#include "store/sql_bytes.h"

namespace rowchain::store {

using consensus::Block;
using consensus::Verdict;
using internal::ShortHash;

StatusOr<Verdict> ChainStore::ConnectStoredBlock(BlockEntry* entry, const Block& block) {
  ROWCHAIN_RETURN_IF_ERROR(m_db->Begin());
  auto verdict = ConnectInTransaction(entry, block, BlockRow::kStoredEarlier, nullptr, /*commit=*/true);
  if (!verdict.ok() || !verdict->ok()) {
    m_db->Rollback();
    return verdict;
  }
  m_index.PushMain(entry);
  spdlog::debug("connected block {} at height {} ({} rows)", ShortHash(entry->hash), entry->height, entry->row_count);
  return verdict;
}

StatusOr<Verdict> ChainStore::ConnectInTransaction(BlockEntry* entry, const Block& block, BlockRow row,
                                                   const consensus::DecodedBody* checked_body, bool commit,
                                                   bool check_merkle_root) {
  StatusOr<consensus::DecodedBody> decoded = consensus::DecodedBody{};
  if (checked_body == nullptr) {
    decoded = consensus::DecodeBody(block.leaves);
    if (!decoded.ok()) return Verdict::Invalid("bad-leaf", decoded.status().message());
    checked_body = &*decoded;
  }
  const consensus::DecodedBody& body = *checked_body;
  NoteLedgerKeys(body.rows);
  LedgerWriter writer(*m_db, m_params);
  auto snapshot = writer.ReadState(body);
  if (!snapshot.ok()) return snapshot.status();
  if (Verdict v = consensus::CheckBlockAgainstState(body, m_params, snapshot->view); !v.ok()) {
    return NameClash(body, v);  // a batch sealed before still comes first
  }

  StatementList inserts;  // the UPDATEs and DELETEs run now, the INSERTs go with other work
  auto undo = writer.Apply(body, *snapshot, inserts);
  if (!undo.ok()) return undo.status();
  StatementList last;  // ends with the COMMIT
  // A replayed batch is named as such (not as its rows' existing keys) whichever statement
  // fails first: NameClash checks batches before keys.
  AddSealBatches(&last, entry->hash, block, body);
  // The INSERTs go first, on their own, and the client hashes and packs the body while the
  // server inserts.
  const bool rows_ahead = !inserts.empty();
  if (rows_ahead) {
    ROWCHAIN_RETURN_IF_ERROR(inserts.Start(*m_db));
    Stage("rows-sent");
  }
  if (check_merkle_root) {
    if (Verdict root = consensus::CheckBlockMerkleRoot(block); !root.ok()) return root;  // the caller rolls back
  }

  std::vector<consensus::Leaf> undo_leaves;
  undo_leaves.reserve(undo->size());
  for (const auto& op : *undo) undo_leaves.push_back(consensus::EncodeRowOperationLeaf(op));
  Value undo_blob = Value::Bytes(Blob(PackLeaves(undo_leaves)));
  switch (row) {
    case BlockRow::kInsert:
      AddStoreBlock(&last, *entry, block, &undo_blob);
      break;
    case BlockRow::kStoredEarlier:
      last.Add("UPDATE rowchain_blocks SET in_main = 1, undo_ops = ? WHERE hash = ?",
               {undo_blob, HashValue(entry->hash)});
      break;
  }
  if (rows_ahead) {
    auto inserted = m_db->FinishUpdate();
    if (!inserted.ok() && inserted.status().code() == StatusCode::kAlreadyExists) {
      return NameClash(body, ExistingKeyError(inserted.status()));
    }
    if (!inserted.ok()) return inserted.status();
  }
  Stage("ledger-applied");
  if (!m_options.change_feed_prefix.empty()) ROWCHAIN_RETURN_IF_ERROR(WriteChangeEvents(*entry, block, body, *snapshot));

  if (commit) Stage("before-commit");
  Status written = last.Run(*m_db, commit);
  if (written.code() == StatusCode::kAlreadyExists || written.code() == StatusCode::kFailedPrecondition) {
    return NameClash(body, written);
  }
  if (!written.ok()) return written;
  return Verdict::Valid();
}

void ChainStore::NoteLedgerKeys(std::span<const consensus::RowOperation> ops) const {
  if (!m_options.ledger_keys) return;
  for (const consensus::RowOperation& op : ops) {
    if (op.op != consensus::RowOpKind::kInsert) continue;  // an UPDATE's or DELETE's key is held already
    m_options.ledger_keys->Add(consensus::RowKeyOf(op, *m_params.schema.FindTable(op.table)));
  }
}

void ChainStore::AddSealBatches(StatementList* list, const Hash256& block_hash, const Block& block,
                                const consensus::DecodedBody& body) const {
  // One upsert: a batch from this node's pool becomes sealed; a peer's batch, unknown here, is
  // recorded as sealed without its rows (the block body holds them; a disconnect copies them
  // back when it returns the batch to the pool). A batch already sealed sets `state` to NULL,
  // which strict mode refuses (FAILED_PRECONDITION): no SELECT is needed first.
  std::vector<Value> params;
  size_t batches = 0;
  for (size_t i = 0; i < body.rows.size();) {
    size_t end = i + 1;
    while (end < body.rows.size() && body.rows[end].batch_id == body.rows[i].batch_id) ++end;
    const uint64_t bytes = consensus::BodySize(std::span(block.leaves).subspan(1 + i, end - i));  // row r is leaf r + 1
    for (Value v : {BatchIdValue(body.rows[i].batch_id), Value::Text(body.rows[i].table),
                    Value::Int(static_cast<int64_t>(end - i)), Value::Int(static_cast<int64_t>(bytes)),
                    HashValue(block_hash)}) {
      params.push_back(std::move(v));
    }
    ++batches;
    i = end;
  }
  if (batches == 0) return;
  list->Add(fmt::format("INSERT INTO rowchain_batches (batch_id, table_name, rows_blob, row_count, byte_size, "
                        "block_hash, state, created_at) VALUES {} ON DUPLICATE KEY UPDATE "
                        "state = IF(state = 1, NULL, 1), block_hash = VALUES(block_hash), reason = NULL",
                        fmt::join(std::vector<std::string>(batches, "(?, ?, '', ?, ?, ?, 1, UNIX_TIMESTAMP())"), ", ")),
            std::move(params));
}

StatusOr<Verdict> ChainStore::NameClash(const consensus::DecodedBody& body, StatusOr<Verdict> otherwise) {
  // Outside the block's transaction, so that its own writes do not count as clashes.
  m_db->Rollback();
  consensus::LedgerStateView view;
  std::vector<Value> ids;
  for (const consensus::RowOperation& row : body.rows) {
    if (row.row_index == 0) ids.push_back(BatchIdValue(row.batch_id));
  }
  if (!ids.empty()) {
    ROWCHAIN_RETURN_IF_ERROR(m_db->QueryEach(
        fmt::format("SELECT batch_id FROM rowchain_batches WHERE state = 1 AND batch_id IN ({})",
                    fmt::join(std::vector<std::string>(ids.size(), "?"), ", ")),
        ids, [&](std::span<const Value> found) {
          consensus::BatchId id{};
          std::copy_n(found[0].as_string().begin(), id.size(), id.begin());
          view.sealed_batches.insert(id);
          return OkStatus();
        }));
  }
  auto existing = LedgerWriter(*m_db, m_params).ExistingKeys(body.rows);
  if (!existing.ok()) return existing.status();
  view.existing_keys = std::move(*existing);
  Verdict named = consensus::CheckBlockAgainstState(body, m_params, view);
  if (named.ok()) return otherwise;  // no clash after all: the server's error stands
  return named;
}

Status ChainStore::WriteChangeEvents(const BlockEntry& entry, const Block& block, const consensus::DecodedBody& body,
                                     const LedgerSnapshot& snapshot) {
  const ChangeSource source{m_options.change_feed_prefix, m_params.name, entry.height, entry.hash, block.header.time};
  auto events = EventsForConnect(source, m_params.schema, body.rows, snapshot.pre_images);
  if (!events.ok()) return events.status();
  return Outbox(*m_db).Append(*events);
}

}  // namespace rowchain::store
