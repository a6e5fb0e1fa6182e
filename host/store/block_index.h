// The in-memory index of every stored block (Bitcoin Core's mapBlockIndex and CChain): header,
// height, cumulative work, validity and whether it is on the main chain. Loaded from
// rowchain_blocks at start-up and changed only after the database has committed the same
// change, so it never runs ahead of MySQL. Not thread-safe: the ChainStore serializes.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "consensus/block_checks.h"
#include "consensus/block_header.h"
#include "consensus/chain_params.h"
#include "consensus/uint256.h"

namespace rowchain::store {

using consensus::Hash256;

struct BlockEntry {
  Hash256 hash{};
  consensus::BlockHeader header;
  BlockEntry* parent = nullptr;  // null for genesis
  uint64_t height = 0;
  consensus::U256 chain_work;
  uint32_t row_count = 0;
  bool invalid = false;
  std::string invalid_reason;
  bool in_main = false;
};

struct HashHasher {
  size_t operator()(const Hash256& h) const {
    size_t v;
    std::memcpy(&v, h.data(), sizeof v);
    return v;
  }
};

class BlockIndex {
 public:
  // Adds an entry whose parent (if any) is already indexed; returns it.
  BlockEntry* Add(BlockEntry entry);
  BlockEntry* Find(const Hash256& hash) const;
  size_t size() const { return m_entries.size(); }

  // The main chain by height (rebuilt by SetMainTip).
  BlockEntry* Tip() const { return m_main.empty() ? nullptr : m_main.back(); }
  BlockEntry* MainAt(uint64_t height) const { return height < m_main.size() ? m_main[height] : nullptr; }
  // Makes `tip` the main chain's tip (a full walk; used at load).
  void SetMainTip(BlockEntry* tip);
  // One step along the main chain: `entry` extends the tip, or the tip goes back one block.
  void PushMain(BlockEntry* entry);
  void PopMain();

  // The entry with the most work among those not invalid; ties go to the lower block hash
  // (as a 256-bit number), so every node picks the same tip. Kept up to date by Add and
  // MarkInvalid.
  BlockEntry* BestCandidate() const { return m_best; }
  // Marks `entry` and every descendant invalid; returns the entries marked.
  std::vector<BlockEntry*> MarkInvalid(BlockEntry* entry, const std::string& reason);

  static BlockEntry* Ancestor(BlockEntry* entry, uint64_t height);
  static BlockEntry* ForkPoint(BlockEntry* a, BlockEntry* b);
  // Everything ContextualCheckBlockHeader needs about a block's parent.
  static consensus::ParentContext ContextOf(BlockEntry* parent, const consensus::ChainParams& params);

 private:
  std::unordered_map<Hash256, std::unique_ptr<BlockEntry>, HashHasher> m_entries;
  std::vector<BlockEntry*> m_main;
  BlockEntry* m_best = nullptr;
};

// Is `a` a better tip than `b` (more work, or equal work and a lower hash)?
bool BetterTip(const BlockEntry& a, const BlockEntry& b);

}  // namespace rowchain::store
