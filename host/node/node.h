// A rowchain node without its network edge: the chain store, the writers' pending pool, the
// mining loop and the watchers. gRPC handlers (service/) and tests call this class directly.
//
// Threads: writers' calls run on their own threads and go to MySQL through a connection pool;
// everything that touches the chain store is serialized by one mutex; the mining loop
// (node/mining_loop.h) is one thread that builds templates (node/template_builder.h), mines
// them and commits what it finds through the same AcceptBlock path a peer's block takes. A new
// tip cancels the template being mined.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "consensus/chain_params.h"
#include "consensus/chain_tail.h"
#include "mining/miner.h"
#include "node/batch_input.h"
#include "node/events.h"
#include "node/mining_loop.h"
#include "node/pending_cache.h"
#include "node/seal_timer.h"
#include "node/pool_writer.h"
#include "node/template_builder.h"
#include "store/chain_store.h"
#include "store/connection_pool.h"
#include "store/mysql_uri.h"
#include "store/peer_bans.h"

namespace rowchain::node {

struct NodeOptions {
  store::MysqlUri mysql;
  consensus::ChainParams params;
  // nullopt: a validation-only node that never mines.
  std::optional<mining::MinerOptions> miner;
  // Remote workers (farm::JobServer), not owned; outlives the node. With a miner too, both
  // search each template; alone, the node is a pure job server.
  mining::JobSearcher* workers = nullptr;
  std::string miner_id = "rowchaind";
  // Past this many pending rows, SubmitBatch is RESOURCE_EXHAUSTED.
  uint64_t max_pending_rows = 1'000'000;
  // Memory for pending batches held decoded for templates (node/pending_cache.h); batches
  // beyond it are read back from MySQL when a template needs them.
  uint64_t pending_cache_bytes = 16ull << 20;
  size_t writer_connections = 8;
  // Non-empty: connected and disconnected blocks also write change-feed events to the outbox
  // (store/change_events.h) for a publisher to send on.
  std::string change_feed_prefix;
  // Memory for the filter of the ledger's primary keys (util/key_filter.h), which spares a
  // template asking MySQL about keys the ledger has never held; past it, every key is asked.
  size_t ledger_key_filter_bytes = 64ull << 20;
  // Deeper reorgs are refused (store::ChainStoreOptions::max_reorg_depth).
  uint64_t max_reorg_depth = 1'000;
  // Rebuild the ledger from the stored blocks first (rowchaind --reindex, store/reindex.h).
  bool reindex = false;
};

struct SubmitResult {
  consensus::BatchId id{};
  bool duplicate = false;
  uint32_t row_count = 0;
};

struct BatchStatusView {
  BatchEvent state;  // the batch's current phase, and where it is sealed
};

struct ChainInfoView {
  std::string chain;
  consensus::Hash256 genesis_hash{};
  store::TipInfo tip;
  uint32_t next_bits = 0;
  uint64_t pending_batches = 0;
  uint64_t pending_rows = 0;
  std::string miner;
  std::optional<store::RefusedReorg> refused_reorg;
};

struct RowProofView {
  std::shared_ptr<const BlockView> block;
  consensus::RowOperation row;
  std::vector<uint8_t> leaf;
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  std::vector<consensus::Hash256> audit_path;
};

class Node final : private MiningHost {
 public:
  // Opens (or creates) the chain in MySQL, chooses the miner and starts the mining loop.
  static StatusOr<std::unique_ptr<Node>> Start(NodeOptions options);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Stops mining (the template being mined is dropped; a block being committed is finished)
  // and ends every watcher. Idempotent.
  void Stop();

  // `key`: an idempotency key, scoped to its writer and the table (store/batch_pool.h). The same
  // key with the same rows gives the first batch's id (duplicate); with other rows, ALREADY_EXISTS.
  StatusOr<SubmitResult> SubmitBatch(std::string_view table, std::vector<InputRow> rows,
                                     const store::IdempotencyKey& key = {});
  // NOT_FOUND for an unknown batch.
  StatusOr<BatchEvent> BatchStatus(const consensus::BatchId& id);
  // A null pointer when there is no such block (NOT_FOUND is for the caller to say).
  StatusOr<std::shared_ptr<const BlockView>> BlockByHash(const consensus::Hash256& hash);
  StatusOr<std::shared_ptr<const BlockView>> BlockAtHeight(uint64_t height);
  StatusOr<ChainInfoView> ChainInfo();
  // NOT_FOUND for an unknown batch or row; FAILED_PRECONDITION while the batch is not sealed.
  StatusOr<RowProofView> RowProof(const consensus::BatchId& id, uint32_t row_index);
  // A block from elsewhere (a peer, a test): the same validation and commit as a mined one.
  StatusOr<store::AcceptResult> SubmitBlock(const consensus::Block& block);
  // Several (a peer's catch-up): a run on the tip is connected in one transaction
  // (ChainStore::AcceptBlocks). One result per block.
  StatusOr<std::vector<store::AcceptResult>> SubmitBlocks(std::span<const consensus::Block> blocks);
  // Subscribes to events and returns, atomically with it, the main chain's hashes from
  // `from_height` up to the tip: a watcher that replays them and then the events misses nothing
  // and sees nothing twice.
  std::pair<uint64_t, std::vector<consensus::Hash256>> SubscribeFrom(uint64_t from_height, EventHub::Callback callback);

  // For peers (service/peer).
  const std::string& node_id() const { return m_node_id; }
  const consensus::Hash256& Genesis() const { return m_store->genesis_hash(); }
  store::TipInfo Tip();
  bool HasBlock(const consensus::Hash256& hash);
  // The total work of the chain up to a stored block; nullopt when the block is not stored.
  std::optional<consensus::U256> ChainWorkOf(const consensus::Hash256& hash);
  // The tail of the chain up to a stored block, to check a peer's headers past it in context;
  // nullopt when the block is not stored.
  std::optional<consensus::ChainTail> ChainTailOf(const consensus::Hash256& hash);
  // Peer bans, kept in MySQL across restarts (store/peer_bans.h).
  Status RecordPeerBan(const store::PeerBan& ban);
  StatusOr<std::vector<store::PeerBan>> PeerBans();
  // Main-chain hashes from the tip back: ten one by one, then doubling steps; genesis last.
  std::vector<consensus::Hash256> Locator();
  struct HeaderRun {
    std::vector<consensus::BlockHeader> headers;
    uint64_t first_height = 0;
    bool more = false;
  };
  // The main chain after the newest locator hash on it (genesis when none is), at most `max`.
  HeaderRun HeadersAfter(std::span<const consensus::Hash256> locator, size_t max);
  // While any peer link is syncing a heavier chain the node does not mine on its stale tip.
  void BeginSync();
  void EndSync();

  EventHub& events() { return m_events; }
  const store::MysqlUri& mysql() const { return m_options.mysql; }
  MiningStats mining_stats() const;
  const consensus::ChainParams& params() const { return m_params; }
  // "cpu (avx512, 2 threads)", "remote workers", both joined by " + ", or "off".
  const std::string& miner_description() const { return m_miner_description; }
  bool stopping() const { return m_stopping.load(); }
  // True once the ledger's keys are scanned into the key filter that templates consult.
  bool ledger_keys_scanned() const;

 private:
  explicit Node(NodeOptions options);
  // Fills m_ledger_keys with what the ledger tables hold, then trusts it.
  void ScanLedgerKeys(std::stop_token stop);
  // The local miner, the remote workers or both, and the mining loop over them; none: no loop.
  Status StartMining(const consensus::Hash256& tip);
  // MiningHost: what the mining loop asks of the node.
  store::NextBlockContext NextBlock() override;
  std::optional<store::NextBlockContext> NextBlockAfter(const consensus::BlockHeader& child_of_tip) override;
  StatusOr<TemplateBuilder::Built> BuildTemplate(const TemplateBase& base) override;
  void AnnounceMining(const consensus::BatchId& id) override;
  bool CommitOwnBlock(const consensus::Block& block) override;
  // Accepts a block under `lock` (m_store_mutex), then tells the watchers with it released.
  StatusOr<store::AcceptResult> AcceptAndPublish(std::unique_lock<std::mutex>& lock, const consensus::Block& block,
                                                 bool own);
  // Publishes `events` after letting go of `store_lock`, in the store's order.
  void PublishUnlocking(std::unique_lock<std::mutex>& store_lock, std::vector<NodeEvent> events);
  // Logs a block's outcome and returns what watchers are told of it (read under m_store_mutex).
  std::vector<NodeEvent> EventsLocked(const consensus::Block& block, const store::AcceptResult& result, bool own);
  StatusOr<std::shared_ptr<const BlockView>> ViewLocked(const consensus::Hash256& hash,
                                                        const consensus::Block* known_block);
  void RefreshPendingLocked();
  void NoteTipChanged(const consensus::Hash256& new_tip);

  consensus::ChainParams m_params;
  NodeOptions m_options;
  std::string m_miner_description = "off";
  std::unique_ptr<mining::Miner> m_miner;
  std::unique_ptr<LocalSearcher> m_local_searcher;
  std::unique_ptr<mining::FirstOfSearchers> m_both_searchers;

  std::mutex m_store_mutex;
  // Held while events are published; taken while m_store_mutex is held, never the other way.
  std::mutex m_publish_mutex;
  std::unique_ptr<store::ChainStore> m_store;
  std::unique_ptr<store::ConnectionPool> m_writers;
  std::unique_ptr<PoolWriter> m_pool_writer;  // new batches into the pending pool, group-committed
  PendingCache m_pending_cache;
  SealTimer m_seal_timer;
  EventHub m_events;
  std::atomic<uint64_t> m_pending_rows{0};
  std::atomic<uint64_t> m_pending_batches{0};
  std::atomic<bool> m_stopping{false};
  std::string m_node_id;

  // Every key the ledger tables hold, once the scan at start is done (store/chain_store.h).
  std::shared_ptr<KeyFilter> m_ledger_keys;
  std::unique_ptr<TemplateBuilder> m_templates;
  std::jthread m_key_scan_thread;

  std::unique_ptr<MiningLoop> m_mining;  // null when the node does not mine
};

}  // namespace rowchain::node
