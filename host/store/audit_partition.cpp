#include "store/audit_partition.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

namespace rowchain::store {
namespace {

using consensus::RowOperation;
using consensus::RowOpKind;
using consensus::Value;

enum RecordType : uint8_t { kOperation = 1, kTableRow = 2 };

struct ExpectedRow {
  uint16_t table_index = 0;
  std::vector<Value> values;
};

struct SpilledOperation {
  uint64_t height = 0;
  RowOperation op;
  std::optional<RowOperation> undo;
};

RowOperation OperationOf(const SpilledRow& row, const consensus::LedgerSchema& schema) {
  return {.batch_id = {}, .row_index = 0, .op = static_cast<RowOpKind>(row.kind),
          .table = schema.tables[row.table_index].name, .values = row.values};
}

std::optional<SpilledOperation> ReadOperation(std::span<const uint8_t> record, const consensus::LedgerSchema& schema) {
  size_t offset = 1;
  SpilledOperation out;
  auto height = ReadU64(record, offset);
  auto op = height ? ReadSpilledRow(record, offset) : std::nullopt;
  if (!op || op->table_index >= schema.tables.size() || offset >= record.size()) return std::nullopt;
  out.height = *height;
  out.op = OperationOf(*op, schema);
  if (record[offset++]) {
    auto undo = ReadSpilledRow(record, offset);
    if (!undo || undo->table_index >= schema.tables.size()) return std::nullopt;
    out.undo = OperationOf(*undo, schema);
  }
  return out;
}

class PartitionCheck {
 public:
  PartitionCheck(const consensus::LedgerSchema& schema, std::vector<size_t>& problems_per_table)
      : m_schema(schema), m_problems_per_table(problems_per_table) {}

  // The chain's operations come first in the file, then the table rows.
  Status Consume(std::span<const uint8_t> record) {
    if (record.empty()) return InternalError("an empty record in the audit's scratch file");
    if (record[0] == kOperation) {
      auto op = ReadOperation(record, m_schema);
      if (!op) return InternalError("a damaged operation in the audit's scratch file");
      if (!m_outcome.fault) Replay(*op);
      return OkStatus();
    }
    size_t offset = 1;
    auto row = ReadSpilledRow(record, offset);
    if (!row || row->table_index >= m_schema.tables.size()) {
      return InternalError("a damaged row in the audit's scratch file");
    }
    Compare(*row);
    return OkStatus();
  }

  PartitionOutcome Finish() {
    for (const auto& [key, expected] : m_expected) {
      const consensus::TableSchema& table = m_schema.tables[expected.table_index];
      RowOperation row{.batch_id = {}, .row_index = 0, .op = RowOpKind::kInsert, .table = table.name,
                       .values = expected.values};
      AddProblem("missing-row", expected.table_index, consensus::PrimaryKeyValues(row, table),
                 "the chain wrote this row but the table lacks it");
    }
    return std::move(m_outcome);
  }

 private:
  void Replay(const SpilledOperation& s);
  void Compare(const SpilledRow& row);
  void AddProblem(std::string reason, uint16_t table_index, std::span<const Value> key_values, std::string detail) {
    if (m_problems_per_table[table_index]++ >= kMaxTableProblems) return;
    const consensus::TableSchema& table = m_schema.tables[table_index];
    m_outcome.table_problems.push_back({.reason = std::move(reason), .height = {}, .hash = {}, .table = table.name,
                                        .key = consensus::DescribeKey(table, key_values),
                                        .detail = std::move(detail)});
  }

  const consensus::LedgerSchema& m_schema;
  std::vector<size_t>& m_problems_per_table;
  std::unordered_map<std::string, ExpectedRow> m_expected;
  PartitionOutcome m_outcome;
};

void PartitionCheck::Replay(const SpilledOperation& s) {
  const RowOperation& row = s.op;
  const consensus::TableSchema& table = *m_schema.FindTable(row.table);
  std::string key = consensus::RowKeyOf(row, table);
  auto it = m_expected.find(key);
  bool exists = it != m_expected.end();
  if ((row.op == RowOpKind::kInsert) == exists) {
    m_outcome.fault = ReplayFault{
        .height = s.height, .reason = "bad-row",
        .detail = fmt::format("{} on '{}' of {} key {}", consensus::RowOpKindName(row.op), row.table,
                              exists ? "existing" : "missing",
                              consensus::DescribeKey(table, consensus::PrimaryKeyValues(row, table)))};
    return;
  }
  // The undo image holds the row before each UPDATE and DELETE (store/ledger_writer.h).
  if (row.op != RowOpKind::kInsert) {
    RowOperation before{.batch_id = {}, .row_index = 0,
                        .op = row.op == RowOpKind::kUpdate ? RowOpKind::kUpdate : RowOpKind::kInsert,
                        .table = row.table, .values = it->second.values};
    if (!s.undo || *s.undo != before) {
      m_outcome.fault = ReplayFault{
          .height = s.height, .reason = "bad-undo",
          .detail = "the stored undo image does not restore the rows this block changed: a reorg past it would "
                    "corrupt the tables"};
      return;
    }
  }
  if (row.op == RowOpKind::kDelete) {
    m_expected.erase(it);
  } else if (exists) {
    it->second.values = row.values;
  } else {
    auto index = static_cast<uint16_t>(&table - m_schema.tables.data());
    m_expected.emplace(std::move(key), ExpectedRow{.table_index = index, .values = row.values});
  }
  ++m_outcome.operations_replayed;
}

void PartitionCheck::Compare(const SpilledRow& row) {
  const consensus::TableSchema& table = m_schema.tables[row.table_index];
  ++m_outcome.table_rows_checked;
  std::vector<Value> key_values;
  for (uint16_t k : table.primary_key) key_values.push_back(row.values[k]);
  auto it = m_expected.find(consensus::RowKey(table.name, key_values));
  if (it == m_expected.end()) {
    AddProblem("extra-row", row.table_index, key_values, "the table holds a row no block wrote");
    return;
  }
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (!(row.values[c] == it->second.values[c])) {
      AddProblem("changed-row", row.table_index, key_values,
                 fmt::format("column {} is {}, the chain says {}", table.columns[c].name, row.values[c].ToDisplay(),
                             it->second.values[c].ToDisplay()));
      break;
    }
  }
  m_expected.erase(it);
}

}  // namespace

std::vector<uint8_t> OperationRecord(uint64_t height, uint16_t table_index, const consensus::RowOperation& op,
                                     const consensus::RowOperation* stored_undo) {
  std::vector<uint8_t> record{kOperation};
  AppendU64(record, height);
  AppendSpilledRow(record, {.kind = static_cast<uint8_t>(op.op), .table_index = table_index, .values = op.values});
  record.push_back(stored_undo != nullptr);
  if (stored_undo) {
    AppendSpilledRow(record,
                     {.kind = static_cast<uint8_t>(stored_undo->op), .table_index = table_index, .values = stored_undo->values});
  }
  return record;
}

std::vector<uint8_t> TableRowRecord(uint16_t table_index, std::span<const consensus::Value> row) {
  std::vector<uint8_t> record{kTableRow};
  AppendSpilledRow(record, {.kind = 0, .table_index = table_index, .values = {row.begin(), row.end()}});
  return record;
}

StatusOr<PartitionOutcome> CheckPartition(SpillFile& file, const consensus::LedgerSchema& schema,
                                          std::vector<size_t>& problems_per_table) {
  ROWCHAIN_RETURN_IF_ERROR(file.Rewind());
  PartitionCheck check(schema, problems_per_table);
  std::vector<uint8_t> record;
  while (true) {
    auto more = file.Next(record);
    if (!more.ok()) return more.status();
    if (!*more) break;
    ROWCHAIN_RETURN_IF_ERROR(check.Consume(record));
  }
  return check.Finish();
}

}  // namespace rowchain::store
