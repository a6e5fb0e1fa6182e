#include "mining/block_assembly.h"

#include "consensus/block_template.h"
#include "consensus/compact.h"
#include "mining/template_search.h"

namespace rowchain::mining {

StatusOr<std::optional<consensus::Block>> MineBlock(Miner& miner, const BlockSpec& spec,
                                                    const consensus::U256& pow_limit, std::stop_token stop) {
  consensus::U256 target;
  if (consensus::Verdict v = consensus::DecodeTarget(spec.bits, pow_limit, &target); !v.ok()) {
    return InvalidArgumentError(v.detail());
  }
  consensus::BlockHeader header;
  header.prev_hash = spec.prev_hash;
  header.time = spec.time;
  header.bits = spec.bits;
  consensus::BlockInfoLeaf info{.height = spec.height, .miner_id = spec.miner_id, .extra_nonce = 0};
  consensus::BlockTemplate block_template(header, info, consensus::LeafHashes(spec.rows));
  auto found = MineTemplate(miner, block_template, target, {.first_extra_nonce = spec.first_extra_nonce}, stop);
  if (!found.ok()) return found.status();
  if (!found->sealed) return std::optional<consensus::Block>();
  consensus::Block block;
  block.header = found->sealed->header;
  block.leaves.reserve(spec.rows.size() + 1);
  block.leaves.push_back(consensus::EncodeBlockInfoLeaf(block_template.InfoForExtraNonce(found->sealed->extra_nonce)));
  block.leaves.insert(block.leaves.end(), spec.rows.begin(), spec.rows.end());
  return std::optional<consensus::Block>(std::move(block));
}

}  // namespace rowchain::mining
