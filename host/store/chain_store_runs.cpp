// ChainStore::AcceptBlocks: a peer's run of blocks validated and connected in one transaction,
// falling back to one by one (see chain_store.h).
#include <spdlog/spdlog.h>

#include "consensus/block_checks.h"
#include "store/chain_store.h"
#include "store/chain_store_internal.h"

namespace rowchain::store {

using consensus::Block;
using consensus::Verdict;
using internal::WorkOf;

StatusOr<std::vector<AcceptResult>> ChainStore::AcceptBlocks(std::span<const Block> blocks, int64_t now) {
  ROWCHAIN_RETURN_IF_ERROR(EnsureReady());
  std::vector<AcceptResult> results;
  auto grouped = ConnectGroup(blocks, now);
  if (!grouped.ok()) return grouped.status();
  if (*grouped) {
    for (const Block& block : blocks) {
      const BlockEntry* entry = m_index.Find(block.Hash());
      AcceptResult result;
      result.events.push_back({ChainEvent::Kind::kConnected, entry->hash, entry->height});
      results.push_back(std::move(result));
    }
    return results;
  }
  for (const Block& block : blocks) {  // one by one, each with its own verdict
    auto result = AcceptBlock(block, now);
    if (!result.ok()) return result.status();
    results.push_back(std::move(*result));
  }
  return results;
}

StatusOr<bool> ChainStore::ConnectGroup(std::span<const Block> blocks, int64_t now) {
  // Only a run of new blocks, each on the one before, the first on the tip.
  if (blocks.size() < 2) return false;
  Hash256 expected_parent = m_index.Tip()->hash;
  for (const Block& block : blocks) {
    if (block.header.prev_hash != expected_parent || m_index.Find(block.Hash()) != nullptr) return false;
    expected_parent = block.Hash();
  }
  // Blocks enter the index before the commit; any failure reloads the index from MySQL, so
  // nothing of a rolled-back group stays in memory.
  ROWCHAIN_RETURN_IF_ERROR(NoteFailure(m_db->Begin()));
  std::vector<BlockEntry*> connected;
  auto abandon = [&](StatusOr<bool> outcome) -> StatusOr<bool> {
    m_db->Rollback();
    if (!connected.empty()) m_needs_reload = true;
    return outcome;
  };
  for (const Block& block : blocks) {
    BlockEntry* parent = m_index.Tip();
    consensus::ParentContext context = BlockIndex::ContextOf(parent, m_params);
    consensus::DecodedBody body;
    if (!consensus::CheckBlockInContext(block, context, m_params, now, &body).ok()) return abandon(false);
    BlockEntry entry;
    entry.hash = block.Hash();
    entry.header = block.header;
    entry.parent = parent;
    entry.height = parent->height + 1;
    entry.chain_work = parent->chain_work + WorkOf(block.header.bits);
    entry.row_count = static_cast<uint32_t>(block.leaves.size() - 1);
    BlockEntry* added = m_index.Add(std::move(entry));
    connected.push_back(added);
    m_index.PushMain(added);
    auto verdict = ConnectInTransaction(added, block, BlockRow::kInsert, &body, /*commit=*/false);
    if (!verdict.ok()) {
      // A clash with an earlier block of the run is not visible outside the run's transaction:
      // the one-by-one path names it.
      const StatusCode code = verdict.status().code();
      if (code == StatusCode::kAlreadyExists || code == StatusCode::kFailedPrecondition) return abandon(false);
      m_needs_reload = true;
      return abandon(verdict.status());
    }
    if (!verdict->ok()) return abandon(false);  // the one-by-one path records which block and why
  }
  Stage("before-commit");
  if (Status committed = m_db->Commit(); !committed.ok()) {
    m_needs_reload = true;
    return abandon(committed);
  }
  spdlog::debug("connected {} blocks to height {} in one transaction", blocks.size(), m_index.Tip()->height);
  return true;
}

}  // namespace rowchain::store
