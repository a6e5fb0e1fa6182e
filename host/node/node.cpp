#include "node/node.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <future>

#include <fmt/format.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include "consensus/block_info_leaf.h"
#include "consensus/merkle.h"
#include "mining/block_assembly.h"
#include "node/template_selection.h"
#include "store/batch_pool.h"
#include "util/hex.h"

namespace rowchain::node {

using consensus::BatchId;
using consensus::Hash256;
using consensus::ToDisplayHex;

namespace {

int64_t UnixNow() { return static_cast<int64_t>(std::time(nullptr)); }

std::string ShortHex(const BatchId& id) { return HexEncode(id); }

}  // namespace

struct Node::Template {
  mining::BlockSpec spec;
  std::vector<BatchId> batches;
  std::unordered_set<std::string> keys;  // RowKeys of its rows
};

Node::Node(NodeOptions options) : m_params(options.params), m_options(std::move(options)) {}

StatusOr<std::unique_ptr<Node>> Node::Start(NodeOptions options) {
  std::unique_ptr<Node> node(new Node(std::move(options)));
  store::ChainStoreOptions store_options;
  store_options.change_feed_prefix = node->m_options.change_feed_prefix;
  auto store = store::ChainStore::Open(node->m_options.mysql, node->m_params, std::move(store_options));
  if (!store.ok()) return store.status();
  node->m_store = std::move(*store);
  node->m_writers = std::make_unique<store::ConnectionPool>(node->m_options.mysql,
                                                            std::max<size_t>(1, node->m_options.writer_connections));
  {
    std::lock_guard lock(node->m_store_mutex);
    node->RefreshPendingLocked();
  }
  store::TipInfo tip = node->m_store->Tip();
  node->m_tip_hash = tip.hash;
  std::array<uint8_t, 8> id{};
  RAND_bytes(id.data(), static_cast<int>(id.size()));
  node->m_node_id = HexEncode(id);
  spdlog::info("chain {}: tip height {} hash {}, {} pending batches", node->m_params.name, tip.height,
               ToDisplayHex(tip.hash), node->m_pending_batches.load());
  if (node->m_options.miner) {
    auto choice = mining::CreateMiner(*node->m_options.miner);
    if (!choice.ok()) return choice.status();
    node->m_miner = std::move(choice->miner);
    node->m_miner_description = node->m_miner->Describe();
    spdlog::info("mining with {}: {}", node->m_miner_description, choice->reason);
    node->m_mining_thread = std::jthread([raw = node.get()](std::stop_token stop) { raw->MiningLoop(stop); });
  } else {
    spdlog::info("miner off: this node validates and serves, and never mines");
  }
  return node;
}

Node::~Node() { Stop(); }

void Node::Stop() {
  if (m_stopping.exchange(true)) return;
  if (m_mining_thread.joinable()) {
    m_mining_thread.request_stop();
    m_mining_thread.join();
  }
}

StatusOr<SubmitResult> Node::SubmitBatch(std::string_view table, std::span<const InputRow> rows,
                                         const std::string& idempotency_key) {
  if (m_stopping) return UnavailableError("the node is shutting down");
  if (idempotency_key.size() > 128) return InvalidArgumentError("the idempotency key is longer than 128 bytes");
  BatchId id{};
  if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1) return InternalError("no random batch id");
  auto built = BuildBatchRows(m_params, table, rows, id);
  if (!built.ok()) return built.status();
  store::PendingBatch batch{.id = id, .table = std::string(table), .leaves = {}, .seq = 0};
  batch.leaves.reserve(built->size());
  for (const consensus::RowOperation& row : *built) batch.leaves.push_back(consensus::EncodeRowOperationLeaf(row));

  const bool pool_full = m_pending_rows.load() + built->size() > m_options.max_pending_rows;
  auto stored = m_writers->With([&](store::MysqlConnection& db) -> StatusOr<BatchId> {
    if (pool_full) {
      // A retry of a batch already stored still gets its id; anything new is refused.
      if (!idempotency_key.empty()) {
        auto found = store::FindBatchByKey(db, idempotency_key);
        if (!found.ok()) return found.status();
        if (*found) return **found;
      }
      return ResourceExhaustedError(fmt::format("the pending pool is full ({} rows waiting, limit {}); retry later",
                                                m_pending_rows.load(), m_options.max_pending_rows));
    }
    return store::InsertPendingBatch(db, batch, idempotency_key, UnixNow());
  });
  if (!stored.ok()) return stored.status();
  SubmitResult result{.id = *stored, .duplicate = *stored != id, .row_count = static_cast<uint32_t>(built->size())};
  if (!result.duplicate) {
    m_pending_rows += built->size();
    ++m_pending_batches;
    m_events.Publish(PendingEvent(id));
    std::lock_guard lock(m_work_mutex);
    ++m_work_generation;
    m_work_cv.notify_all();
  }
  return result;
}

StatusOr<BatchEvent> Node::BatchStatus(const BatchId& id) {
  auto record = m_writers->With([&](store::MysqlConnection& db) { return store::ReadBatchRecord(db, id); });
  if (!record.ok()) return record.status();
  if (!*record) return NotFoundError(fmt::format("no batch {}", ShortHex(id)));
  BatchEvent event;
  event.id = id;
  switch ((*record)->state) {
    case store::BatchState::kPending: {
      std::lock_guard lock(m_template_mutex);
      event.phase = m_mining_batches.contains(id) ? BatchPhase::kMining : BatchPhase::kPending;
      break;
    }
    case store::BatchState::kSealed: {
      event.phase = BatchPhase::kSealed;
      event.block_hash = *(*record)->block_hash;
      std::lock_guard lock(m_store_mutex);
      if (const store::BlockEntry* entry = m_store->FindBlock(event.block_hash)) event.height = entry->height;
      break;
    }
    case store::BatchState::kRejected:
      event.phase = BatchPhase::kRejected;
      event.reason = (*record)->reason;
      break;
  }
  return event;
}

StatusOr<std::shared_ptr<const BlockView>> Node::ViewLocked(const Hash256& hash, const consensus::Block* known_block) {
  const store::BlockEntry* entry = m_store->FindBlock(hash);
  if (entry == nullptr) return std::shared_ptr<const BlockView>();
  auto view = std::make_shared<BlockView>();
  if (known_block != nullptr) {
    view->block = *known_block;
  } else {
    auto block = m_store->ReadBlock(hash);
    if (!block.ok()) return block.status();
    if (!*block) return std::shared_ptr<const BlockView>();
    view->block = std::move(**block);
  }
  view->hash = hash;
  view->height = entry->height;
  view->in_main = entry->in_main;
  view->chain_work = entry->chain_work;
  return std::shared_ptr<const BlockView>(std::move(view));
}

StatusOr<std::shared_ptr<const BlockView>> Node::BlockByHash(const Hash256& hash) {
  std::lock_guard lock(m_store_mutex);
  return ViewLocked(hash, nullptr);
}

StatusOr<std::shared_ptr<const BlockView>> Node::BlockAtHeight(uint64_t height) {
  std::lock_guard lock(m_store_mutex);
  const store::BlockEntry* entry = m_store->MainBlockAt(height);
  if (entry == nullptr) return std::shared_ptr<const BlockView>();
  return ViewLocked(entry->hash, nullptr);
}

std::pair<uint64_t, std::vector<Hash256>> Node::SubscribeFrom(uint64_t from_height, EventHub::Callback callback) {
  // Block events are published with m_store_mutex held, so none falls between the two.
  std::lock_guard lock(m_store_mutex);
  std::vector<Hash256> hashes;
  for (uint64_t h = from_height; const store::BlockEntry* entry = m_store->MainBlockAt(h); ++h) {
    hashes.push_back(entry->hash);
  }
  return {m_events.Subscribe(std::move(callback)), std::move(hashes)};
}

StatusOr<ChainInfoView> Node::ChainInfo() {
  ChainInfoView info;
  info.chain = m_params.name;
  info.miner = m_miner_description;
  {
    std::lock_guard lock(m_store_mutex);
    info.genesis_hash = m_store->genesis_hash();
    info.tip = m_store->Tip();
    info.next_bits = m_store->NextBlock().bits;
  }
  info.pending_batches = m_pending_batches.load();
  info.pending_rows = m_pending_rows.load();
  return info;
}

StatusOr<RowProofView> Node::RowProof(const BatchId& id, uint32_t row_index) {
  auto status = BatchStatus(id);
  if (!status.ok()) return status.status();
  if (status->phase != BatchPhase::kSealed) {
    return FailedPreconditionError(fmt::format("batch {} is not sealed in a block yet", ShortHex(id)));
  }
  auto view = BlockByHash(status->block_hash);
  if (!view.ok()) return view.status();
  if (!*view) return InternalError("the batch's block is not stored");
  RowProofView proof;
  proof.block = *view;
  const std::vector<consensus::Leaf>& leaves = (*view)->block.leaves;
  for (size_t i = 1; i < leaves.size(); ++i) {
    auto batch_row = consensus::PeekBatchOfLeaf(leaves[i]);
    if (!batch_row || batch_row->first != id || batch_row->second != row_index) continue;
    auto row = consensus::DecodeRowOperationLeaf(leaves[i]);
    if (!row.ok()) return InternalError("a stored leaf does not decode");
    std::vector<Hash256> hashes = consensus::LeafHashes(leaves);
    proof.row = std::move(*row);
    proof.leaf = leaves[i];
    proof.leaf_index = i;
    proof.tree_size = leaves.size();
    proof.audit_path = consensus::MerkleInclusionProof(hashes, i);
    return proof;
  }
  return NotFoundError(fmt::format("batch {} has no row {}", ShortHex(id), row_index));
}

store::TipInfo Node::Tip() {
  std::lock_guard lock(m_store_mutex);
  return m_store->Tip();
}

bool Node::HasBlock(const Hash256& hash) {
  std::lock_guard lock(m_store_mutex);
  return m_store->FindBlock(hash) != nullptr;
}

std::vector<Hash256> Node::Locator() {
  std::lock_guard lock(m_store_mutex);
  std::vector<Hash256> locator;
  const uint64_t tip = m_store->Tip().height;
  uint64_t step = 1;
  for (uint64_t h = tip;; h = h > step ? h - step : 0) {
    locator.push_back(m_store->MainBlockAt(h)->hash);
    if (h == 0) break;
    if (locator.size() >= 10) step *= 2;
  }
  return locator;
}

Node::HeaderRun Node::HeadersAfter(std::span<const Hash256> locator, size_t max) {
  std::lock_guard lock(m_store_mutex);
  uint64_t fork = 0;
  for (const Hash256& hash : locator) {
    const store::BlockEntry* entry = m_store->FindBlock(hash);
    if (entry != nullptr && entry->in_main) {
      fork = entry->height;
      break;
    }
  }
  HeaderRun run;
  run.first_height = fork + 1;
  for (uint64_t h = fork + 1; const store::BlockEntry* entry = m_store->MainBlockAt(h); ++h) {
    if (run.headers.size() == max) {
      run.more = true;
      break;
    }
    run.headers.push_back(entry->header);
  }
  return run;
}

void Node::BeginSync() {
  if (m_syncing++ == 0) {
    std::lock_guard lock(m_template_mutex);
    if (m_template_stop) m_template_stop->request_stop();  // its tip is about to be stale
  }
}

void Node::EndSync() {
  if (--m_syncing == 0) {
    std::lock_guard lock(m_work_mutex);
    ++m_work_generation;
    m_work_cv.notify_all();
  }
}

StatusOr<store::AcceptResult> Node::SubmitBlock(const consensus::Block& block) {
  std::lock_guard lock(m_store_mutex);
  return AcceptLocked(block, false);
}

StatusOr<store::AcceptResult> Node::AcceptLocked(const consensus::Block& block, bool own) {
  auto result = m_store->AcceptBlock(block, UnixNow());
  if (!result.ok()) {
    spdlog::error("block {} not stored: {}", ToDisplayHex(block.header.Hash()), result.status().message());
    return result;
  }
  // The pool's size is refreshed before watchers hear of the block, so a writer told "sealed"
  // reads a pending count that already leaves its batch out.
  const bool changed = result->verdict.ok() && !result->events.empty();
  if (changed) RefreshPendingLocked();
  PublishLocked(block, *result, own);
  if (changed) NoteTipChanged(m_store->Tip().hash);
  return result;
}

StatusOr<std::vector<store::AcceptResult>> Node::SubmitBlocks(std::span<const consensus::Block> blocks) {
  std::lock_guard lock(m_store_mutex);
  auto results = m_store->AcceptBlocks(blocks, UnixNow());
  if (!results.ok()) {
    spdlog::error("{} blocks not stored: {}", blocks.size(), results.status().message());
    return results;
  }
  bool changed = false;
  for (const store::AcceptResult& result : *results) changed |= result.verdict.ok() && !result.events.empty();
  if (changed) RefreshPendingLocked();
  for (size_t i = 0; i < blocks.size(); ++i) PublishLocked(blocks[i], (*results)[i], false);
  if (changed) NoteTipChanged(m_store->Tip().hash);
  return results;
}

void Node::PublishLocked(const consensus::Block& block, const store::AcceptResult& result, bool own) {
  const Hash256 hash = block.header.Hash();
  if (!result.verdict.ok()) {
    spdlog::warn("{} block {} rejected: {} ({})", own ? "own" : "received", ToDisplayHex(hash), result.verdict.reason(),
                 result.verdict.detail());
    return;
  }
  for (const store::ChainEvent& event : result.events) {
    const bool connected = event.kind == store::ChainEvent::Kind::kConnected;
    auto view = ViewLocked(event.hash, event.hash == hash ? &block : nullptr);
    if (!view.ok() || !*view) {
      spdlog::error("block {} changed the chain but cannot be read back", ToDisplayHex(event.hash));
      continue;
    }
    const size_t rows = (*view)->block.leaves.size() - 1;
    if (connected && own && event.hash == hash) {
      spdlog::info("block sealed: height {} hash {} rows {}", event.height, ToDisplayHex(event.hash), rows);
    } else {
      spdlog::info("block {}: height {} hash {} rows {}", connected ? "connected" : "disconnected", event.height,
                   ToDisplayHex(event.hash), rows);
    }
    m_events.Publish(BlockEvent{.connected = connected, .block = *view});
    for (const BatchId& id : BatchesOf((*view)->block)) {
      if (connected) {
        m_events.Publish(SealedEvent(id, event.height, event.hash));
      } else {
        m_events.Publish(PendingEvent(id, true));
      }
    }
  }
}

void Node::RefreshPendingLocked() {
  auto totals = m_store->PendingTotals();
  if (!totals.ok()) {
    spdlog::warn("pending pool size unknown: {}", totals.status().message());
    return;
  }
  m_pending_rows = totals->rows;
  m_pending_batches = totals->batches;
}

void Node::NoteTipChanged(const Hash256& new_tip) {
  {
    std::lock_guard lock(m_template_mutex);
    m_tip_hash = new_tip;
    // A template on the new tip is current (the node's own block, committed while the next
    // one was already being mined on it); anything else is stale.
    if (m_template_stop && m_template_prev != new_tip) {
      m_template_stop->request_stop();
      m_stale_since = std::chrono::steady_clock::now();
    }
  }
  std::lock_guard lock(m_work_mutex);
  ++m_work_generation;
  m_work_cv.notify_all();
}

MiningStats Node::mining_stats() const {
  std::lock_guard lock(m_template_mutex);
  return m_stats;
}

void Node::WaitForWork(std::stop_token stop, uint64_t seen_generation, std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_work_mutex);
  m_work_cv.wait_for(lock, stop, timeout, [&] { return m_work_generation != seen_generation; });
}

StatusOr<std::optional<Node::Template>> Node::BuildTemplate(const InFlight* in_flight) {
  store::NextBlockContext next;
  if (in_flight != nullptr) {
    next = in_flight->next;
  } else {
    std::lock_guard lock(m_store_mutex);
    next = m_store->NextBlock();
  }
  // Reads go through a writer connection, so a template is built while the store's own
  // connection commits the previous block; that block's batches and keys are left out.
  std::set<BatchId> exclude;
  std::unordered_set<std::string> keys_in_flight;
  if (in_flight != nullptr) {
    exclude.insert(in_flight->batches.begin(), in_flight->batches.end());
    keys_in_flight = in_flight->keys;
  }
  const uint64_t byte_budget = m_params.max_block_bytes - kBlockInfoLeafReserve;
  const auto read_start = std::chrono::steady_clock::now();
  auto pending = m_writers->With([&](store::MysqlConnection& db) {
    return store::ReadPendingBatches(db, m_params.max_block_rows, byte_budget, exclude);
  });
  if (!pending.ok()) return pending.status();

  std::vector<CandidateBatch> candidates;
  std::vector<consensus::RowOperation> all_rows;
  for (const store::PendingBatch& batch : *pending) {
    CandidateBatch candidate;
    candidate.id = batch.id;
    for (const consensus::Leaf& leaf : batch.leaves) {
      auto row = consensus::DecodeRowOperationLeaf(leaf);
      if (!row.ok()) return InternalError(fmt::format("pending batch {} is damaged", ShortHex(batch.id)));
      all_rows.push_back(*row);
      candidate.rows.push_back(std::move(*row));
    }
    candidates.push_back(std::move(candidate));
  }
  const auto keys_start = std::chrono::steady_clock::now();
  std::unordered_set<std::string> existing;
  if (!all_rows.empty()) {
    auto keys = m_writers->With([&](store::MysqlConnection& db) {
      return store::LedgerWriter(db, m_params).ExistingKeys(all_rows);
    });
    if (!keys.ok()) return keys.status();
    existing = std::move(*keys);
  }
  spdlog::trace("template: {} batches read and decoded in {:.1f} ms, keys checked in {:.1f} ms", pending->size(),
                std::chrono::duration<double, std::milli>(keys_start - read_start).count(),
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - keys_start).count());
  TemplateSelection selection = SelectBatches(candidates, m_params.schema, existing, keys_in_flight);
  for (const auto& [index, reason] : selection.rejected) {
    const BatchId& id = candidates[index].id;
    auto rejected = m_writers->With([&](store::MysqlConnection& db) -> StatusOr<bool> {
      ROWCHAIN_RETURN_IF_ERROR(store::RejectPendingBatch(db, id, reason));
      return true;
    });
    if (!rejected.ok()) return rejected.status();
    spdlog::warn("batch rejected: {}: {}", ShortHex(id), reason);
    m_events.Publish(RejectedEvent(id, reason));
  }
  if (!selection.rejected.empty()) {
    std::lock_guard lock(m_store_mutex);
    RefreshPendingLocked();
  }
  if (selection.chosen.empty() && !m_params.mine_empty_blocks) return std::optional<Template>();

  Template t;
  t.spec.prev_hash = next.prev_hash;
  t.spec.height = next.height;
  t.spec.bits = next.bits;
  t.spec.time = std::max<uint32_t>(static_cast<uint32_t>(UnixNow()), next.min_time);
  t.spec.miner_id = m_options.miner_id;
  for (size_t index : selection.chosen) {
    const store::PendingBatch& batch = (*pending)[index];
    t.batches.push_back(batch.id);
    t.spec.rows.insert(t.spec.rows.end(), batch.leaves.begin(), batch.leaves.end());
    for (const consensus::RowOperation& row : candidates[index].rows) {
      t.keys.insert(consensus::RowKey(row.table, consensus::PrimaryKeyValues(row, *m_params.schema.FindTable(row.table))));
    }
  }
  return std::optional<Template>(std::move(t));
}

bool Node::WaitForCommit(std::optional<InFlight>& in_flight) {
  if (!in_flight) return true;
  bool committed = in_flight->outcome.get();
  in_flight.reset();
  return committed;
}

void Node::MiningLoop(std::stop_token stop) {
  const consensus::U256 pow_limit = m_params.PowLimit();
  std::set<BatchId> announced;  // batches told "mining" for the previous template
  // The block found last, while the store commits it: the next template is built on it.
  std::optional<InFlight> in_flight;
  while (!stop.stop_requested()) {
    uint64_t generation;
    {
      std::lock_guard lock(m_work_mutex);
      generation = m_work_generation;
    }
    if (in_flight && in_flight->outcome.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      if (!WaitForCommit(in_flight)) continue;
    }
    if (m_syncing.load() > 0) {  // catching up with a heavier chain: no blocks on a stale tip
      WaitForCommit(in_flight);
      WaitForWork(stop, generation, std::chrono::milliseconds(100));
      continue;
    }
    const auto build_start = std::chrono::steady_clock::now();
    auto built = BuildTemplate(in_flight ? &*in_flight : nullptr);
    if (!built.ok()) {
      spdlog::error("no block template: {}; retrying", built.status().message());
      WaitForCommit(in_flight);
      WaitForWork(stop, generation, std::chrono::seconds(1));
      continue;
    }
    if (!*built) {
      WaitForCommit(in_flight);
      {
        std::lock_guard lock(m_template_mutex);
        m_stale_since.reset();
      }
      WaitForWork(stop, generation, std::chrono::seconds(60));
      continue;
    }
    Template& t = **built;
    std::stop_source template_stop;
    {
      std::lock_guard lock(m_template_mutex);
      // Still on the tip (or on the block being committed, whose commit has not failed)?
      const bool on_tip = t.spec.prev_hash == m_tip_hash;
      const bool on_in_flight = in_flight && t.spec.prev_hash == in_flight->hash && !m_failed_commit;
      if (!on_tip && !on_in_flight) continue;  // the tip moved while the template was built
      m_template_stop = template_stop;
      m_template_prev = t.spec.prev_hash;
      m_mining_batches = std::set<BatchId>(t.batches.begin(), t.batches.end());
      ++m_stats.templates;
      if (m_stale_since) {
        auto latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                             *m_stale_since);
        m_stats.last_restart_latency = latency;
        spdlog::debug("template on the new tip {} us after the tip changed", latency.count());
        m_stats.max_restart_latency = std::max(m_stats.max_restart_latency, latency);
        m_stale_since.reset();
      }
    }
    for (const BatchId& id : t.batches) {
      if (!announced.contains(id)) m_events.Publish(MiningEvent(id));
    }
    announced = std::set<BatchId>(t.batches.begin(), t.batches.end());
    std::stop_callback forward_stop(stop, [&] { template_stop.request_stop(); });
    const auto mine_start = std::chrono::steady_clock::now();
    auto mined = mining::MineBlock(*m_miner, t.spec, pow_limit, template_stop.get_token());
    const auto mine_end = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(m_template_mutex);
      m_template_stop.reset();
      if (mined.ok() && !*mined) ++m_stats.templates_cancelled;
      if (mined.ok() && *mined) ++m_stats.blocks_mined;
    }
    if (!mined.ok()) {
      spdlog::error("mining failed: {}", mined.status().message());
      WaitForCommit(in_flight);
      WaitForWork(stop, generation, std::chrono::seconds(1));
      continue;
    }
    if (!*mined) continue;
    // The parent must be committed before this block can be; a failed parent drops it.
    if (!WaitForCommit(in_flight)) continue;
    consensus::Block block = std::move(**mined);
    InFlight next;
    next.hash = block.header.Hash();
    next.batches = t.batches;
    next.keys = std::move(t.keys);
    {
      std::lock_guard lock(m_store_mutex);
      if (m_store->Tip().hash != block.header.prev_hash) continue;  // a peer's block came first
      next.next = m_store->NextBlockAfter(block.header);
    }
    {
      std::lock_guard lock(m_template_mutex);
      m_failed_commit = false;
    }
    const size_t rows = t.spec.rows.size();
    auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
    spdlog::debug("block of {} rows: template {:.1f} ms, search {:.1f} ms", rows, ms(mine_start - build_start),
                  ms(mine_end - mine_start));
    next.outcome = std::async(std::launch::async, [this, block = std::move(block)]() {
      std::lock_guard lock(m_store_mutex);
      auto accepted = AcceptLocked(block, true);
      const bool ok = accepted.ok() && accepted->verdict.ok();
      if (!ok) {
        std::lock_guard stats_lock(m_template_mutex);
        ++m_stats.own_blocks_rejected;
        m_failed_commit = true;
        // A template built on this block can never be committed.
        if (m_template_stop && m_template_prev == block.header.Hash()) m_template_stop->request_stop();
      }
      return ok;
    });
    in_flight = std::move(next);
  }
  WaitForCommit(in_flight);
}

}  // namespace rowchain::node
