// Mining a whole block template: the 32-bit header nonce first, then the next extra-nonce in
// leaf 0 (docs/format.md, "Past 2^32 nonces"), until a block is found or the search is
// stopped. Thread safety as Miner's.
#pragma once

#include <cstdint>
#include <optional>
#include <stop_token>

#include "consensus/block_template.h"
#include "mining/miner.h"

namespace rowchain::mining {

struct SealedHeader {
  consensus::BlockHeader header;  // with its winning nonce and Merkle root
  uint64_t extra_nonce = 0;       // the block-info leaf's extra-nonce behind that root
  consensus::Hash256 hash{};
};

struct TemplateSearchResult {
  std::optional<SealedHeader> sealed;  // empty when stopped or max_extra_nonces ran out
  uint64_t hashes = 0;
};

struct TemplateSearchOptions {
  uint64_t first_extra_nonce = 0;
  uint64_t max_extra_nonces = UINT64_MAX;
  // Nonces tried per extra-nonce before moving on: the whole 32-bit space by default; fewer
  // keeps a block's time fresher on a slow miner.
  uint64_t nonces_per_extra_nonce = kNonceSpace;
};

// Tries extra-nonces first_extra_nonce, first_extra_nonce + 1, ... in turn.
StatusOr<TemplateSearchResult> MineTemplate(Miner& miner, const consensus::BlockTemplate& block,
                                            const consensus::U256& target,
                                            const TemplateSearchOptions& options,
                                            std::stop_token stop);

}  // namespace rowchain::mining
