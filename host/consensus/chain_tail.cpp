#include "consensus/chain_tail.h"

#include <algorithm>

namespace rowchain::consensus {

ChainTail ChainTail::Of(const Hash256& hash, uint64_t height, const ChainParams& params,
                        const std::function<const BlockHeader&(uint64_t height)>& ancestor) {
  // The anchor of a retarget is `interval` blocks before the new block: one more than that.
  ChainTail tail(std::max<size_t>(params.median_time_window, params.retarget_interval) + 1);
  tail.m_hash = hash;
  tail.m_height = height;
  tail.m_bits = ancestor(height).bits;
  const uint64_t first = height + 1 > tail.m_keep ? height + 1 - tail.m_keep : 0;
  // Newest first, as MakeParentContext asks: a cursor walking down the parents serves each.
  for (uint64_t h = height + 1; h-- > first;) tail.m_times.push_front(ancestor(h).time);
  return tail;
}

ParentContext ChainTail::Context(const ChainParams& params) const {
  const uint64_t first = m_height + 1 - m_times.size();
  BlockHeader scratch;  // MakeParentContext reads the parent's bits and every ancestor's time
  return MakeParentContext(m_hash, m_height, params, [&](uint64_t height) -> const BlockHeader& {
    scratch.bits = m_bits;
    scratch.time = m_times.at(height - first);
    return scratch;
  });
}

void ChainTail::Append(const BlockHeader& header) {
  m_hash = header.Hash();
  ++m_height;
  m_bits = header.bits;
  m_times.push_back(header.time);
  if (m_times.size() > m_keep) m_times.pop_front();
}

}  // namespace rowchain::consensus
