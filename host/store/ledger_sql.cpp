#include "store/ledger_sql.h"

#include <algorithm>

#include <fmt/format.h>

#include "store/mysql_connection.h"

namespace rowchain::store {
namespace {

using consensus::Column;
using consensus::ColumnType;

std::string SqlType(const Column& column) {
  constexpr std::string_view kExactText = " CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin";
  switch (column.type) {
    case ColumnType::kBigInt: return "BIGINT";
    case ColumnType::kInt: return "INT";
    case ColumnType::kSmallInt: return "SMALLINT";
    case ColumnType::kBoolean: return "TINYINT(1)";
    case ColumnType::kVarchar: return fmt::format("VARCHAR({}){}", column.length, kExactText);
    case ColumnType::kText: return fmt::format("TEXT{}", kExactText);
    case ColumnType::kVarbinary: return fmt::format("VARBINARY({})", column.length);
    case ColumnType::kBlob: return "BLOB";
  }
  return "?";
}

std::string KeyTuple(const TableSchema& table) {
  std::vector<std::string> names;
  for (uint16_t i : table.primary_key) names.push_back(QuoteIdentifier(table.columns[i].name));
  return names.size() == 1 ? names[0] : fmt::format("({})", fmt::join(names, ", "));
}

std::string KeyPlaceholders(const TableSchema& table, size_t keys) {
  std::string one = table.primary_key.size() == 1
                        ? "?"
                        : fmt::format("({})", fmt::join(std::vector<std::string>(table.primary_key.size(), "?"), ", "));
  return fmt::format("{}", fmt::join(std::vector<std::string>(keys, one), ", "));
}

std::string KeyMatch(const TableSchema& table) {
  std::vector<std::string> parts;
  for (uint16_t i : table.primary_key) parts.push_back(QuoteIdentifier(table.columns[i].name) + " = ?");
  return fmt::format("{}", fmt::join(parts, " AND "));
}

std::string AllColumns(const TableSchema& table) {
  std::vector<std::string> names;
  for (const Column& c : table.columns) names.push_back(QuoteIdentifier(c.name));
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

std::string CreateTableSql(const TableSchema& table) {
  std::vector<std::string> parts;
  for (const Column& c : table.columns) {
    parts.push_back(fmt::format("{} {} {}", QuoteIdentifier(c.name), SqlType(c), c.nullable ? "NULL" : "NOT NULL"));
  }
  std::vector<std::string> key;
  for (uint16_t i : table.primary_key) key.push_back(QuoteIdentifier(table.columns[i].name));
  parts.push_back(fmt::format("PRIMARY KEY ({})", fmt::join(key, ", ")));
  return fmt::format("CREATE TABLE IF NOT EXISTS {} ({}) ENGINE=InnoDB", QuoteIdentifier(table.name),
                     fmt::join(parts, ", "));
}

std::string InformationSchemaType(const Column& column) {
  switch (column.type) {
    case ColumnType::kBigInt: return "bigint";
    case ColumnType::kInt: return "int";
    case ColumnType::kSmallInt: return "smallint";
    case ColumnType::kBoolean: return "tinyint";
    case ColumnType::kVarchar: return fmt::format("varchar({})", column.length);
    case ColumnType::kText: return "text";
    case ColumnType::kVarbinary: return fmt::format("varbinary({})", column.length);
    case ColumnType::kBlob: return "blob";
  }
  return "?";
}

std::string InsertRowsSql(const TableSchema& table, size_t rows) {
  std::string one = fmt::format("({})", fmt::join(std::vector<std::string>(table.columns.size(), "?"), ", "));
  return fmt::format("INSERT INTO {} ({}) VALUES {}", QuoteIdentifier(table.name), AllColumns(table),
                     fmt::join(std::vector<std::string>(rows, one), ", "));
}

std::string ReplaceRowSql(const TableSchema& table) {
  return fmt::format("REPLACE INTO {} ({}) VALUES ({})", QuoteIdentifier(table.name), AllColumns(table),
                     fmt::join(std::vector<std::string>(table.columns.size(), "?"), ", "));
}

std::string DropTableSql(const TableSchema& table) { return "DROP TABLE IF EXISTS " + QuoteIdentifier(table.name); }

std::string DeleteAllRowsSql(const TableSchema& table) { return "DELETE FROM " + QuoteIdentifier(table.name); }

std::string DropDatabaseSql(const std::string& database) { return "DROP DATABASE IF EXISTS " + QuoteIdentifier(database); }

std::string UpdateRowSql(const TableSchema& table) {
  std::vector<std::string> sets;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (std::find(table.primary_key.begin(), table.primary_key.end(), i) != table.primary_key.end()) continue;
    sets.push_back(QuoteIdentifier(table.columns[i].name) + " = ?");
  }
  if (sets.empty()) {  // a table of key columns only: an UPDATE changes nothing but must match
    sets.push_back(fmt::format("{0} = {0}", QuoteIdentifier(table.columns[table.primary_key[0]].name)));
  }
  return fmt::format("UPDATE {} SET {} WHERE {}", QuoteIdentifier(table.name), fmt::join(sets, ", "), KeyMatch(table));
}

std::string DeleteRowSql(const TableSchema& table) {
  return fmt::format("DELETE FROM {} WHERE {}", QuoteIdentifier(table.name), KeyMatch(table));
}

std::string SelectRowsByKeysSql(const TableSchema& table, size_t keys) {
  return fmt::format("SELECT {} FROM {} WHERE {} IN ({})", AllColumns(table), QuoteIdentifier(table.name),
                     KeyTuple(table), KeyPlaceholders(table, keys));
}

std::string SelectKeysByKeysSql(const TableSchema& table, size_t keys) {
  std::string key_columns = KeyTuple(table);
  if (key_columns.front() == '(') key_columns = key_columns.substr(1, key_columns.size() - 2);
  return fmt::format("SELECT {} FROM {} WHERE {} IN ({})", key_columns, QuoteIdentifier(table.name), KeyTuple(table),
                     KeyPlaceholders(table, keys));
}

std::string SelectAllRowsSql(const TableSchema& table) {
  std::string key_columns = KeyTuple(table);
  if (key_columns.front() == '(') key_columns = key_columns.substr(1, key_columns.size() - 2);
  return fmt::format("SELECT {} FROM {} ORDER BY {}", AllColumns(table), QuoteIdentifier(table.name), key_columns);
}

}  // namespace rowchain::store
