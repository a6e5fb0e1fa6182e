// A writer's batch, as it arrives (a table and rows of named columns), turned into the chain's
// row operations and checked against the schema before anything is stored: every error names
// the row (its index in the batch) and the column. Pure; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/chain_params.h"
#include "consensus/row_operation.h"
#include "util/status.h"

namespace rowchain::node {

struct InputRow {
  consensus::RowOpKind op = consensus::RowOpKind::kInsert;
  std::vector<std::pair<std::string, consensus::Value>> columns;  // any order
};

// Bytes of leaf 0 a block template keeps free of rows (height, miner id, extra-nonce).
inline constexpr uint64_t kBlockInfoLeafReserve = 512;

// INSERT and UPDATE need every non-nullable column (a missing nullable column is NULL);
// DELETE takes the primary key columns only. INVALID_ARGUMENT for an unknown table or column,
// a missing or repeated column, a value its column cannot hold, a key twice in the batch, an
// empty batch, or a batch too large to fit one block.
StatusOr<std::vector<consensus::RowOperation>> BuildBatchRows(const consensus::ChainParams& params,
                                                              std::string_view table, std::span<const InputRow> rows,
                                                              const consensus::BatchId& batch_id);

}  // namespace rowchain::node
