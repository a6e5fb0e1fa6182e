// The rules of one chain: its genesis, proof-of-work limit and retarget schedule, time rules,
// block size limits and ledger tables. Loaded from TOML or a preset by host/chain; here only
// the values and their canonical bytes, which the genesis block commits to (leaf 1, kind 0x02),
// so two nodes with different rules can never share a genesis hash. Value types; pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/ledger_schema.h"
#include "consensus/uint256.h"
#include "util/status.h"

namespace rowchain::consensus {

inline constexpr uint8_t kLeafKindChainParams = 0x02;
inline constexpr uint8_t kChainParamsVersion = 1;

struct GenesisParams {
  uint32_t time = 0;
  uint32_t bits = 0;  // the first blocks' difficulty
  uint32_t nonce = 0;
  std::string miner_id = "genesis";
};

struct ChainParams {
  std::string name;
  GenesisParams genesis;
  uint32_t pow_limit_bits = 0x207fffff;  // the easiest target any block may use
  uint32_t target_spacing_s = 600;
  uint32_t retarget_interval = 0;  // blocks between retargets; 0 = never (difficulty fixed)
  uint32_t retarget_clamp = 4;     // a retarget moves the target at most x4 or /4
  uint32_t max_future_drift_s = 7200;
  uint32_t median_time_window = 11;
  uint32_t max_block_rows = 10000;
  uint32_t max_block_bytes = 4'000'000;  // sum of the body's leaf bytes
  bool mine_empty_blocks = false;
  LedgerSchema schema;

  U256 PowLimit() const;
};

// Every field within range, the schema valid, the genesis bits usable under the limit.
Status ValidateChainParams(const ChainParams& params);

// Leaf 1 of the genesis block: 0x02 | version | the fields above in declaration order
// (docs/format.md). Precondition: ValidateChainParams(params).ok().
std::vector<uint8_t> EncodeChainParamsLeaf(const ChainParams& params);

}  // namespace rowchain::consensus
