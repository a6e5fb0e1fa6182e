// One partition of the offline audit (store/auditor.h): the chain's row operations whose keys
// fall in it, in chain order, each with the undo image the node stored for it, then the rows the
// tables hold with keys in it. Replaying the operations gives the rows the tables must hold;
// comparing gives the table damage. Only one partition's expected rows are in memory at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "consensus/ledger_schema.h"
#include "consensus/row_operation.h"
#include "store/audit_spill.h"
#include "store/auditor.h"
#include "util/status.h"

namespace rowchain::store {

// The record of a main-chain operation at `height`, with the node's undo image of it (UPDATE
// and DELETE only). A partition's file holds these first, in chain order.
std::vector<uint8_t> OperationRecord(uint64_t height, uint16_t table_index, const consensus::RowOperation& op,
                                     const consensus::RowOperation* stored_undo);
// The record of a row read from a ledger table (all columns, in schema order); after the
// operations in a partition's file.
std::vector<uint8_t> TableRowRecord(uint16_t table_index, std::span<const consensus::Value> row);

// A row operation the state before it refuses (bad-row), or whose undo image does not hold the
// row it replaced (bad-undo).
struct ReplayFault {
  uint64_t height = 0;
  std::string reason;
  std::string detail;
};

struct PartitionOutcome {
  std::optional<ReplayFault> fault;  // the partition's first, in chain order
  uint64_t operations_replayed = 0;
  uint64_t table_rows_checked = 0;
  std::vector<AuditProblem> table_problems;  // changed-row, missing-row, extra-row
};

// Replays and compares one partition. `problems_per_table` counts table problems across
// partitions so that each table reports at most kMaxTableProblems.
StatusOr<PartitionOutcome> CheckPartition(SpillFile& file, const consensus::LedgerSchema& schema,
                                          std::vector<size_t>& problems_per_table);

inline constexpr size_t kMaxTableProblems = 100;

}  // namespace rowchain::store
