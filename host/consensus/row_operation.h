// A row operation, one leaf of a block body after leaf 0: INSERT or UPDATE of a full row, or
// DELETE by primary key, tagged with the batch it came from and its index in that batch.
// Canonical leaf bytes (docs/format.md), independent of protobuf:
//   0x01 | version 0x01 | batch_id 16 | row_index u32le | op u8 | table_len u8 | table
//   | value_count u16le | value*      value = tag u8 | payload
//   tag 0x00 NULL (no payload) | 0x01 int64 (i64le) | 0x02 UTF-8 text (len u32le, bytes)
//   | 0x03 bytes (len u32le, bytes)
// Value types; pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "consensus/ledger_schema.h"
#include "consensus/value.h"
#include "util/status.h"

namespace rowchain::consensus {

inline constexpr uint8_t kRowOperationVersion = 1;

enum class RowOpKind : uint8_t { kInsert = 1, kUpdate = 2, kDelete = 3 };
std::string_view RowOpKindName(RowOpKind op);

using BatchId = std::array<uint8_t, 16>;

struct RowOperation {
  BatchId batch_id{};
  uint32_t row_index = 0;
  RowOpKind op = RowOpKind::kInsert;
  std::string table;
  // INSERT and UPDATE: every column, in the table's column order.
  // DELETE: the primary key columns, in key order.
  std::vector<Value> values;

  friend bool operator==(const RowOperation&, const RowOperation&) = default;
};

// Preconditions: table.size() <= 255, values.size() <= 65535.
std::vector<uint8_t> EncodeRowOperationLeaf(const RowOperation& row);
// Accepts only the canonical encoding: INVALID_ARGUMENT for any other bytes.
StatusOr<RowOperation> DecodeRowOperationLeaf(std::span<const uint8_t> bytes);

// The batch id and row index of a row-operation leaf, read from their fixed offsets without
// decoding the row; nullopt when the leaf is too short or not a row operation. For routing
// only: whether the leaf is canonical is DecodeRowOperationLeaf's job.
std::optional<std::pair<BatchId, uint32_t>> PeekBatchOfLeaf(std::span<const uint8_t> bytes);

// Schema checks of one operation, with a reason when it fails: unknown table, wrong number of
// values, a value its column cannot hold (wrong type, NULL in NOT NULL, out of range).
std::optional<std::string> CheckRowAgainstSchema(const RowOperation& row, const LedgerSchema& schema);

// The primary key values of a schema-valid row.
std::vector<Value> PrimaryKeyValues(const RowOperation& row, const TableSchema& table);
// One string naming a table and key, equal for equal keys: table \0 canonical key values.
std::string RowKey(std::string_view table, std::span<const Value> key_values);
// RowKey(row.table, PrimaryKeyValues(row, table)) without copying the values.
std::string RowKeyOf(const RowOperation& row, const TableSchema& table);
// "id=5" or "(a=1, b='x')" for messages.
std::string DescribeKey(const TableSchema& table, std::span<const Value> key_values);

}  // namespace rowchain::consensus
