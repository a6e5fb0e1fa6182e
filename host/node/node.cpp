#include "node/node.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <future>

#include <fmt/format.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include "consensus/block_checks.h"
#include "consensus/block_info_leaf.h"
#include "consensus/merkle.h"
#include "metrics/metrics.h"
#include "store/batch_pool.h"
#include "store/ledger_writer.h"
#include "util/hex.h"

namespace rowchain::node {

namespace {

int64_t UnixNow() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace

using consensus::BatchId;
using consensus::Hash256;
using consensus::ToDisplayHex;


Node::Node(NodeOptions options)
    : m_params(options.params), m_options(std::move(options)), m_pending_cache(m_options.pending_cache_bytes) {}

StatusOr<std::unique_ptr<Node>> Node::Start(NodeOptions options) {
  std::unique_ptr<Node> node(new Node(std::move(options)));
  store::ChainStoreOptions store_options;
  store_options.change_feed_prefix = node->m_options.change_feed_prefix;
  store_options.max_reorg_depth = node->m_options.max_reorg_depth;
  store_options.reindex = node->m_options.reindex;
  node->m_ledger_keys = std::make_shared<KeyFilter>(KeyFilterOptions{.max_bytes = node->m_options.ledger_key_filter_bytes});
  store_options.ledger_keys = node->m_ledger_keys;  // from now on, every key written is added
  auto store = store::ChainStore::Open(node->m_options.mysql, node->m_params, std::move(store_options));
  if (!store.ok()) return store.status();
  node->m_store = std::move(*store);
  node->m_writers = std::make_unique<store::ConnectionPool>(node->m_options.mysql,
                                                            std::max<size_t>(1, node->m_options.writer_connections));
  node->m_pool_writer = std::make_unique<PoolWriter>(*node->m_writers);
  node->m_templates = std::make_unique<TemplateBuilder>(TemplateBuilder::Parts{
      .params = &node->m_params,
      .db = node->m_writers.get(),
      .cache = &node->m_pending_cache,
      .events = &node->m_events,
      .ledger_keys = node->m_ledger_keys.get(),
      .miner_id = node->m_options.miner_id});
  {
    std::lock_guard lock(node->m_store_mutex);
    node->RefreshPendingLocked();
    metrics::Get().chain_height.Set(static_cast<double>(node->m_store->Tip().height));
  }
  // What the tables held before: scanned meanwhile on a connection of its own, while templates
  // ask MySQL about every key.
  node->m_key_scan_thread = std::jthread([raw = node.get()](std::stop_token stop) { raw->ScanLedgerKeys(stop); });
  store::TipInfo tip = node->m_store->Tip();
  std::array<uint8_t, 8> id{};
  RAND_bytes(id.data(), static_cast<int>(id.size()));
  node->m_node_id = HexEncode(id);
  spdlog::info("chain {}: tip height {} hash {}, {} pending batches", node->m_params.name, tip.height,
               ToDisplayHex(tip.hash), node->m_pending_batches.load());
  if (Status s = node->StartMining(tip.hash); !s.ok()) return s;
  return node;
}

Node::~Node() { Stop(); }

Status Node::StartMining(const Hash256& tip) {
  JobSearcher* searcher = m_options.workers;
  if (m_options.miner) {
    auto choice = mining::CreateMiner(*m_options.miner);
    if (!choice.ok()) return choice.status();
    m_miner = std::move(choice->miner);
    spdlog::info("mining with {}: {}", m_miner->Describe(), choice->reason);
    m_local_searcher = std::make_unique<LocalSearcher>(*m_miner, m_params.PowLimit());
    searcher = m_local_searcher.get();
    if (m_options.workers) {
      m_both_searchers = std::make_unique<mining::FirstOfSearchers>(*m_local_searcher, *m_options.workers);
      searcher = m_both_searchers.get();
    }
  }
  if (searcher == nullptr) {
    spdlog::info("miner off: this node validates and serves, and never mines");
    return OkStatus();
  }
  m_miner_description = m_miner ? m_miner->Describe() : "";
  if (m_options.workers) m_miner_description += m_miner ? " + remote workers" : "remote workers";
  MiningHost& host = *this;  // a private base: only Node hands itself out
  m_mining = std::make_unique<MiningLoop>(host, *searcher, tip);
  m_mining->Start();
  return OkStatus();
}

void Node::ScanLedgerKeys(std::stop_token stop) {
  const auto start = std::chrono::steady_clock::now();
  auto db = store::MysqlConnection::Connect(m_options.mysql);
  Status scanned = db.ok() ? store::LedgerWriter(**db, m_params).AddAllKeys(*m_ledger_keys, stop) : db.status();
  if (!scanned.ok()) {
    if (!stop.stop_requested()) {
      spdlog::warn("ledger keys not scanned ({}): templates ask MySQL about every key", scanned.message());
    }
    return;
  }
  m_templates->MarkKeysComplete();
  spdlog::info("ledger keys scanned in {:.0f} ms; key filter {} KiB",
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(),
               m_ledger_keys->bytes() >> 10);
}

void Node::Stop() {
  if (m_stopping.exchange(true)) return;
  if (m_key_scan_thread.joinable()) {
    m_key_scan_thread.request_stop();
    m_key_scan_thread.join();
  }
  if (m_mining) m_mining->Stop();
}

StatusOr<SubmitResult> Node::SubmitBatch(std::string_view table, std::vector<InputRow> rows,
                                         const store::IdempotencyKey& key) {
  if (m_stopping) return UnavailableError("the node is shutting down");
  if (key.key.size() > 128) return InvalidArgumentError("the idempotency key is longer than 128 bytes");
  BatchId id{};
  if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1) return InternalError("no random batch id");
  auto prepared = PrepareBatch(m_params, table, std::move(rows), id);
  if (!prepared.ok()) {
    metrics::Get().batches_rejected.Add({{"reason", "invalid-rows"}}).Increment();
    return prepared.status();
  }
  auto batch = std::make_shared<const PreparedBatch>(std::move(*prepared));
  const size_t row_count = batch->rows.size();

  store::RetryKey retry = store::RetryKeyOf(key, batch->table, batch->leaves);
  const bool pool_full = m_pending_rows.load() + row_count > m_options.max_pending_rows;
  // Held before it is stored: a template that finds it in MySQL finds it decoded, and it cannot
  // be sealed (and let go of) before it is held.
  if (!pool_full) m_pending_cache.Put(batch);
  StatusOr<BatchId> stored = InternalError("not stored");
  if (pool_full) {
    stored = m_writers->With([&](store::MysqlConnection& db) -> StatusOr<BatchId> {
      // A retry of a batch already stored still gets its id; anything new is refused.
      auto found = store::FindRetriedBatch(db, retry);
      if (!found.ok()) return found.status();
      if (*found) return **found;
      return ResourceExhaustedError(fmt::format("the pending pool is full ({} rows waiting, limit {}); retry later",
                                                m_pending_rows.load(), m_options.max_pending_rows));
    });
  } else {
    // Packed only when it is stored: a full pool refuses without the work.
    stored = m_pool_writer->Store(store::NewPendingBatchOf(id, batch->table, batch->leaves, std::move(retry)), UnixNow());
  }
  if (!stored.ok() || *stored != id) m_pending_cache.Erase(id);
  if (!stored.ok()) {
    const char* why = stored.status().code() == StatusCode::kResourceExhausted ? "pool-full" : "store-failed";
    metrics::Get().batches_rejected.Add({{"reason", why}}).Increment();
    return stored.status();
  }
  SubmitResult result{.id = *stored, .duplicate = *stored != id, .row_count = static_cast<uint32_t>(row_count)};
  if (!result.duplicate) {
    m_seal_timer.Start(id);
    metrics::Get().batches_submitted.Increment();
    m_pending_rows += row_count;
    ++m_pending_batches;
    metrics::Get().pending_rows.Set(static_cast<double>(m_pending_rows.load()));
    metrics::Get().pending_batches.Set(static_cast<double>(m_pending_batches.load()));
    m_events.Publish(PendingEvent(id));
    if (m_mining) m_mining->WakeUp();
  }
  return result;
}

StatusOr<BatchEvent> Node::BatchStatus(const BatchId& id) {
  auto record = m_writers->With([&](store::MysqlConnection& db) { return store::ReadBatchRecord(db, id); });
  if (!record.ok()) return record.status();
  if (!*record) return NotFoundError(fmt::format("no batch {}", HexEncode(id)));
  BatchEvent event;
  event.id = id;
  switch ((*record)->state) {
    case store::BatchState::kPending:
      event.phase = m_mining && m_mining->IsMining(id) ? BatchPhase::kMining : BatchPhase::kPending;
      break;
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
  // Block events leave under m_publish_mutex, taken before m_store_mutex is let go (in that
  // order here too): none falls between the hashes read and the subscription.
  std::lock_guard lock(m_store_mutex);
  std::lock_guard publishing(m_publish_mutex);
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
    info.refused_reorg = m_store->refused_reorg();
  }
  info.pending_batches = m_pending_batches.load();
  info.pending_rows = m_pending_rows.load();
  return info;
}

StatusOr<RowProofView> Node::RowProof(const BatchId& id, uint32_t row_index) {
  auto status = BatchStatus(id);
  if (!status.ok()) return status.status();
  if (status->phase == BatchPhase::kRejected) {
    return FailedPreconditionError(fmt::format("batch {} was rejected and will never be sealed: {}", HexEncode(id),
                                               status->reason));
  }
  if (status->phase != BatchPhase::kSealed) {
    return FailedPreconditionError(fmt::format("batch {} is {}, not sealed in a block yet", HexEncode(id),
                                               status->phase == BatchPhase::kMining ? "being mined" : "pending"));
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
  return NotFoundError(fmt::format("batch {} has no row {}", HexEncode(id), row_index));
}

store::TipInfo Node::Tip() {
  std::lock_guard lock(m_store_mutex);
  return m_store->Tip();
}

bool Node::HasBlock(const Hash256& hash) {
  std::lock_guard lock(m_store_mutex);
  return m_store->FindBlock(hash) != nullptr;
}

std::optional<consensus::U256> Node::ChainWorkOf(const Hash256& hash) {
  std::lock_guard lock(m_store_mutex);
  const store::BlockEntry* entry = m_store->FindBlock(hash);
  if (entry == nullptr) return std::nullopt;
  return entry->chain_work;
}

std::optional<consensus::ChainTail> Node::ChainTailOf(const Hash256& hash) {
  std::lock_guard lock(m_store_mutex);
  const store::BlockEntry* entry = m_store->FindBlock(hash);
  if (entry == nullptr) return std::nullopt;
  const store::BlockEntry* cursor = entry;  // heights are asked newest first
  return consensus::ChainTail::Of(hash, entry->height, m_params, [&](uint64_t height) -> const consensus::BlockHeader& {
    if (cursor->height < height) cursor = entry;
    while (cursor->height > height) cursor = cursor->parent;
    return cursor->header;
  });
}

Status Node::RecordPeerBan(const store::PeerBan& ban) {
  auto saved = m_writers->With([&](store::MysqlConnection& db) -> StatusOr<bool> {
    ROWCHAIN_RETURN_IF_ERROR(store::SavePeerBan(db, ban));
    return true;
  });
  return saved.status();
}

StatusOr<std::vector<store::PeerBan>> Node::PeerBans() {
  return m_writers->With([&](store::MysqlConnection& db) { return store::LoadPeerBans(db, UnixNow()); });
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
  if (m_mining) m_mining->BeginSync();
}

void Node::EndSync() {
  if (m_mining) m_mining->EndSync();
}

namespace {

// What can be judged of a body before anything reaches MySQL: its sizes and its Merkle root. A
// peer's junk body is refused here, and its header stays unknown, so the honest body can come.
consensus::Verdict CheapBodyChecks(const consensus::Block& block, const consensus::ChainParams& params) {
  if (consensus::Verdict v = consensus::CheckBlockBodySize(block, params); !v.ok()) return v;
  return consensus::CheckBlockMerkleRoot(block);
}

void CountChainEvents(const std::vector<store::ChainEvent>& events) {
  metrics::Metrics& m = metrics::Get();
  bool reorg = false;
  for (const store::ChainEvent& event : events) {
    if (event.kind == store::ChainEvent::Kind::kConnected) {
      m.blocks_connected.Increment();
      m.chain_height.Set(static_cast<double>(event.height));
    } else {
      m.blocks_disconnected.Increment();
      reorg = true;
    }
  }
  if (reorg) m.reorgs.Increment();
}

void CountRejectedBlock(const consensus::Verdict& verdict) {
  metrics::Get().block_rejects.Add({{"reason", std::string(verdict.reason())}}).Increment();
}

store::AcceptResult Refused(consensus::Verdict verdict) {
  CountRejectedBlock(verdict);
  store::AcceptResult result;
  result.verdict = std::move(verdict);
  return result;
}

}  // namespace

StatusOr<store::AcceptResult> Node::SubmitBlock(const consensus::Block& block) {
  if (consensus::Verdict v = CheapBodyChecks(block, m_params); !v.ok()) return Refused(std::move(v));
  std::unique_lock lock(m_store_mutex);
  return AcceptAndPublish(lock, block, false);
}

StatusOr<store::AcceptResult> Node::AcceptAndPublish(std::unique_lock<std::mutex>& lock, const consensus::Block& block,
                                                     bool own) {
  auto result = m_store->AcceptBlock(block, UnixNow());
  if (!result.ok()) {
    spdlog::error("block {} not stored: {}", ToDisplayHex(block.header.Hash()), result.status().message());
    return result;
  }
  // The pool's size is refreshed before watchers hear of the block, so a writer told "sealed"
  // reads a pending count that already leaves its batch out.
  const bool changed = result->verdict.ok() && !result->events.empty();
  if (changed) RefreshPendingLocked();
  std::vector<NodeEvent> events = EventsLocked(block, *result, own);
  if (changed) NoteTipChanged(m_store->Tip().hash);
  PublishUnlocking(lock, std::move(events));
  return result;
}

StatusOr<std::vector<store::AcceptResult>> Node::SubmitBlocks(std::span<const consensus::Block> blocks) {
  // The blocks before the first with a bad body go on; it and those after it never reach MySQL.
  std::vector<store::AcceptResult> refused;
  for (size_t i = 0; i < blocks.size(); ++i) {
    consensus::Verdict v = CheapBodyChecks(blocks[i], m_params);
    if (v.ok()) continue;
    refused.push_back(Refused(std::move(v)));
    for (size_t j = i + 1; j < blocks.size(); ++j) {
      refused.push_back(Refused(consensus::Verdict::Invalid("bad-prevblk", "its parent's body is bad")));
    }
    blocks = blocks.first(i);
    break;
  }
  if (blocks.empty()) return refused;
  std::unique_lock lock(m_store_mutex);
  auto results = m_store->AcceptBlocks(blocks, UnixNow());
  if (results.ok()) results->insert(results->end(), refused.begin(), refused.end());
  if (!results.ok()) {
    spdlog::error("{} blocks not stored: {}", blocks.size(), results.status().message());
    return results;
  }
  bool changed = false;
  for (const store::AcceptResult& result : *results) changed |= result.verdict.ok() && !result.events.empty();
  if (changed) RefreshPendingLocked();
  std::vector<NodeEvent> events;
  for (size_t i = 0; i < blocks.size(); ++i) {
    std::vector<NodeEvent> of_block = EventsLocked(blocks[i], (*results)[i], false);
    std::move(of_block.begin(), of_block.end(), std::back_inserter(events));
  }
  if (changed) NoteTipChanged(m_store->Tip().hash);
  PublishUnlocking(lock, std::move(events));
  return results;
}

void Node::PublishUnlocking(std::unique_lock<std::mutex>& store_lock, std::vector<NodeEvent> events) {
  // Taken before the store's mutex is let go: events leave in the order the store made them,
  // and SubscribeFrom (store, then this) sees no gap and no repeat.
  std::lock_guard publishing(m_publish_mutex);
  store_lock.unlock();
  for (const NodeEvent& event : events) m_events.Publish(event);
}

// GCC 12 warns, falsely, that a BatchEvent's fields "may be used uninitialized" when a vector
// of std::variant<BatchEvent, BlockEvent> grows here (every field has an initializer; clang and
// the sanitizers see nothing). Silenced for this function only, so the build is warning-free.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
std::vector<NodeEvent> Node::EventsLocked(const consensus::Block& block, const store::AcceptResult& result, bool own) {
  const Hash256 hash = block.header.Hash();
  std::vector<NodeEvent> events;
  if (!result.verdict.ok()) {
    spdlog::warn("{} block {} rejected: {} ({})", own ? "own" : "received", ToDisplayHex(hash), result.verdict.reason(),
                 result.verdict.detail());
    CountRejectedBlock(result.verdict);
    return events;
  }
  CountChainEvents(result.events);
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
    events.push_back(BlockEvent{.connected = connected, .block = *view});
    for (const BatchId& id : BatchesOf((*view)->block)) {
      if (connected) {
        m_pending_cache.Erase(id);
        m_seal_timer.Finish(id);
        events.push_back(SealedEvent(id, event.height, event.hash));
      } else {
        events.push_back(PendingEvent(id, true));
      }
    }
  }
  return events;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

void Node::RefreshPendingLocked() {
  auto totals = m_store->PendingTotals();
  if (!totals.ok()) {
    spdlog::warn("pending pool size unknown: {}", totals.status().message());
    return;
  }
  m_pending_rows = totals->rows;
  m_pending_batches = totals->batches;
  metrics::Get().pending_rows.Set(static_cast<double>(totals->rows));
  metrics::Get().pending_batches.Set(static_cast<double>(totals->batches));
}

void Node::NoteTipChanged(const Hash256& new_tip) {
  if (m_mining) m_mining->NoteTipChanged(new_tip);
}

MiningStats Node::mining_stats() const { return m_mining ? m_mining->stats() : MiningStats{}; }

bool Node::ledger_keys_scanned() const { return m_templates->keys_complete(); }

store::NextBlockContext Node::NextBlock() {
  std::lock_guard lock(m_store_mutex);
  return m_store->NextBlock();
}

std::optional<store::NextBlockContext> Node::NextBlockAfter(const consensus::BlockHeader& child_of_tip) {
  std::lock_guard lock(m_store_mutex);
  if (m_store->Tip().hash != child_of_tip.prev_hash) return std::nullopt;
  return m_store->NextBlockAfter(child_of_tip);
}

StatusOr<TemplateBuilder::Built> Node::BuildTemplate(const TemplateBase& base) {
  auto built = m_templates->Build(base, UnixNow());
  if (built.ok() && built->rejected > 0) {
    std::lock_guard lock(m_store_mutex);
    RefreshPendingLocked();
  }
  return built;
}

void Node::AnnounceMining(const BatchId& id) { m_events.Publish(MiningEvent(id)); }

bool Node::CommitOwnBlock(const consensus::Block& block) {
  std::unique_lock lock(m_store_mutex);
  auto accepted = AcceptAndPublish(lock, block, true);
  const bool ok = accepted.ok() && accepted->verdict.ok();
  if (!ok) {
    if (!lock.owns_lock()) lock.lock();
    m_templates->CheckEveryKeyOnce();
  }
  return ok;
}

}  // namespace rowchain::node
