// The ledger tables a chain declares: names, typed columns, primary key. The schema is part of
// the chain (its canonical bytes are hashed into the genesis block), so every node creates the
// same tables and checks every row against the same rules. Identifiers that reach SQL come only
// from here, and only after IsValidIdentifier. Value types; pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/value.h"
#include "util/status.h"

namespace rowchain::consensus {

enum class ColumnType : uint8_t {
  kBigInt = 1,     // BIGINT: any int64
  kInt = 2,        // INT: int32
  kSmallInt = 3,   // SMALLINT: int16
  kBoolean = 4,    // BOOLEAN: 0 or 1 (stored as TINYINT(1))
  kVarchar = 5,    // VARCHAR(n): UTF-8, at most n code points
  kText = 6,       // TEXT: UTF-8, at most 65,535 bytes
  kVarbinary = 7,  // VARBINARY(n): at most n bytes
  kBlob = 8,       // BLOB: at most 65,535 bytes
};

struct Column {
  std::string name;
  ColumnType type = ColumnType::kBigInt;
  uint32_t length = 0;  // n of VARCHAR(n) / VARBINARY(n); 0 otherwise
  bool nullable = false;

  friend bool operator==(const Column&, const Column&) = default;
};

struct TableSchema {
  std::string name;
  std::vector<Column> columns;
  std::vector<uint16_t> primary_key;  // indexes into columns, in key order

  std::optional<size_t> FindColumn(std::string_view column) const;
  friend bool operator==(const TableSchema&, const TableSchema&) = default;
};

struct LedgerSchema {
  std::vector<TableSchema> tables;

  const TableSchema* FindTable(std::string_view table) const;
  friend bool operator==(const LedgerSchema&, const LedgerSchema&) = default;
};

inline constexpr size_t kMaxIdentifierSize = 64;
inline constexpr uint32_t kMaxVarcharLength = 16383;  // utf8mb4 row-size bound of InnoDB
inline constexpr uint32_t kMaxVarbinaryLength = 65532;
inline constexpr uint32_t kMaxLobBytes = 65535;
// Node tables use this prefix; a ledger table may not.
inline constexpr std::string_view kReservedTablePrefix = "rowchain_";

// [a-z_][a-z0-9_]*, at most 64 bytes: safe to quote into SQL and the same on every platform.
bool IsValidIdentifier(std::string_view name);

// "BIGINT", "INT", "SMALLINT", "BOOLEAN", "VARCHAR(255)", "TEXT", "VARBINARY(32)", "BLOB"
// (case-insensitive); INVALID_ARGUMENT otherwise.
StatusOr<Column> ParseColumnType(std::string_view type);
// The canonical spelling ParseColumnType accepts, e.g. "VARCHAR(255)".
std::string ColumnTypeName(const Column& column);

// Names valid and unique, a primary key of non-nullable columns, lengths in range.
Status ValidateLedgerSchema(const LedgerSchema& schema);

// Can `value` be stored in `column`? Empty when it can; otherwise why not, e.g.
// "expected an integer, got text" or "12345678901 does not fit INT".
std::optional<std::string> CheckValueForColumn(const Value& value, const Column& column);

bool IsValidUtf8(std::string_view text);
// Code points of valid UTF-8 text.
size_t Utf8Length(std::string_view text);

}  // namespace rowchain::consensus
