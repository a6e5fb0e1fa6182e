// From rows to a sealed block: leaf 0 for the height and miner, the row leaves after it, a
// header on the given parent, then the extra-nonce/nonce search (template_search.h).
// Thread safety as Miner's.
#pragma once

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "consensus/block.h"
#include "consensus/block_template.h"
#include "mining/miner.h"

namespace rowchain::mining {

struct BlockSpec {
  consensus::Hash256 prev_hash{};
  uint64_t height = 0;
  uint32_t bits = 0;
  uint32_t time = 0;
  std::string miner_id;
  std::vector<consensus::Leaf> rows;  // row-operation leaves, in block order
  uint64_t first_extra_nonce = 0;
};

// The template a spec describes (extra-nonce 0 in leaf 0).
consensus::BlockTemplate TemplateOf(const BlockSpec& spec);
// The whole block once a header of `block_template` met its target with `extra_nonce`.
consensus::Block SealedBlock(const consensus::BlockTemplate& block_template, const consensus::BlockHeader& sealed_header,
                             uint64_t extra_nonce, const std::vector<consensus::Leaf>& rows);

// The sealed block; nullopt when `stop` was requested first. INVALID_ARGUMENT when bits are
// unusable under pow_limit.
StatusOr<std::optional<consensus::Block>> MineBlock(Miner& miner, const BlockSpec& spec,
                                                    const consensus::U256& pow_limit, std::stop_token stop);

}  // namespace rowchain::mining
