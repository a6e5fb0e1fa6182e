// Node's mining loop: templates from the pending pool, the search, and the pipelined commit
// (the next template is built and mined while the last block commits). See node.h.
#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "node/node.h"
#include "node/node_internal.h"
#include "node/template_selection.h"
#include "store/batch_pool.h"
#include "store/ledger_writer.h"

namespace rowchain::node {

using consensus::BatchId;
using consensus::Hash256;
using internal::ShortHex;
using internal::UnixNow;

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
  static const std::unordered_set<std::string> kNoKeys;
  const std::unordered_set<std::string>& keys_in_flight = in_flight != nullptr ? in_flight->keys : kNoKeys;
  if (in_flight != nullptr) exclude.insert(in_flight->batches.begin(), in_flight->batches.end());
  const uint64_t byte_budget = m_params.max_block_bytes - kBlockInfoLeafReserve;
  const auto read_start = std::chrono::steady_clock::now();
  // MySQL says which batches are pending, in order; the cache holds what most of them contain.
  std::map<BatchId, std::shared_ptr<const PreparedBatch>> held;
  auto pending = m_writers->With([&](store::MysqlConnection& db) {
    return store::ReadPendingBatches(db, m_params.max_block_rows, byte_budget, exclude, [&](const BatchId& id) {
      auto batch = m_pending_cache.Find(id);
      if (batch) held.emplace(id, std::move(batch));
      return batch != nullptr;
    });
  });
  if (!pending.ok()) return pending.status();

  std::vector<std::shared_ptr<const PreparedBatch>> candidates;  // owned here for the template's life
  std::vector<const PreparedBatch*> candidate_views;             // the same, as SelectBatches reads them
  std::vector<const consensus::RowOperation*> rows_to_check;
  // The key filter holds every key the ledger holds once it is loaded, unless the tables were
  // changed behind the node's back: after an own block failed, every key is asked for once.
  const bool check_every_key = m_check_every_key.exchange(false);
  const bool filter_trusted = m_ledger_keys_loaded.load() && !check_every_key;
  for (store::PendingBatch& batch : *pending) {
    std::shared_ptr<const PreparedBatch> prepared;
    if (auto it = held.find(batch.id); it != held.end()) {
      prepared = std::move(it->second);
    } else {  // after a restart or a reorg, or past the cache's bound
      auto decoded = PrepareStoredBatch(m_params.schema, batch.id, std::move(batch.table), std::move(batch.leaves));
      if (!decoded.ok()) return InternalError(fmt::format("pending batch {} is damaged", ShortHex(batch.id)));
      prepared = std::make_shared<const PreparedBatch>(std::move(*decoded));
      m_pending_cache.Put(prepared);
    }
    for (size_t i = 0; i < prepared->rows.size(); ++i) {
      // A key the filter has never seen is not in the ledger: only the others are asked for.
      if (!filter_trusted || m_ledger_keys->MayContain(prepared->keys[i])) rows_to_check.push_back(&prepared->rows[i]);
    }
    candidate_views.push_back(prepared.get());
    candidates.push_back(std::move(prepared));
  }
  const auto keys_start = std::chrono::steady_clock::now();
  std::unordered_set<std::string> existing;
  if (!rows_to_check.empty()) {
    auto keys = m_writers->With([&](store::MysqlConnection& db) {
      return store::LedgerWriter(db, m_params).ExistingKeys(rows_to_check);
    });
    if (!keys.ok()) {
      if (check_every_key) m_check_every_key = true;
      return keys.status();
    }
    existing = std::move(*keys);
    for (const std::string& key : existing) m_ledger_keys->Add(key);  // learns rows written behind its back
  }
  spdlog::trace("template: {} batches read and decoded in {:.1f} ms, {} keys checked in {:.1f} ms", pending->size(),
                std::chrono::duration<double, std::milli>(keys_start - read_start).count(), rows_to_check.size(),
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - keys_start).count());
  TemplateSelection selection = SelectBatches(candidate_views, m_params.schema, existing, keys_in_flight);
  for (const auto& [index, reason] : selection.rejected) {
    const BatchId& id = candidates[index]->id;
    auto rejected = m_writers->With([&](store::MysqlConnection& db) -> StatusOr<bool> {
      ROWCHAIN_RETURN_IF_ERROR(store::RejectPendingBatch(db, id, reason));
      return true;
    });
    if (!rejected.ok()) return rejected.status();
    m_pending_cache.Erase(id);
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
  size_t chosen_rows = 0;
  for (size_t index : selection.chosen) chosen_rows += candidates[index]->leaves.size();
  t.spec.rows.reserve(chosen_rows);
  for (size_t index : selection.chosen) {
    const PreparedBatch& batch = *candidates[index];
    t.batches.push_back(batch.id);
    t.spec.rows.insert(t.spec.rows.end(), batch.leaves.begin(), batch.leaves.end());
  }
  t.keys = std::move(selection.chosen_keys);
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
      // A block that failed to commit puts its batches back in the pool: a template at once.
      if (!WaitForCommit(in_flight)) continue;
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
        m_check_every_key = true;
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
