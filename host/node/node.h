// A rowchain node without its network edge: the chain store, the writers' pending pool, the
// mining loop and the watchers. gRPC handlers (service/) and tests call this class directly.
//
// Threads: writers' calls run on their own threads and go to MySQL through a connection pool;
// everything that touches the chain store is serialized by one mutex; the mining loop is one
// thread that builds templates from the pool, mines them and commits what it finds through the
// same AcceptBlock path a peer's block takes. A new tip cancels the template being mined.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "consensus/chain_params.h"
#include "mining/miner.h"
#include "node/batch_input.h"
#include "node/events.h"
#include "node/pending_cache.h"
#include "node/pool_writer.h"
#include "store/chain_store.h"
#include "store/connection_pool.h"
#include "store/mysql_uri.h"

namespace rowchain::node {

struct NodeOptions {
  store::MysqlUri mysql;
  consensus::ChainParams params;
  // nullopt: a validation-only node that never mines.
  std::optional<mining::MinerOptions> miner;
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
};

struct RowProofView {
  std::shared_ptr<const BlockView> block;
  consensus::RowOperation row;
  std::vector<uint8_t> leaf;
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  std::vector<consensus::Hash256> audit_path;
};

struct MiningStats {
  uint64_t templates = 0;
  uint64_t templates_cancelled = 0;  // abandoned because the tip moved or the node stopped
  uint64_t blocks_mined = 0;
  uint64_t own_blocks_rejected = 0;
  // From a tip change that made the current template stale to the next template's start.
  std::chrono::microseconds last_restart_latency{0};
  std::chrono::microseconds max_restart_latency{0};
};

class Node {
 public:
  // Opens (or creates) the chain in MySQL, chooses the miner and starts the mining loop.
  static StatusOr<std::unique_ptr<Node>> Start(NodeOptions options);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Stops mining (the template being mined is dropped; a block being committed is finished)
  // and ends every watcher. Idempotent.
  void Stop();

  StatusOr<SubmitResult> SubmitBatch(std::string_view table, std::vector<InputRow> rows,
                                     const std::string& idempotency_key);
  // NOT_FOUND for an unknown batch.
  StatusOr<BatchEvent> BatchStatus(const consensus::BatchId& id);
  // nullopt when there is no such block (NOT_FOUND is for the caller to say).
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
  // "cpu (avx512, 2 threads)" or "off".
  const std::string& miner_description() const { return m_miner_description; }
  bool stopping() const { return m_stopping.load(); }
  // True once the ledger's keys are scanned into the key filter that templates consult.
  bool ledger_keys_scanned() const { return m_ledger_keys_loaded.load(); }

 private:
  explicit Node(NodeOptions options);
  // Fills m_ledger_keys with what the ledger tables hold, then trusts it (m_ledger_keys_loaded).
  void ScanLedgerKeys(std::stop_token stop);
  void MiningLoop(std::stop_token stop);
  struct Template;
  // The node's last block while the store commits it (on another thread) and the next
  // template is already being built and mined on top of it.
  struct InFlight {
    consensus::Hash256 hash{};
    std::vector<consensus::BatchId> batches;
    std::unordered_set<std::string> keys;
    store::NextBlockContext next;  // for a block on top of it
    std::future<bool> outcome;     // committed on the main chain?
  };
  // nullopt when there is nothing to mine. On `in_flight` when given.
  StatusOr<std::optional<Template>> BuildTemplate(const InFlight* in_flight);
  // Waits for the in-flight commit, if any; false when it failed.
  bool WaitForCommit(std::optional<InFlight>& in_flight);
  // Accepts a block and tells the watchers (under m_store_mutex).
  StatusOr<store::AcceptResult> AcceptLocked(const consensus::Block& block, bool own);
  // Logs a block's outcome and tells the watchers.
  void PublishLocked(const consensus::Block& block, const store::AcceptResult& result, bool own);
  StatusOr<std::shared_ptr<const BlockView>> ViewLocked(const consensus::Hash256& hash,
                                                        const consensus::Block* known_block);
  void RefreshPendingLocked();
  void NoteTipChanged(const consensus::Hash256& new_tip);
  void WaitForWork(std::stop_token stop, uint64_t seen_generation, std::chrono::milliseconds timeout);

  consensus::ChainParams m_params;
  NodeOptions m_options;
  std::string m_miner_description = "off";
  std::unique_ptr<mining::Miner> m_miner;

  std::mutex m_store_mutex;
  std::unique_ptr<store::ChainStore> m_store;
  std::unique_ptr<store::ConnectionPool> m_writers;
  std::unique_ptr<PoolWriter> m_pool_writer;  // new batches into the pending pool, group-committed
  PendingCache m_pending_cache;
  EventHub m_events;
  std::atomic<uint64_t> m_pending_rows{0};
  std::atomic<uint64_t> m_pending_batches{0};
  std::atomic<bool> m_stopping{false};
  std::atomic<int> m_syncing{0};
  std::string m_node_id;

  // Wakes the mining loop: new batches or a new tip.
  std::mutex m_work_mutex;
  std::condition_variable_any m_work_cv;
  uint64_t m_work_generation = 0;

  // The template being mined and how to abandon it.
  mutable std::mutex m_template_mutex;
  std::optional<std::stop_source> m_template_stop;
  std::set<consensus::BatchId> m_mining_batches;
  std::optional<std::chrono::steady_clock::time_point> m_stale_since;
  consensus::Hash256 m_tip_hash{};       // the main chain's tip, as last published
  consensus::Hash256 m_template_prev{};  // the parent of the template being mined
  bool m_failed_commit = false;          // the in-flight block did not make it
  MiningStats m_stats;

  // Every key the ledger tables hold, once the scan at start is done (store/chain_store.h).
  std::shared_ptr<KeyFilter> m_ledger_keys;
  std::atomic<bool> m_ledger_keys_loaded{false};
  std::atomic<bool> m_check_every_key{false};  // the next template asks MySQL about every key
  std::jthread m_key_scan_thread;

  std::jthread m_mining_thread;
};

}  // namespace rowchain::node
