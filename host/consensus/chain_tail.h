// The last block times of one chain: enough to give the context of its next header without the
// store. A peer's headers extend a tail header by header, so each is checked against the
// retarget rule and median time past (Bitcoin Core's contextual header check) before it is
// requested, even when its parent is itself a header the node has not downloaded. Pure.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

#include "consensus/block.h"
#include "consensus/block_checks.h"
#include "consensus/chain_params.h"

namespace rowchain::consensus {

class ChainTail {
 public:
  // The tail ending at the block `hash` at `height`; `ancestor(h)` as for MakeParentContext.
  static ChainTail Of(const Hash256& hash, uint64_t height, const ChainParams& params,
                      const std::function<const BlockHeader&(uint64_t height)>& ancestor);

  // The context of a header whose parent is the tail's last block: the same MakeParentContext
  // gives on the whole chain.
  ParentContext Context(const ChainParams& params) const;
  // `header` (the child of the last block, already checked) becomes the last block.
  void Append(const BlockHeader& header);

  const Hash256& hash() const { return m_hash; }
  uint64_t height() const { return m_height; }

 private:
  ChainTail(size_t keep) : m_keep(keep) {}
  size_t m_keep;  // times kept: the median window or the retarget interval, whichever is longer
  Hash256 m_hash{};
  uint64_t m_height = 0;
  uint32_t m_bits = 0;
  std::deque<uint32_t> m_times;  // of heights m_height - size + 1 .. m_height, oldest first
};

}  // namespace rowchain::consensus
