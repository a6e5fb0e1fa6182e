#include "node/batch_input.h"

#include <algorithm>
#include <optional>
#include <unordered_set>

#include <fmt/format.h>

#include "consensus/block.h"

namespace rowchain::node {

using consensus::RowOperation;
using consensus::RowOpKind;
using consensus::TableSchema;
using consensus::Value;

namespace {

StatusOr<RowOperation> BuildRow(const TableSchema& table, const InputRow& input, uint32_t index,
                                const consensus::BatchId& batch_id) {
  RowOperation row{.batch_id = batch_id, .row_index = index, .op = input.op, .table = table.name, .values = {}};
  std::vector<std::optional<Value>> by_column(table.columns.size());
  for (const auto& [name, value] : input.columns) {
    std::optional<size_t> column = table.FindColumn(name);
    if (!column) return InvalidArgumentError(fmt::format("row {}: table {} has no column '{}'", index, table.name, name));
    if (by_column[*column]) return InvalidArgumentError(fmt::format("row {}: column '{}' given twice", index, name));
    by_column[*column] = value;
  }
  if (input.op == RowOpKind::kDelete) {
    for (size_t c = 0; c < table.columns.size(); ++c) {
      bool is_key = std::find(table.primary_key.begin(), table.primary_key.end(), static_cast<uint16_t>(c)) != table.primary_key.end();
      if (!is_key && by_column[c]) {
        return InvalidArgumentError(fmt::format("row {}: a DELETE takes only the primary key, not column '{}'", index,
                                                table.columns[c].name));
      }
    }
    for (uint16_t k : table.primary_key) {
      const consensus::Column& column = table.columns[k];
      if (!by_column[k]) return InvalidArgumentError(fmt::format("row {}: key column '{}' is missing", index, column.name));
      if (auto why = consensus::CheckValueForColumn(*by_column[k], column)) {
        return InvalidArgumentError(fmt::format("row {}, column '{}': {}", index, column.name, *why));
      }
      row.values.push_back(*by_column[k]);
    }
    return row;
  }
  for (size_t c = 0; c < table.columns.size(); ++c) {
    const consensus::Column& column = table.columns[c];
    if (!by_column[c]) {
      if (!column.nullable) return InvalidArgumentError(fmt::format("row {}: column '{}' is missing", index, column.name));
      by_column[c] = Value::Null();
    }
    if (auto why = consensus::CheckValueForColumn(*by_column[c], column)) {
      return InvalidArgumentError(fmt::format("row {}, column '{}': {}", index, column.name, *why));
    }
    row.values.push_back(std::move(*by_column[c]));
  }
  return row;
}

}  // namespace

StatusOr<std::vector<RowOperation>> BuildBatchRows(const consensus::ChainParams& params, std::string_view table_name,
                                                   std::span<const InputRow> rows, const consensus::BatchId& batch_id) {
  const TableSchema* table = params.schema.FindTable(table_name);
  if (table == nullptr) return InvalidArgumentError(fmt::format("the chain has no table '{}'", table_name));
  if (rows.empty()) return InvalidArgumentError("the batch has no rows");
  if (rows.size() > params.max_block_rows) {
    return InvalidArgumentError(fmt::format("the batch has {} rows; a block holds at most {}", rows.size(),
                                            params.max_block_rows));
  }
  std::vector<RowOperation> out;
  out.reserve(rows.size());
  std::unordered_set<std::string> keys;
  uint64_t bytes = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto row = BuildRow(*table, rows[i], static_cast<uint32_t>(i), batch_id);
    if (!row.ok()) return row.status();
    if (!keys.insert(consensus::RowKeyOf(*row, *table)).second) {
      return InvalidArgumentError(fmt::format("row {}: key {} occurs earlier in the batch", i,
                                              consensus::DescribeKey(*table, consensus::PrimaryKeyValues(*row, *table))));
    }
    bytes += consensus::EncodeRowOperationLeaf(*row).size();
    out.push_back(std::move(*row));
  }
  if (bytes + kBlockInfoLeafReserve > params.max_block_bytes) {
    return InvalidArgumentError(fmt::format("the batch is {} bytes encoded; a block holds at most {}", bytes,
                                            params.max_block_bytes - kBlockInfoLeafReserve));
  }
  return out;
}

}  // namespace rowchain::node
