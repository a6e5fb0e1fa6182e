#include "consensus/chain_params.h"

#include <fmt/format.h>

#include "consensus/byte_io.h"
#include "consensus/compact.h"

namespace rowchain::consensus {

U256 ChainParams::PowLimit() const { return DecodeCompact(pow_limit_bits).target; }

Status ValidateChainParams(const ChainParams& params) {
  if (params.name.empty() || params.name.size() > 64) return InvalidArgumentError("chain name must be 1..64 bytes");
  if (params.genesis.miner_id.size() > 64) return InvalidArgumentError("genesis miner_id exceeds 64 bytes");
  CompactDecoding limit = DecodeCompact(params.pow_limit_bits);
  if (limit.negative || limit.overflow || limit.target.IsZero()) {
    return InvalidArgumentError(fmt::format("pow limit bits {:08x} do not decode to a positive target",
                                            params.pow_limit_bits));
  }
  U256 genesis_target;
  if (Verdict v = DecodeTarget(params.genesis.bits, limit.target, &genesis_target); !v.ok()) {
    return InvalidArgumentError(fmt::format("genesis bits {:08x}: {}", params.genesis.bits, v.detail()));
  }
  if (params.target_spacing_s == 0) return InvalidArgumentError("target spacing must be at least 1 s");
  if (params.retarget_interval == 1) return InvalidArgumentError("retarget interval must be 0 (never) or >= 2");
  if (params.retarget_clamp < 1 || params.retarget_clamp > 16) {
    return InvalidArgumentError("retarget clamp must be 1..16");
  }
  if (params.median_time_window == 0 || params.median_time_window > 1000) {
    return InvalidArgumentError("median-time-past window must be 1..1000 blocks");
  }
  // A block may be dated max_future_drift_s ahead; the last block of a retarget window dated
  // that far stretches the window's measured time by as much. More than the window itself,
  // and one miner could lower the difficulty at every retarget by the clamp's full factor.
  const uint64_t window_s = uint64_t{params.retarget_interval} * params.target_spacing_s;
  if (params.retarget_interval > 0 && params.max_future_drift_s > window_s) {
    return InvalidArgumentError(fmt::format(
        "max future drift {} s is more than one retarget window ({} blocks x {} s = {} s): a miner could date "
        "blocks ahead to lower the difficulty",
        params.max_future_drift_s, params.retarget_interval, params.target_spacing_s, window_s));
  }
  if (params.max_block_rows == 0) return InvalidArgumentError("max rows per block must be at least 1");
  if (params.max_block_bytes < 1024 || params.max_block_bytes > 64'000'000) {
    return InvalidArgumentError("max bytes per block must be 1024..64000000");
  }
  return ValidateLedgerSchema(params.schema);
}

std::vector<uint8_t> EncodeChainParamsLeaf(const ChainParams& params) {
  ByteWriter out;
  out.U8(kLeafKindChainParams);
  out.U8(kChainParamsVersion);
  out.U8(static_cast<uint8_t>(params.name.size()));
  out.Raw(params.name);
  out.U32(params.pow_limit_bits);
  out.U32(params.target_spacing_s);
  out.U32(params.retarget_interval);
  out.U32(params.retarget_clamp);
  out.U32(params.max_future_drift_s);
  out.U32(params.median_time_window);
  out.U32(params.max_block_rows);
  out.U32(params.max_block_bytes);
  out.U8(params.mine_empty_blocks ? 1 : 0);
  out.U16(static_cast<uint16_t>(params.schema.tables.size()));
  for (const TableSchema& table : params.schema.tables) {
    out.U8(static_cast<uint8_t>(table.name.size()));
    out.Raw(table.name);
    out.U16(static_cast<uint16_t>(table.columns.size()));
    for (const Column& column : table.columns) {
      out.U8(static_cast<uint8_t>(column.name.size()));
      out.Raw(column.name);
      out.U8(static_cast<uint8_t>(column.type));
      out.U32(column.length);
      out.U8(column.nullable ? 1 : 0);
    }
    out.U8(static_cast<uint8_t>(table.primary_key.size()));
    for (uint16_t index : table.primary_key) out.U16(index);
  }
  return out.Take();
}

}  // namespace rowchain::consensus
