#include "mining/block_assembly.h"

#include "consensus/block_template.h"
#include "consensus/compact.h"
#include "mining/template_search.h"

namespace rowchain::mining {

consensus::BlockTemplate TemplateOf(const BlockSpec& spec) {
  consensus::BlockHeader header;
  header.prev_hash = spec.prev_hash;
  header.time = spec.time;
  header.bits = spec.bits;
  consensus::BlockInfoLeaf info{.height = spec.height, .miner_id = spec.miner_id, .extra_nonce = 0};
  return consensus::BlockTemplate(header, info, consensus::LeafHashes(spec.rows));
}

consensus::Block SealedBlock(const consensus::BlockTemplate& block_template, const consensus::BlockHeader& sealed_header,
                             uint64_t extra_nonce, const std::vector<consensus::Leaf>& rows) {
  consensus::Block block;
  block.header = sealed_header;
  block.leaves.reserve(rows.size() + 1);
  block.leaves.push_back(consensus::EncodeBlockInfoLeaf(block_template.InfoForExtraNonce(extra_nonce)));
  block.leaves.insert(block.leaves.end(), rows.begin(), rows.end());
  return block;
}

StatusOr<std::optional<consensus::Block>> MineBlock(Miner& miner, const BlockSpec& spec,
                                                    const consensus::U256& pow_limit, std::stop_token stop) {
  consensus::U256 target;
  if (consensus::Verdict v = consensus::DecodeTarget(spec.bits, pow_limit, &target); !v.ok()) {
    return InvalidArgumentError(v.detail());
  }
  consensus::BlockTemplate block_template = TemplateOf(spec);
  auto found = MineTemplate(miner, block_template, target, {.first_extra_nonce = spec.first_extra_nonce}, stop);
  if (!found.ok()) return found.status();
  if (!found->sealed) return std::optional<consensus::Block>();
  return std::optional<consensus::Block>(
      SealedBlock(block_template, found->sealed->header, found->sealed->extra_nonce, spec.rows));
}

}  // namespace rowchain::mining
