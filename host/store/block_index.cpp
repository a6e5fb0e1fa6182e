#include "store/block_index.h"

#include "consensus/retarget.h"

namespace rowchain::store {

bool BetterTip(const BlockEntry& a, const BlockEntry& b) {
  if (a.chain_work != b.chain_work) return a.chain_work > b.chain_work;
  return consensus::U256::FromLittleEndianBytes(a.hash) < consensus::U256::FromLittleEndianBytes(b.hash);
}

BlockEntry* BlockIndex::Add(BlockEntry entry) {
  auto owned = std::make_unique<BlockEntry>(std::move(entry));
  BlockEntry* raw = owned.get();
  m_entries[raw->hash] = std::move(owned);
  if (!raw->invalid && (m_best == nullptr || BetterTip(*raw, *m_best))) m_best = raw;
  return raw;
}

void BlockIndex::PushMain(BlockEntry* entry) {
  entry->in_main = true;
  m_main.push_back(entry);
}

void BlockIndex::PopMain() {
  m_main.back()->in_main = false;
  m_main.pop_back();
}

BlockEntry* BlockIndex::Find(const Hash256& hash) const {
  auto it = m_entries.find(hash);
  return it == m_entries.end() ? nullptr : it->second.get();
}

void BlockIndex::SetMainTip(BlockEntry* tip) {
  for (BlockEntry* e : m_main) e->in_main = false;
  m_main.assign(tip->height + 1, nullptr);
  for (BlockEntry* e = tip; e != nullptr; e = e->parent) {
    e->in_main = true;
    m_main[e->height] = e;
  }
}


std::vector<BlockEntry*> BlockIndex::MarkInvalid(BlockEntry* entry, const std::string& reason) {
  std::vector<BlockEntry*> marked;
  for (const auto& [hash, candidate] : m_entries) {
    if (candidate->invalid || candidate->height < entry->height) continue;
    if (Ancestor(candidate.get(), entry->height) != entry) continue;
    candidate->invalid = true;
    candidate->invalid_reason = candidate.get() == entry ? reason : "bad-prevblk: descends from an invalid block";
    marked.push_back(candidate.get());
  }
  m_best = nullptr;  // rare: rescan
  for (const auto& [hash, candidate] : m_entries) {
    if (!candidate->invalid && (m_best == nullptr || BetterTip(*candidate, *m_best))) m_best = candidate.get();
  }
  return marked;
}

BlockEntry* BlockIndex::Ancestor(BlockEntry* entry, uint64_t height) {
  while (entry != nullptr && entry->height > height) entry = entry->parent;
  return entry;
}

BlockEntry* BlockIndex::ForkPoint(BlockEntry* a, BlockEntry* b) {
  if (a->height > b->height) a = Ancestor(a, b->height);
  if (b->height > a->height) b = Ancestor(b, a->height);
  while (a != b) {
    a = a->parent;
    b = b->parent;
  }
  return a;
}

consensus::ParentContext BlockIndex::ContextOf(BlockEntry* parent, const consensus::ChainParams& params) {
  // Heights are asked for newest first, so a cursor walking down the parents serves most of them.
  BlockEntry* cursor = parent;
  return consensus::MakeParentContext(parent->hash, parent->height, params,
                                      [&](uint64_t height) -> const consensus::BlockHeader& {
                                        if (cursor->height < height) cursor = parent;
                                        cursor = Ancestor(cursor, height);
                                        return cursor->header;
                                      });
}

}  // namespace rowchain::store
