#include "chain/chain_fields.h"

namespace rowchain::chain {

namespace {

using P = consensus::ChainParams;
using G = consensus::GenesisParams;

const ChainField kChainFields[] = {
    {"name", &P::name, /*required=*/true},
    {"pow_limit_bits", &P::pow_limit_bits, /*required=*/true, /*hex=*/true},
    {"target_spacing_s", &P::target_spacing_s},
    {"retarget_interval", &P::retarget_interval},
    {"retarget_clamp", &P::retarget_clamp},
    {"max_future_drift_s", &P::max_future_drift_s},
    {"median_time_window", &P::median_time_window},
    {"max_block_rows", &P::max_block_rows},
    {"max_block_bytes", &P::max_block_bytes},
    {"mine_empty_blocks", &P::mine_empty_blocks},
};

const GenesisField kGenesisFields[] = {
    {"time", &G::time, /*required=*/true},
    {"bits", &G::bits, /*required=*/true, /*hex=*/true},
    {"nonce", &G::nonce},
    {"miner_id", &G::miner_id},
};

}  // namespace

std::span<const ChainField> ChainFields() { return kChainFields; }
std::span<const GenesisField> GenesisFields() { return kGenesisFields; }

}  // namespace rowchain::chain
