// A writer's batch, as it arrives (a table and rows of named columns), turned into the chain's
// row operations and checked against the schema before anything is stored: every error names
// the row (its index in the batch) and the column. Pure; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/block.h"
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

// A batch ready for the pool and for block templates: its rows, their keys and their leaves,
// each worked out once (when the batch is submitted, or read back from MySQL after a restart or
// a reorg) and then shared, never copied, between the pool's cache and the templates.
struct PreparedBatch {
  consensus::BatchId id{};
  std::string table;
  std::vector<consensus::RowOperation> rows;  // schema-valid, rows 0..n-1
  std::vector<std::string> keys;              // consensus::RowKeyOf(rows[i], table)
  std::vector<consensus::Leaf> leaves;        // consensus::EncodeRowOperationLeaf(rows[i])
  uint64_t leaf_bytes = 0;                    // consensus::BodySize(leaves)
};

// INSERT and UPDATE need every non-nullable column (a missing nullable column is NULL);
// DELETE takes the primary key columns only. INVALID_ARGUMENT for an unknown table or column,
// a missing or repeated column, a value its column cannot hold, a key twice in the batch, an
// empty batch, or a batch too large to fit one block. The rows' values are moved, not copied.
StatusOr<PreparedBatch> PrepareBatch(const consensus::ChainParams& params, std::string_view table,
                                     std::vector<InputRow> rows, const consensus::BatchId& batch_id);

// A batch as the pool stores it (its leaves) decoded and keyed again. INTERNAL when a leaf
// does not decode to a row of a table of the schema: the pool holds only checked batches.
StatusOr<PreparedBatch> PrepareStoredBatch(const consensus::LedgerSchema& schema, const consensus::BatchId& batch_id,
                                           std::string table, std::vector<consensus::Leaf> leaves);

}  // namespace rowchain::node
