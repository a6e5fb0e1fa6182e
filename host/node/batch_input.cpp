#include "node/batch_input.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "consensus/block.h"

namespace rowchain::node {

using consensus::RowOperation;
using consensus::RowOpKind;
using consensus::TableSchema;
using consensus::Value;

namespace {

// `by_column` is scratch space, one entry per column of `table`, reused from row to row.
StatusOr<RowOperation> BuildRow(const TableSchema& table, InputRow& input, uint32_t index,
                                const consensus::BatchId& batch_id, std::vector<Value*>& by_column) {
  RowOperation row{.batch_id = batch_id, .row_index = index, .op = input.op, .table = table.name, .values = {}};
  std::fill(by_column.begin(), by_column.end(), nullptr);
  for (auto& [name, value] : input.columns) {
    std::optional<size_t> column = table.FindColumn(name);
    if (!column) {
      std::vector<std::string_view> names;
      for (const auto& c : table.columns) names.push_back(c.name);
      return InvalidArgumentError(fmt::format("row {}: table {} has no column '{}' (its columns: {})", index,
                                              table.name, name, fmt::join(names, ", ")));
    }
    if (by_column[*column]) return InvalidArgumentError(fmt::format("row {}: column '{}' given twice", index, name));
    by_column[*column] = &value;
  }
  if (input.op == RowOpKind::kDelete) {
    for (size_t c = 0; c < table.columns.size(); ++c) {
      bool is_key = std::find(table.primary_key.begin(), table.primary_key.end(), static_cast<uint16_t>(c)) != table.primary_key.end();
      if (!is_key && by_column[c]) {
        return InvalidArgumentError(fmt::format("row {}: a DELETE takes only the primary key, not column '{}'", index,
                                                table.columns[c].name));
      }
    }
    row.values.reserve(table.primary_key.size());
    for (uint16_t k : table.primary_key) {
      const consensus::Column& column = table.columns[k];
      if (!by_column[k]) return InvalidArgumentError(fmt::format("row {}: key column '{}' is missing", index, column.name));
      if (auto why = consensus::CheckValueForColumn(*by_column[k], column)) {
        return InvalidArgumentError(fmt::format("row {}, column '{}': {}", index, column.name, *why));
      }
      row.values.push_back(std::move(*by_column[k]));
    }
    return row;
  }
  row.values.reserve(table.columns.size());
  for (size_t c = 0; c < table.columns.size(); ++c) {
    const consensus::Column& column = table.columns[c];
    if (!by_column[c]) {
      if (!column.nullable) return InvalidArgumentError(fmt::format("row {}: column '{}' is missing", index, column.name));
      row.values.push_back(Value::Null());
      continue;
    }
    if (auto why = consensus::CheckValueForColumn(*by_column[c], column)) {
      return InvalidArgumentError(fmt::format("row {}, column '{}': {}", index, column.name, *why));
    }
    row.values.push_back(std::move(*by_column[c]));
  }
  return row;
}

}  // namespace

StatusOr<PreparedBatch> PrepareBatch(const consensus::ChainParams& params, std::string_view table_name,
                                     std::vector<InputRow> rows, const consensus::BatchId& batch_id) {
  const TableSchema* table = params.schema.FindTable(table_name);
  if (table == nullptr) return InvalidArgumentError(fmt::format("the chain has no table '{}'", table_name));
  if (rows.empty()) return InvalidArgumentError("the batch has no rows");
  if (rows.size() > params.max_block_rows) {
    return InvalidArgumentError(fmt::format("the batch has {} rows; a block holds at most {}", rows.size(),
                                            params.max_block_rows));
  }
  PreparedBatch batch{.id = batch_id, .table = table->name, .rows = {}, .keys = {}, .leaves = {}, .leaf_bytes = 0};
  batch.rows.reserve(rows.size());
  batch.keys.reserve(rows.size());
  batch.leaves.reserve(rows.size());
  std::vector<Value*> by_column(table->columns.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    auto row = BuildRow(*table, rows[i], static_cast<uint32_t>(i), batch_id, by_column);
    if (!row.ok()) return row.status();
    batch.keys.push_back(consensus::RowKeyOf(*row, *table));
    batch.leaves.push_back(consensus::EncodeRowOperationLeaf(*row));
    batch.leaf_bytes += batch.leaves.back().size();
    batch.rows.push_back(std::move(*row));
  }
  // A repeated key is found by sorting row numbers by key (no copies of the keys); the row
  // named is the first repeat in row order, as a set filled row by row would name it.
  std::vector<uint32_t> order(batch.keys.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return batch.keys[a] != batch.keys[b] ? batch.keys[a] < batch.keys[b] : a < b;
  });
  std::optional<uint32_t> first_repeat;
  for (size_t i = 1; i < order.size(); ++i) {
    if (batch.keys[order[i]] == batch.keys[order[i - 1]] && (!first_repeat || order[i] < *first_repeat)) {
      first_repeat = order[i];
    }
  }
  if (first_repeat) {
    return InvalidArgumentError(
        fmt::format("row {}: key {} occurs earlier in the batch", *first_repeat,
                    consensus::DescribeKey(*table, consensus::PrimaryKeyValues(batch.rows[*first_repeat], *table))));
  }
  if (batch.leaf_bytes + kBlockInfoLeafReserve > params.max_block_bytes) {
    return InvalidArgumentError(fmt::format("the batch is {} bytes encoded; a block holds at most {}",
                                            batch.leaf_bytes, params.max_block_bytes - kBlockInfoLeafReserve));
  }
  return batch;
}

StatusOr<PreparedBatch> PrepareStoredBatch(const consensus::LedgerSchema& schema, const consensus::BatchId& batch_id,
                                           std::string table, std::vector<consensus::Leaf> leaves) {
  PreparedBatch batch{.id = batch_id, .table = std::move(table), .rows = {}, .keys = {}, .leaves = std::move(leaves),
                      .leaf_bytes = 0};
  batch.leaf_bytes = consensus::BodySize(batch.leaves);
  batch.rows.reserve(batch.leaves.size());
  batch.keys.reserve(batch.leaves.size());
  for (const consensus::Leaf& leaf : batch.leaves) {
    auto row = consensus::DecodeRowOperationLeaf(leaf);
    const TableSchema* row_table = row.ok() ? schema.FindTable(row->table) : nullptr;
    if (row_table == nullptr) return InternalError("a pending batch's leaf is not a row of the chain's tables");
    batch.keys.push_back(consensus::RowKeyOf(*row, *row_table));
    batch.rows.push_back(std::move(*row));
  }
  return batch;
}

}  // namespace rowchain::node
