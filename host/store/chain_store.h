// A node's chain in MySQL: accepts blocks, keeps every valid one (side branches too), follows
// the branch with the most work (ties: the lower block hash) and keeps the ledger tables equal
// to the replay of that branch. Connecting or disconnecting a block is one transaction (block
// state, ledger rows, undo images, batch states, tip), so a crash or a dropped connection at
// any point leaves the last committed block as the state; Open resumes from it, and finishes an
// interrupted reorg.
//
// Not thread-safe: one caller at a time (the node serializes with a mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <unordered_set>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/block.h"
#include "consensus/chain_params.h"
#include "consensus/verdict.h"
#include "store/batch_pool.h"
#include "store/change_events.h"
#include "store/database_lock.h"
#include "store/block_index.h"
#include "store/ledger_writer.h"
#include "store/mysql_connection.h"
#include "store/statement_list.h"
#include "util/key_filter.h"

namespace rowchain::store {

struct ChainStoreOptions {
  ConnectOptions connect{.create_database = true};
  // A heavier branch that forks deeper below the tip than this is not switched to (a long
  // private chain rewriting settled history); the node logs it and ChainStore::refused_reorg()
  // says so until the tip moves on.
  uint64_t max_reorg_depth = 1'000;
  // Called at named points inside the connect transaction ("ledger-applied",
  // "before-commit"): tests use it to kill the connection mid-block.
  std::function<void(std::string_view stage)> stage_hook;
  // Non-empty: every connect and disconnect also writes the change feed's events (topics
  // "<prefix>.<table>") to the outbox in the same transaction (change_events.h, outbox.h).
  std::string change_feed_prefix;
  // Tests: false sends statement lists one by one even on MariaDB, as on servers without
  // compound statements.
  bool compound_statements = true;
  // Tests: false sends a block's INSERT rows as multi-row INSERTs even on MariaDB, as on
  // servers without array binding.
  bool array_binding = true;
  // When set, every primary key the ledger tables are about to hold (a connected block's
  // INSERTs, a disconnect's restored rows) is added before it is written, so that, together
  // with LedgerWriter::AddAllKeys over what the tables held before, the filter holds every key
  // they hold.
  std::shared_ptr<KeyFilter> ledger_keys;
  // Rebuild the ledger from the stored blocks before opening (store/reindex.h).
  bool reindex = false;
};

struct TipInfo {
  Hash256 hash{};
  uint64_t height = 0;
  consensus::U256 chain_work;
  uint32_t bits = 0;
};

// A heavier branch the store would not switch to (ChainStoreOptions::max_reorg_depth).
struct RefusedReorg {
  Hash256 best{};
  uint64_t best_height = 0;
  uint64_t fork_height = 0;
  uint64_t depth = 0;  // blocks of the main chain it would disconnect
};

struct ChainEvent {
  enum class Kind { kConnected, kDisconnected };
  Kind kind;
  Hash256 hash{};
  uint64_t height = 0;
};

struct AcceptResult {
  // The block's own verdict: valid when it is stored (on the main chain or a side branch).
  consensus::Verdict verdict;
  bool already_known = false;
  // What switching to the best chain did, in order (disconnects first on a reorg).
  std::vector<ChainEvent> events;
};

// What a miner needs to build a block on the tip.
struct NextBlockContext {
  Hash256 prev_hash{};
  uint64_t height = 0;
  uint32_t bits = 0;
  uint32_t min_time = 0;  // median time past + 1
};

class ChainStore {
 public:
  static StatusOr<std::unique_ptr<ChainStore>> Open(const MysqlUri& uri, consensus::ChainParams params,
                                                    ChainStoreOptions options = {});
  ChainStore(const ChainStore&) = delete;
  ChainStore& operator=(const ChainStore&) = delete;

  // Validates a block (header, body, then its rows against the ledger when it is connected),
  // stores it and moves to the best chain. Database trouble is a non-OK status; an invalid
  // block is an OK status whose verdict carries the reason code.
  StatusOr<AcceptResult> AcceptBlock(const consensus::Block& block, int64_t now);

  // Several blocks at once (a peer's catch-up): a run of new blocks, each on the one before and
  // the first on the tip, is validated and connected in one transaction; anything else, or a
  // run in which any block fails, goes through AcceptBlock one by one. One result per block.
  StatusOr<std::vector<AcceptResult>> AcceptBlocks(std::span<const consensus::Block> blocks, int64_t now);

  TipInfo Tip() const;
  NextBlockContext NextBlock() const;
  const std::optional<RefusedReorg>& refused_reorg() const { return m_refused_reorg; }
  // What a block on `child_of_tip` (a block built on the tip, not yet accepted) would need, so
  // a miner can start on it while it is being committed. Precondition: its prev is the tip.
  NextBlockContext NextBlockAfter(const consensus::BlockHeader& child_of_tip) const;
  const BlockEntry* FindBlock(const Hash256& hash) const { return m_index.Find(hash); }
  const BlockEntry* MainBlockAt(uint64_t height) const { return m_index.MainAt(height); }
  StatusOr<std::optional<consensus::Block>> ReadBlock(const Hash256& hash);

  // The pending pool (batch_pool.h) on this store's connection. (The node writes to it through
  // its own connections.)
  StatusOr<std::vector<PendingBatch>> PendingBatches(uint64_t max_rows, uint64_t max_bytes);
  StatusOr<std::optional<BatchRecord>> GetBatch(const consensus::BatchId& id);
  StatusOr<store::PendingTotals> PendingTotals();

  const consensus::ChainParams& params() const { return m_params; }
  const Hash256& genesis_hash() const { return m_genesis_hash; }
  // The server-side id of the store's connection (tests KILL it).
  uint64_t ConnectionId() const { return m_db ? m_db->ServerThreadId() : 0; }

 private:
  ChainStore(consensus::ChainParams params, ChainStoreOptions options, MysqlUri uri);
  Status Reconnect();
  Status LoadIndex();
  NextBlockContext ContextAfter(BlockEntry* parent) const;
  Status StoreGenesis();
  // Inserts the block with its body, not connected.
  Status StoreBlock(BlockEntry* entry, const consensus::Block& block);
  // The block's row with its body: connected (in_main, with `undo`), else a side branch.
  void AddStoreBlock(StatementList* list, const BlockEntry& entry, const consensus::Block& block,
                     const Value* undo) const;
  Status StoreInvalidBlock(BlockEntry* entry, const consensus::Block& block, const consensus::Verdict& verdict);
  // The statement that marks the block's batches sealed, recording a peer's batches (unknown
  // here) on the way; it fails (FAILED_PRECONDITION) when one was sealed before.
  void AddSealBatches(StatementList* list, const Hash256& block_hash, const consensus::Block& block,
                      const consensus::DecodedBody& body) const;
  // After the server refused one of the block's writes: rolls the transaction back, then names
  // the first clash with the ledger (a batch sealed before, an existing or missing key) as
  // CheckBlockAgainstState does; `otherwise` when there is none.
  StatusOr<consensus::Verdict> NameClash(const consensus::DecodedBody& body, StatusOr<consensus::Verdict> otherwise);
  Status WriteChangeEvents(const BlockEntry& entry, const consensus::Block& block, const consensus::DecodedBody& body,
                           const LedgerSnapshot& snapshot);
  // Reconnects and reloads the index when an earlier write failed: a failed COMMIT leaves its
  // outcome unknown, so memory is rebuilt from what MySQL holds.
  Status EnsureReady();
  template <class T>
  T NoteFailure(T result) {
    if (!result.ok()) m_needs_reload = true;
    return result;
  }

  // Moves to the best valid branch; blocks found invalid on the way are added to `invalid`.
  Status ActivateBestChain(std::vector<ChainEvent>* events,
                           std::vector<std::pair<Hash256, consensus::Verdict>>* invalid);
  // Where a block being connected has its own row: to be inserted with its writes (a new block
  // on the tip), or stored earlier as a side branch.
  enum class BlockRow { kInsert, kStoredEarlier };
  // Connects a block stored earlier as a side branch. OK status with an invalid verdict when its
  // rows do not apply to the ledger.
  StatusOr<consensus::Verdict> ConnectStoredBlock(BlockEntry* entry, const consensus::Block& block);
  // The work of a connect inside the caller's transaction (no BEGIN or index change); with
  // `commit`, its last statement commits. An invalid verdict may have rolled back already.
  // `checked_body`: the body as CheckBlockBody decoded it, or null to decode it here. With
  // `check_merkle_root`, the body's root is still to be checked ("bad-merkle"): while the
  // server inserts its rows, unless the block goes in one round trip.
  StatusOr<consensus::Verdict> ConnectInTransaction(BlockEntry* entry, const consensus::Block& block, BlockRow row,
                                                    const consensus::DecodedBody* checked_body, bool commit,
                                                    bool check_merkle_root = false);
  // CheckBlockBody less the Merkle root when the body is valid (ConnectInTransaction checks the
  // root); an invalid body's verdict is CheckBlockBody's.
  consensus::Verdict CheckBodyButRoot(const consensus::Block& block, uint64_t height, consensus::DecodedBody* body) const;
  // A new block on the tip, its header checked: its body checked, the block stored and
  // connected in one transaction; the body's Merkle root is hashed while the server inserts
  // its rows. Indexed only once committed, or stored as invalid when its rows are; a body with
  // the wrong root leaves nothing.
  StatusOr<AcceptResult> ConnectOnTip(BlockEntry entry, const consensus::Block& block);
  // True when every block connected in one committed transaction; false (nothing written) when
  // the blocks are not such a run or one of them is invalid.
  StatusOr<bool> ConnectGroup(std::span<const consensus::Block> blocks, int64_t now);
  Status DisconnectTip();
  void RefuseReorg(const BlockEntry& best, const BlockEntry& fork, uint64_t depth);
  Status MarkInvalid(BlockEntry* entry, const std::string& reason);
  // The keys of `ops`' INSERTs into options.ledger_keys (when set).
  void NoteLedgerKeys(std::span<const consensus::RowOperation> ops) const;
  void Stage(std::string_view name) const {
    if (m_options.stage_hook) m_options.stage_hook(name);
  }

  consensus::ChainParams m_params;
  ChainStoreOptions m_options;
  MysqlUri m_uri;
  std::unique_ptr<DatabaseLock> m_lock;  // one node per database (database_lock.h)
  std::optional<RefusedReorg> m_refused_reorg;
  Hash256 m_genesis_hash{};
  std::unique_ptr<MysqlConnection> m_db;
  bool m_needs_reload = false;
  BlockIndex m_index;
};

}  // namespace rowchain::store
