#include "store/chain_store.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <map>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "consensus/block_checks.h"
#include "consensus/compact.h"
#include "consensus/pow.h"
#include "consensus/retarget.h"
#include "store/chain_store_internal.h"
#include "store/ledger_tables.h"
#include "store/node_tables.h"
#include "store/packed_leaves.h"
#include "store/reindex.h"
#include "store/outbox.h"
#include "store/sql_bytes.h"
#include "util/utf8.h"

namespace rowchain::store {

// What a damaged node database says it needs, after what is wrong with it.
constexpr std::string_view kRepair =
    "; `rowchaind --reindex` (with this node's other flags) rebuilds the ledger from the stored blocks";
using internal::ShortHash;
using internal::WorkOf;

using consensus::Block;
using consensus::Verdict;

ChainStore::ChainStore(consensus::ChainParams params, ChainStoreOptions options, MysqlUri uri)
    : m_params(std::move(params)), m_options(std::move(options)), m_uri(std::move(uri)) {}

StatusOr<std::unique_ptr<ChainStore>> ChainStore::Open(const MysqlUri& uri, consensus::ChainParams params,
                                                       ChainStoreOptions options) {
  ROWCHAIN_RETURN_IF_ERROR(consensus::ValidateChainParams(params));
  auto store = std::unique_ptr<ChainStore>(new ChainStore(std::move(params), std::move(options), uri));
  store->m_genesis_hash = consensus::MakeGenesisBlock(store->m_params).Hash();
  store->m_needs_reload = true;
  auto lock = DatabaseLock::Acquire(uri);
  if (!lock.ok()) return lock.status();
  store->m_lock = std::move(*lock);
  if (store->m_options.reindex) {
    ROWCHAIN_RETURN_IF_ERROR(store->Reconnect());
    ROWCHAIN_RETURN_IF_ERROR(ResetToGenesis(*store->m_db, store->m_params.schema));
  }
  ROWCHAIN_RETURN_IF_ERROR(store->EnsureReady());
  // Finish whatever a crash interrupted (a reorg half done leaves a better branch unconnected).
  std::vector<ChainEvent> events;
  std::vector<std::pair<Hash256, Verdict>> invalid;
  ROWCHAIN_RETURN_IF_ERROR(store->NoteFailure(store->ActivateBestChain(&events, &invalid)));
  return store;
}

Status ChainStore::Reconnect() {
  m_db.reset();
  ConnectOptions connect = m_options.connect;
  connect.deferred_begin = true;  // a connect is many short transactions: no round trip for BEGIN
  connect.nonblocking = true;  // a block's rows are inserted while its body is hashed
  auto db = MysqlConnection::Connect(m_uri, connect);
  if (!db.ok()) return db.status();
  m_db = std::move(*db);
  if (!m_options.compound_statements) m_db->DisableCompoundStatements();
  if (!m_options.array_binding) m_db->DisableArrayBinding();
  ROWCHAIN_RETURN_IF_ERROR(PrepareNodeTables(*m_db, m_params, m_genesis_hash));
  return PrepareLedgerTables(*m_db, m_params.schema);
}

Status ChainStore::EnsureReady() {
  if (!m_needs_reload) return OkStatus();
  ROWCHAIN_RETURN_IF_ERROR(m_lock->Verify());  // a lost connection may have lost the lock too
  ROWCHAIN_RETURN_IF_ERROR(Reconnect());
  ROWCHAIN_RETURN_IF_ERROR(LoadIndex());
  m_needs_reload = false;
  return OkStatus();
}

Status ChainStore::StoreGenesis() {
  Block genesis = consensus::MakeGenesisBlock(m_params);
  BlockEntry entry;
  entry.hash = m_genesis_hash;
  entry.header = genesis.header;
  entry.chain_work = WorkOf(genesis.header.bits);
  ROWCHAIN_RETURN_IF_ERROR(m_db->Begin());
  BlockEntry* e = &entry;
  Status s = StoreBlock(e, genesis);
  if (s.ok()) {
    std::array<Value, 1> p = {HashValue(m_genesis_hash)};
    s = m_db->Update("UPDATE rowchain_blocks SET in_main = 1 WHERE hash = ?", p).status();
  }
  if (s.ok()) s = m_db->Commit();
  if (!s.ok()) m_db->Rollback();
  return s;
}

Status ChainStore::LoadIndex() {
  m_index = BlockIndex();
  auto count = m_db->Query("SELECT COUNT(*) FROM rowchain_blocks");
  if (!count.ok()) return count.status();
  if ((*count)[0][0].as_int() == 0) ROWCHAIN_RETURN_IF_ERROR(StoreGenesis());

  // Parents before children: by height.
  BlockEntry* tip = nullptr;
  uint64_t main_blocks = 0;
  ROWCHAIN_RETURN_IF_ERROR(m_db->QueryEach(
      "SELECT hash, header, height, status, invalid_reason, row_count, in_main FROM rowchain_blocks ORDER BY height", {},
      [&](std::span<const Value> r) {
        const std::string& header_bytes = r[1].as_string();
        if (header_bytes.size() != consensus::kBlockHeaderSize) return DataLossError("stored header is not 80 bytes");
        BlockEntry entry;
        entry.header = consensus::ParseBlockHeader(
            std::span<const uint8_t, consensus::kBlockHeaderSize>(BytesOf(header_bytes).first<consensus::kBlockHeaderSize>()));
        entry.hash = entry.header.Hash();
        if (entry.hash != HashFromBytes(r[0].as_string())) {
          return DataLossError(fmt::format("stored block {} does not hash to its key", ShortHash(HashFromBytes(r[0].as_string()))));
        }
        entry.height = static_cast<uint64_t>(r[2].as_int());
        entry.invalid = r[3].as_int() == 2;
        if (!r[4].is_null()) entry.invalid_reason = r[4].as_string();
        entry.row_count = static_cast<uint32_t>(r[5].as_int());
        consensus::U256 work = WorkOf(entry.header.bits);
        if (entry.height > 0) {
          entry.parent = m_index.Find(entry.header.prev_hash);
          if (entry.parent == nullptr) return DataLossError("stored block has no stored parent" + std::string(kRepair));
          work = work + entry.parent->chain_work;
          if (entry.parent->invalid) entry.invalid = true;
        } else if (entry.hash != m_genesis_hash) {
          return DataLossError("stored genesis differs from the chain's");
        }
        entry.chain_work = work;
        entry.in_main = r[6].as_int() == 1;
        BlockEntry* added = m_index.Add(std::move(entry));
        if (added->in_main) {
          ++main_blocks;
          tip = added;  // rows come by height: the last one marked is the highest
        }
        return OkStatus();
      }));
  // The main chain is the blocks marked in_main: from genesis to the highest of them, one per
  // height, each the parent of the next (every connect and disconnect keeps the marks in step
  // with the ledger tables, in the same transaction).
  if (tip == nullptr) return DataLossError("no stored block is marked as on the main chain" + std::string(kRepair));
  uint64_t linked = 0;
  for (const BlockEntry* e = tip; e != nullptr && e->in_main; e = e->parent) ++linked;
  if (linked != main_blocks || linked != tip->height + 1) {
    return DataLossError(fmt::format("the blocks marked as on the main chain ({}) are not one chain from genesis to "
                                     "height {}{}",
                                     main_blocks, tip->height, kRepair));
  }
  m_index.SetMainTip(tip);
  return OkStatus();
}

void ChainStore::AddStoreBlock(StatementList* list, const BlockEntry& entry, const Block& block,
                               const Value* undo) const {
  consensus::HeaderBytes header = block.header.Serialize();
  const std::array<uint8_t, 32> work = entry.chain_work.ToLittleEndianBytes();
  list->Add("INSERT INTO rowchain_blocks (hash, height, prev_hash, header, chain_work, status, in_main, row_count, "
            "received_at, body, undo_ops) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
            {HashValue(entry.hash), Value::Int(static_cast<int64_t>(entry.height)), HashValue(block.header.prev_hash),
             Value::Bytes(std::string(header.begin(), header.end())), Value::Bytes(std::string(work.begin(), work.end())),
             Value::Int(undo ? 1 : 0), Value::Int(entry.row_count), Value::Int(static_cast<int64_t>(std::time(nullptr))),
             Value::Bytes(Blob(PackLeaves(block.leaves))), undo ? *undo : Value::Null()});
}

Status ChainStore::StoreBlock(BlockEntry* entry, const Block& block) {
  StatementList list;
  AddStoreBlock(&list, *entry, block, nullptr);
  return list.Run(*m_db, /*commit=*/false);
}

StatusOr<AcceptResult> ChainStore::AcceptBlock(const Block& block, int64_t now) {
  ROWCHAIN_RETURN_IF_ERROR(EnsureReady());
  AcceptResult result;
  const Hash256 hash = block.Hash();
  if (const BlockEntry* known = m_index.Find(hash)) {
    result.already_known = true;
    if (known->invalid) result.verdict = Verdict::Invalid("duplicate-invalid", known->invalid_reason);
    return result;
  }
  // Proof of work first, before anything is looked up: a header without it is judged as such
  // whatever its parent (CheckHeaderInContext below checks it again, for the same verdict).
  if (Verdict v = consensus::CheckBlockHeader(block.header, m_params); !v.ok()) {
    result.verdict = std::move(v);
    return result;
  }
  BlockEntry* parent = m_index.Find(block.header.prev_hash);
  if (parent == nullptr) {
    result.verdict = Verdict::Invalid("bad-prevblk", fmt::format("parent {} is unknown", ShortHash(block.header.prev_hash)));
    return result;
  }
  if (parent->invalid) {
    result.verdict = Verdict::Invalid("bad-prevblk", fmt::format("parent {} is invalid ({})", ShortHash(parent->hash),
                                                                 parent->invalid_reason));
    return result;
  }
  consensus::ParentContext context = BlockIndex::ContextOf(parent, m_params);
  if (Verdict v = consensus::CheckHeaderInContext(block.header, context, m_params, now); !v.ok()) {
    result.verdict = std::move(v);
    return result;
  }
  BlockEntry entry;
  entry.hash = hash;
  entry.header = block.header;
  entry.parent = parent;
  entry.height = parent->height + 1;
  entry.chain_work = parent->chain_work + WorkOf(block.header.bits);
  entry.row_count = static_cast<uint32_t>(block.leaves.size() - 1);
  // The common case, a block on the tip: stored and connected in one transaction.
  if (parent == m_index.Tip()) return ConnectOnTip(std::move(entry), block);
  if (Verdict v = consensus::CheckBlockBody(block, m_params, parent->height + 1); !v.ok()) {
    result.verdict = std::move(v);
    return result;
  }
  ROWCHAIN_RETURN_IF_ERROR(NoteFailure(m_db->Begin()));
  Status stored = StoreBlock(&entry, block);
  if (stored.ok()) stored = m_db->Commit();
  if (!stored.ok()) {
    m_db->Rollback();
    return NoteFailure(stored);
  }
  m_index.Add(std::move(entry));
  std::vector<std::pair<Hash256, Verdict>> invalid;
  ROWCHAIN_RETURN_IF_ERROR(NoteFailure(ActivateBestChain(&result.events, &invalid)));
  for (auto& [invalid_hash, verdict] : invalid) {
    if (invalid_hash == hash) result.verdict = verdict;
  }
  return result;
}

Verdict ChainStore::CheckBodyButRoot(const Block& block, uint64_t height, consensus::DecodedBody* body) const {
  if (Verdict size = consensus::CheckBlockBodySize(block, m_params); !size.ok()) return size;
  Verdict rows = consensus::CheckBlockBodyRows(block, m_params, height, body);
  if (rows.ok()) return rows;
  // The root outranks the rows (CheckBlockBody's order), so an invalid body is hashed now.
  if (Verdict root = consensus::CheckBlockMerkleRoot(block); !root.ok()) return root;
  return rows;
}

StatusOr<AcceptResult> ChainStore::ConnectOnTip(BlockEntry entry, const Block& block) {
  AcceptResult result;
  if (Verdict size = consensus::CheckBlockBodySize(block, m_params); !size.ok()) {
    result.verdict = std::move(size);
    return result;
  }
  consensus::DecodedBody body;
  if (Verdict checked = CheckBodyButRoot(block, entry.height, &body); !checked.ok()) {
    result.verdict = std::move(checked);
    return result;
  }
  ROWCHAIN_RETURN_IF_ERROR(NoteFailure(m_db->Begin()));
  auto verdict = ConnectInTransaction(&entry, block, BlockRow::kInsert, &body, /*commit=*/true,
                                      /*check_merkle_root=*/true);
  if (!verdict.ok() || !verdict->ok()) m_db->Rollback();
  if (!verdict.ok()) return NoteFailure(verdict.status());
  if (verdict->ok()) {
    BlockEntry* added = m_index.Add(std::move(entry));
    m_index.PushMain(added);
    spdlog::debug("connected block {} at height {} ({} rows)", ShortHash(added->hash), added->height, added->row_count);
    result.events.push_back({ChainEvent::Kind::kConnected, added->hash, added->height});
    return result;
  }
  result.verdict = *verdict;
  // A body that does not hash to its header says nothing about the block: nothing is kept, as
  // for CheckBlockBody's other verdicts, and the right body may still come.
  if (verdict->reason() == "bad-merkle") return result;
  BlockEntry* added = m_index.Add(std::move(entry));
  ROWCHAIN_RETURN_IF_ERROR(NoteFailure(StoreInvalidBlock(added, block, *verdict)));
  return result;
}

Status ChainStore::StoreInvalidBlock(BlockEntry* entry, const Block& block, const Verdict& verdict) {
  ROWCHAIN_RETURN_IF_ERROR(m_db->Begin());
  Status s = StoreBlock(entry, block);
  if (s.ok()) s = m_db->Commit();
  if (!s.ok()) {
    m_db->Rollback();
    return s;
  }
  spdlog::warn("block {} at height {} is invalid: {}: {}", ShortHash(entry->hash), entry->height, verdict.reason(),
               verdict.detail());
  return MarkInvalid(entry, fmt::format("{}: {}", verdict.reason(), verdict.detail()));
}

Status ChainStore::ActivateBestChain(std::vector<ChainEvent>* events,
                                     std::vector<std::pair<Hash256, Verdict>>* invalid) {
  while (true) {
    BlockEntry* best = m_index.BestCandidate();
    BlockEntry* tip = m_index.Tip();
    if (best == tip || !BetterTip(*best, *tip)) {
      m_refused_reorg.reset();
      return OkStatus();
    }
    BlockEntry* fork = BlockIndex::ForkPoint(tip, best);
    if (tip->height - fork->height > m_options.max_reorg_depth) {
      RefuseReorg(*best, *fork, tip->height - fork->height);
      return OkStatus();
    }
    m_refused_reorg.reset();
    if (tip != fork) {
      spdlog::info("reorg: tip {} (height {}) -> {} (height {}), fork at height {}", ShortHash(tip->hash), tip->height,
                   ShortHash(best->hash), best->height, fork->height);
    }
    while (m_index.Tip() != fork) {
      BlockEntry* old = m_index.Tip();
      ROWCHAIN_RETURN_IF_ERROR(DisconnectTip());
      events->push_back({ChainEvent::Kind::kDisconnected, old->hash, old->height});
    }
    std::vector<BlockEntry*> path;
    for (BlockEntry* e = best; e != fork; e = e->parent) path.push_back(e);
    std::reverse(path.begin(), path.end());
    for (BlockEntry* e : path) {
      auto block = ReadBlock(e->hash);
      if (!block.ok()) return block.status();
      if (!*block) return DataLossError(fmt::format("body of stored block {} is missing", ShortHash(e->hash)));
      auto verdict = ConnectStoredBlock(e, **block);
      if (!verdict.ok()) return verdict.status();
      if (!verdict->ok()) {
        spdlog::warn("block {} at height {} is invalid: {}: {}", ShortHash(e->hash), e->height, verdict->reason(),
                     verdict->detail());
        ROWCHAIN_RETURN_IF_ERROR(MarkInvalid(e, fmt::format("{}: {}", verdict->reason(), verdict->detail())));
        invalid->emplace_back(e->hash, *verdict);
        break;  // choose again: the old branch may be the best valid one now
      }
      events->push_back({ChainEvent::Kind::kConnected, e->hash, e->height});
    }
  }
}

void ChainStore::RefuseReorg(const BlockEntry& best, const BlockEntry& fork, uint64_t depth) {
  if (m_refused_reorg && m_refused_reorg->best == best.hash) return;  // said once per branch
  spdlog::warn("reorg refused: a heavier branch (tip {} at height {}) forks {} blocks below the tip, more than "
               "max_reorg_depth {}; the node stays on its chain",
               ShortHash(best.hash), best.height, depth, m_options.max_reorg_depth);
  m_refused_reorg = RefusedReorg{.best = best.hash, .best_height = best.height, .fork_height = fork.height, .depth = depth};
}

Status ChainStore::DisconnectTip() {
  BlockEntry* tip = m_index.Tip();
  if (tip->parent == nullptr) return InternalError("cannot disconnect the genesis block");
  std::array<Value, 1> hash = {HashValue(tip->hash)};
  ROWCHAIN_RETURN_IF_ERROR(m_db->Begin());
  auto run = [&]() -> Status {
    auto found = m_db->Query("SELECT undo_ops FROM rowchain_blocks WHERE hash = ?", hash);
    if (!found.ok()) return found.status();
    if (found->empty() || (*found)[0][0].is_null()) {
      return DataLossError(fmt::format("undo of block {} is missing", ShortHash(tip->hash)));
    }
    auto leaves = UnpackLeaves(BytesOf((*found)[0][0].as_string()));
    if (!leaves.ok()) return DataLossError(fmt::format("undo of block {} is damaged", ShortHash(tip->hash)));
    std::vector<consensus::RowOperation> undo;
    for (const auto& leaf : *leaves) {
      auto op = consensus::DecodeRowOperationLeaf(leaf);
      if (!op.ok()) return DataLossError(fmt::format("undo of block {} is damaged", ShortHash(tip->hash)));
      undo.push_back(std::move(*op));
    }
    auto block = ReadBlock(tip->hash);
    if (!block.ok()) return block.status();
    if (!*block) return DataLossError(fmt::format("body of block {} is missing", ShortHash(tip->hash)));
    auto body = consensus::DecodeBody((*block)->leaves);
    if (!body.ok()) return DataLossError(fmt::format("body of block {} is damaged", ShortHash(tip->hash)));
    NoteLedgerKeys(undo);  // rows a DELETE removed come back
    LedgerWriter writer(*m_db, m_params);
    ROWCHAIN_RETURN_IF_ERROR(writer.Revert(*body, undo));
    if (!m_options.change_feed_prefix.empty()) {
      const ChangeSource source{m_options.change_feed_prefix, m_params.name, tip->height, tip->hash, tip->header.time};
      ROWCHAIN_RETURN_IF_ERROR(Outbox(*m_db).Append(EventsForDisconnect(source, m_params.schema, body->rows, undo)));
    }
    ROWCHAIN_RETURN_IF_ERROR(
        m_db->Update("UPDATE rowchain_blocks SET in_main = 0, undo_ops = NULL WHERE hash = ?", hash).status());
    // Back to the pool, with their rows (a peer's batches were recorded without them).
    for (size_t i = 0; i < body->rows.size();) {
      size_t end = i + 1;
      while (end < body->rows.size() && body->rows[end].batch_id == body->rows[i].batch_id) ++end;
      std::vector<consensus::Leaf> rows((*block)->leaves.begin() + 1 + static_cast<std::ptrdiff_t>(i),
                                        (*block)->leaves.begin() + 1 + static_cast<std::ptrdiff_t>(end));
      std::array<Value, 2> batch = {Value::Bytes(Blob(PackLeaves(rows))),
                                    BatchIdValue(body->rows[i].batch_id)};
      ROWCHAIN_RETURN_IF_ERROR(m_db->Update(
          "UPDATE rowchain_batches SET state = 0, block_hash = NULL, rows_blob = ? WHERE batch_id = ?", batch)
                                   .status());
      i = end;
    }
    return m_db->Commit();
  };
  if (Status s = run(); !s.ok()) {
    m_db->Rollback();
    return s;
  }
  m_index.PopMain();
  spdlog::debug("disconnected block {} at height {}", ShortHash(tip->hash), tip->height);
  return OkStatus();
}

Status ChainStore::MarkInvalid(BlockEntry* entry, const std::string& reason) {
  std::string stored_reason = Utf8Prefix(reason, 255);  // a valid utf8mb4 value, whatever the reason quotes
  std::array<Value, 2> params = {Value::Text(stored_reason), HashValue(entry->hash)};
  ROWCHAIN_RETURN_IF_ERROR(
      m_db->Update("UPDATE rowchain_blocks SET status = 2, invalid_reason = ? WHERE hash = ?", params).status());
  // Descendants are invalid too; in MySQL they are recognised at load through their parent.
  m_index.MarkInvalid(entry, stored_reason);
  return OkStatus();
}

TipInfo ChainStore::Tip() const {
  const BlockEntry* tip = m_index.Tip();
  return {.hash = tip->hash, .height = tip->height, .chain_work = tip->chain_work, .bits = tip->header.bits};
}

NextBlockContext ChainStore::NextBlock() const { return ContextAfter(m_index.Tip()); }

NextBlockContext ChainStore::NextBlockAfter(const consensus::BlockHeader& child_of_tip) const {
  BlockEntry child;
  child.hash = child_of_tip.Hash();
  child.header = child_of_tip;
  child.parent = m_index.Tip();
  child.height = child.parent->height + 1;
  return ContextAfter(&child);
}

NextBlockContext ChainStore::ContextAfter(BlockEntry* tip) const {
  consensus::ParentContext context = BlockIndex::ContextOf(tip, m_params);
  return {.prev_hash = tip->hash,
          .height = tip->height + 1,
          .bits = consensus::NextWorkRequired(m_params, tip->height + 1, tip->header.bits, tip->header.time,
                                              context.retarget_anchor_time),
          .min_time = consensus::MedianTimePast(context.recent_times) + 1};
}

StatusOr<std::optional<Block>> ChainStore::ReadBlock(const Hash256& hash) {
  ROWCHAIN_RETURN_IF_ERROR(EnsureReady());
  const BlockEntry* entry = m_index.Find(hash);
  if (entry == nullptr) return std::optional<Block>();
  std::array<Value, 1> key = {HashValue(hash)};
  auto found = NoteFailure(m_db->Query("SELECT body FROM rowchain_blocks WHERE hash = ?", key));
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<Block>();
  if ((*found)[0][0].is_null()) return DataLossError(fmt::format("the body of {} is not stored", ShortHash(hash)));
  auto leaves = UnpackLeaves(BytesOf((*found)[0][0].as_string()));
  if (!leaves.ok()) return DataLossError(fmt::format("stored body of {} is damaged", ShortHash(hash)));
  return std::optional<Block>(Block{.header = entry->header, .leaves = std::move(*leaves)});
}

StatusOr<std::vector<PendingBatch>> ChainStore::PendingBatches(uint64_t max_rows, uint64_t max_bytes) {
  ROWCHAIN_RETURN_IF_ERROR(EnsureReady());
  return NoteFailure(ReadPendingBatches(*m_db, max_rows, max_bytes));
}

StatusOr<std::optional<BatchRecord>> ChainStore::GetBatch(const consensus::BatchId& id) {
  ROWCHAIN_RETURN_IF_ERROR(EnsureReady());
  return NoteFailure(ReadBatchRecord(*m_db, id));
}

StatusOr<PendingTotals> ChainStore::PendingTotals() {
  ROWCHAIN_RETURN_IF_ERROR(EnsureReady());
  return NoteFailure(ReadPendingTotals(*m_db));
}

}  // namespace rowchain::store
