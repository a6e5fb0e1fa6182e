#include "node/template_builder.h"

#include <algorithm>
#include <chrono>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/batch_pool.h"
#include "store/ledger_writer.h"
#include "util/hex.h"

namespace rowchain::node {

using consensus::BatchId;

namespace {

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

StatusOr<Candidates> GatherCandidates(store::ConnectionPool& db, PendingCache& cache,
                                      const consensus::ChainParams& params, const std::set<BatchId>& exclude,
                                      const KeyFilter* filter) {
  const uint64_t byte_budget = params.max_block_bytes - kBlockInfoLeafReserve;
  // MySQL says which batches are pending, in order; the cache holds what most of them contain.
  std::map<BatchId, std::shared_ptr<const PreparedBatch>> held;
  auto pending = db.With([&](store::MysqlConnection& conn) {
    return store::ReadPendingBatches(conn, params.max_block_rows, byte_budget, exclude, [&](const BatchId& id) {
      auto batch = cache.Find(id);
      if (batch) held.emplace(id, std::move(batch));
      return batch != nullptr;
    });
  });
  if (!pending.ok()) return pending.status();
  Candidates out;
  for (store::PendingBatch& batch : *pending) {
    std::shared_ptr<const PreparedBatch> prepared;
    if (auto it = held.find(batch.id); it != held.end()) {
      prepared = std::move(it->second);
    } else {  // after a restart or a reorg, or past the cache's bound
      auto decoded = PrepareStoredBatch(params.schema, batch.id, std::move(batch.table), std::move(batch.leaves));
      if (!decoded.ok()) return InternalError(fmt::format("pending batch {} is damaged", HexEncode(batch.id)));
      prepared = std::make_shared<const PreparedBatch>(std::move(*decoded));
      cache.Put(prepared);
    }
    for (size_t i = 0; i < prepared->rows.size(); ++i) {
      // A key the filter has never seen is not in the ledger: only the others are asked for.
      if (filter == nullptr || filter->MayContain(prepared->keys[i])) out.rows_to_check.push_back(&prepared->rows[i]);
    }
    out.batches.push_back(std::move(prepared));
  }
  return out;
}

StatusOr<std::unordered_set<std::string>> FindExistingKeys(store::ConnectionPool& db,
                                                           const consensus::ChainParams& params,
                                                           const std::vector<const consensus::RowOperation*>& rows) {
  if (rows.empty()) return std::unordered_set<std::string>();
  return db.With([&](store::MysqlConnection& conn) { return store::LedgerWriter(conn, params).ExistingKeys(rows); });
}

Status RejectBatches(store::ConnectionPool& db, PendingCache& cache, EventHub& events, const Candidates& candidates,
                     const TemplateSelection& selection) {
  for (const auto& [index, why] : selection.rejected) {
    const BatchId& id = candidates.batches[index]->id;
    const std::string& reason = why;  // a lambda may not capture a structured binding (clang 14)
    auto rejected = db.With([&](store::MysqlConnection& conn) -> StatusOr<bool> {
      ROWCHAIN_RETURN_IF_ERROR(store::RejectPendingBatch(conn, id, reason));
      return true;
    });
    if (!rejected.ok()) return rejected.status();
    cache.Erase(id);
    spdlog::warn("batch rejected: {}: {}", HexEncode(id), reason);
    events.Publish(RejectedEvent(id, reason));
  }
  return OkStatus();
}

Template AssembleTemplate(const store::NextBlockContext& next, const Candidates& candidates,
                          TemplateSelection selection, const std::string& miner_id, int64_t now) {
  Template t;
  t.spec.prev_hash = next.prev_hash;
  t.spec.height = next.height;
  t.spec.bits = next.bits;
  t.spec.time = std::max<uint32_t>(static_cast<uint32_t>(now), next.min_time);
  t.spec.miner_id = miner_id;
  size_t chosen_rows = 0;
  for (size_t index : selection.chosen) chosen_rows += candidates.batches[index]->leaves.size();
  t.spec.rows.reserve(chosen_rows);
  for (size_t index : selection.chosen) {
    const PreparedBatch& batch = *candidates.batches[index];
    t.batches.push_back(batch.id);
    t.spec.rows.insert(t.spec.rows.end(), batch.leaves.begin(), batch.leaves.end());
  }
  t.keys = std::move(selection.chosen_keys);
  return t;
}

StatusOr<TemplateBuilder::Built> TemplateBuilder::Build(const TemplateBase& base, int64_t now) {
  const auto read_start = std::chrono::steady_clock::now();
  // The key filter holds every key the ledger holds once it is loaded, unless the tables were
  // changed behind the node's back: after an own block failed, every key is asked for once.
  const bool check_every_key = m_check_every_key.exchange(false);
  const bool filter_trusted = m_keys_complete.load() && !check_every_key;
  auto candidates = GatherCandidates(*m_parts.db, *m_parts.cache, *m_parts.params, base.batches_in_flight,
                                     filter_trusted ? m_parts.ledger_keys : nullptr);
  if (!candidates.ok()) return candidates.status();
  const auto keys_start = std::chrono::steady_clock::now();
  auto existing = FindExistingKeys(*m_parts.db, *m_parts.params, candidates->rows_to_check);
  if (!existing.ok()) {
    if (check_every_key) m_check_every_key = true;
    return existing.status();
  }
  for (const std::string& key : *existing) m_parts.ledger_keys->Add(key);  // learns rows written behind its back
  spdlog::trace("template: {} batches read and decoded in {:.1f} ms, {} keys checked in {:.1f} ms",
                candidates->batches.size(), std::chrono::duration<double, std::milli>(keys_start - read_start).count(),
                candidates->rows_to_check.size(), MillisecondsSince(keys_start));

  std::vector<const PreparedBatch*> views;
  views.reserve(candidates->batches.size());
  for (const auto& batch : candidates->batches) views.push_back(batch.get());
  TemplateSelection selection = SelectBatches(views, m_parts.params->schema, *existing, base.keys_in_flight);
  ROWCHAIN_RETURN_IF_ERROR(RejectBatches(*m_parts.db, *m_parts.cache, *m_parts.events, *candidates, selection));
  Built built;
  built.rejected = selection.rejected.size();
  if (selection.chosen.empty() && !m_parts.params->mine_empty_blocks) return built;
  built.block = AssembleTemplate(base.next, *candidates, std::move(selection), m_parts.miner_id, now);
  return built;
}

}  // namespace rowchain::node
