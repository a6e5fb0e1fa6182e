#include "consensus/ledger_schema.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "util/utf8.h"

namespace rowchain::consensus {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "NAME(n)" -> n when `type` has that shape.
std::optional<uint32_t> ParenthesizedLength(std::string_view type, std::string_view name) {
  if (type.size() < name.size() + 3 || type.substr(0, name.size()) != name || type[name.size()] != '(' ||
      type.back() != ')') {
    return std::nullopt;
  }
  std::string_view digits = type.substr(name.size() + 1, type.size() - name.size() - 2);
  uint32_t n = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty()) return std::nullopt;
  return n;
}

std::optional<std::string> CheckIntRange(int64_t v, int64_t lo, int64_t hi, std::string_view type) {
  if (v < lo || v > hi) return fmt::format("{} does not fit {}", v, type);
  return std::nullopt;
}

}  // namespace

std::optional<size_t> TableSchema::FindColumn(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return i;
  }
  return std::nullopt;
}

const TableSchema* LedgerSchema::FindTable(std::string_view table) const {
  for (const TableSchema& t : tables) {
    if (t.name == table) return &t;
  }
  return nullptr;
}

bool IsValidIdentifier(std::string_view name) {
  if (name.empty() || name.size() > kMaxIdentifierSize) return false;
  if (!(std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

StatusOr<Column> ParseColumnType(std::string_view type) {
  std::string t = Upper(type);
  Column column;
  if (t == "BIGINT") {
    column.type = ColumnType::kBigInt;
  } else if (t == "INT" || t == "INTEGER") {
    column.type = ColumnType::kInt;
  } else if (t == "SMALLINT") {
    column.type = ColumnType::kSmallInt;
  } else if (t == "BOOLEAN" || t == "BOOL") {
    column.type = ColumnType::kBoolean;
  } else if (t == "TEXT") {
    column.type = ColumnType::kText;
  } else if (t == "BLOB") {
    column.type = ColumnType::kBlob;
  } else if (auto n = ParenthesizedLength(t, "VARCHAR")) {
    if (*n == 0 || *n > kMaxVarcharLength) {
      return InvalidArgumentError(fmt::format("VARCHAR length must be 1..{}, got {}", kMaxVarcharLength, *n));
    }
    column.type = ColumnType::kVarchar;
    column.length = *n;
  } else if (auto bytes = ParenthesizedLength(t, "VARBINARY")) {
    if (*bytes == 0 || *bytes > kMaxVarbinaryLength) {
      return InvalidArgumentError(fmt::format("VARBINARY length must be 1..{}, got {}", kMaxVarbinaryLength, *bytes));
    }
    column.type = ColumnType::kVarbinary;
    column.length = *bytes;
  } else {
    return InvalidArgumentError(fmt::format(
        "unknown column type '{}' (known: BIGINT, INT, SMALLINT, BOOLEAN, VARCHAR(n), TEXT, VARBINARY(n), BLOB)",
        type));
  }
  return column;
}

std::string ColumnTypeName(const Column& column) {
  switch (column.type) {
    case ColumnType::kBigInt: return "BIGINT";
    case ColumnType::kInt: return "INT";
    case ColumnType::kSmallInt: return "SMALLINT";
    case ColumnType::kBoolean: return "BOOLEAN";
    case ColumnType::kVarchar: return fmt::format("VARCHAR({})", column.length);
    case ColumnType::kText: return "TEXT";
    case ColumnType::kVarbinary: return fmt::format("VARBINARY({})", column.length);
    case ColumnType::kBlob: return "BLOB";
  }
  return "?";
}

Status ValidateLedgerSchema(const LedgerSchema& schema) {
  if (schema.tables.empty()) return InvalidArgumentError("the chain declares no ledger tables");
  std::set<std::string> table_names;
  for (const TableSchema& table : schema.tables) {
    if (!IsValidIdentifier(table.name)) {
      return InvalidArgumentError(fmt::format("table name '{}' is not [a-z_][a-z0-9_]* of at most {} bytes",
                                              table.name, kMaxIdentifierSize));
    }
    if (table.name.starts_with(kReservedTablePrefix)) {
      return InvalidArgumentError(fmt::format("table name '{}': the prefix '{}' is reserved for the node's own tables",
                                              table.name, kReservedTablePrefix));
    }
    if (!table_names.insert(table.name).second) {
      return InvalidArgumentError(fmt::format("table '{}' is declared twice", table.name));
    }
    if (table.columns.empty() || table.columns.size() > 255) {
      return InvalidArgumentError(fmt::format("table '{}' must have 1..255 columns", table.name));
    }
    std::set<std::string> column_names;
    for (const Column& column : table.columns) {
      if (!IsValidIdentifier(column.name)) {
        return InvalidArgumentError(fmt::format("table '{}': column name '{}' is not [a-z_][a-z0-9_]*", table.name,
                                                column.name));
      }
      if (!column_names.insert(column.name).second) {
        return InvalidArgumentError(fmt::format("table '{}': column '{}' is declared twice", table.name, column.name));
      }
    }
    if (table.primary_key.empty() || table.primary_key.size() > 16) {
      return InvalidArgumentError(fmt::format("table '{}' needs a primary key of 1..16 columns", table.name));
    }
    std::set<uint16_t> key_columns;
    for (uint16_t index : table.primary_key) {
      if (index >= table.columns.size()) {
        return InvalidArgumentError(fmt::format("table '{}': primary key column {} out of range", table.name, index));
      }
      const Column& column = table.columns[index];
      if (!key_columns.insert(index).second) {
        return InvalidArgumentError(fmt::format("table '{}': column '{}' appears twice in the primary key",
                                                table.name, column.name));
      }
      if (column.nullable) {
        return InvalidArgumentError(fmt::format("table '{}': primary key column '{}' cannot be nullable", table.name,
                                                column.name));
      }
      if (column.type == ColumnType::kText || column.type == ColumnType::kBlob) {
        return InvalidArgumentError(fmt::format(
            "table '{}': primary key column '{}' cannot be {} (use VARCHAR(n) or VARBINARY(n))", table.name,
            column.name, ColumnTypeName(column)));
      }
    }
  }
  return OkStatus();
}

std::optional<std::string> CheckValueForColumn(const Value& value, const Column& column) {
  if (value.is_null()) {
    if (column.nullable) return std::nullopt;
    return std::string("NULL in a NOT NULL column");
  }
  auto expect = [&](Value::Kind kind) -> std::optional<std::string> {
    if (value.kind() == kind) return std::nullopt;
    return fmt::format("expected {} for {}, got {}", ValueKindName(kind), ColumnTypeName(column),
                       ValueKindName(value.kind()));
  };
  switch (column.type) {
    case ColumnType::kBigInt:
      return expect(Value::Kind::kInt);
    case ColumnType::kInt:
      if (auto e = expect(Value::Kind::kInt)) return e;
      return CheckIntRange(value.as_int(), std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(),
                           "INT");
    case ColumnType::kSmallInt:
      if (auto e = expect(Value::Kind::kInt)) return e;
      return CheckIntRange(value.as_int(), std::numeric_limits<int16_t>::min(), std::numeric_limits<int16_t>::max(),
                           "SMALLINT");
    case ColumnType::kBoolean:
      if (auto e = expect(Value::Kind::kInt)) return e;
      return CheckIntRange(value.as_int(), 0, 1, "BOOLEAN");
    case ColumnType::kVarchar:
    case ColumnType::kText: {
      if (auto e = expect(Value::Kind::kText)) return e;
      const std::string& s = value.as_string();
      if (!IsValidUtf8(s)) return std::string("text is not valid UTF-8");
      if (s.find('\0') != std::string::npos) return std::string("text contains a NUL character");
      if (column.type == ColumnType::kVarchar && Utf8Length(s) > column.length) {
        return fmt::format("{} characters exceed VARCHAR({})", Utf8Length(s), column.length);
      }
      if (column.type == ColumnType::kText && s.size() > kMaxLobBytes) {
        return fmt::format("{} bytes exceed TEXT's {}", s.size(), kMaxLobBytes);
      }
      return std::nullopt;
    }
    case ColumnType::kVarbinary:
    case ColumnType::kBlob: {
      if (auto e = expect(Value::Kind::kBytes)) return e;
      size_t limit = column.type == ColumnType::kVarbinary ? column.length : kMaxLobBytes;
      if (value.as_string().size() > limit) {
        return fmt::format("{} bytes exceed {}", value.as_string().size(), ColumnTypeName(column));
      }
      return std::nullopt;
    }
  }
  return std::string("unknown column type");
}

bool IsValidUtf8(std::string_view text) { return ::rowchain::IsValidUtf8(text); }

size_t Utf8Length(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<uint8_t>(c) & 0xC0) != 0x80; }));
}

}  // namespace rowchain::consensus
