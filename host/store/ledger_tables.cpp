#include "store/ledger_tables.h"

#include <regex>

#include <fmt/format.h>

#include "store/ledger_sql.h"
#include "store/node_tables.h"

namespace rowchain::store {
namespace {

// "int(11)" -> "int": MariaDB reports display widths for integer types, MySQL 8 does not.
std::string WithoutDisplayWidth(const std::string& type) {
  static const std::regex kIntWidth(R"(^(tinyint|smallint|int|bigint)\(\d+\)$)");
  return std::regex_replace(type, kIntWidth, "$1");
}

Status CheckTableShape(MysqlConnection& db, const consensus::TableSchema& table) {
  ROWCHAIN_RETURN_IF_ERROR(CheckInnoDbTable(db, table.name));
  Value name = Value::Text(table.name);
  auto columns = db.Query(
      "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS "
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
      std::span(&name, 1));
  if (!columns.ok()) return columns.status();
  auto differs = [&](std::string what) {
    return FailedPreconditionError(fmt::format(
        "table {} exists with a different shape than the chain declares: {}; a ledger table's schema is part "
        "of the chain",
        table.name, what));
  };
  if (columns->size() != table.columns.size()) {
    return differs(fmt::format("{} columns, the chain declares {}", columns->size(), table.columns.size()));
  }
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const consensus::Column& expected = table.columns[i];
    const Row& actual = (*columns)[i];
    std::string type = WithoutDisplayWidth(actual[1].as_string());
    bool nullable = actual[2].as_string() == "YES";
    if (actual[0].as_string() != expected.name || type != InformationSchemaType(expected) ||
        nullable != expected.nullable) {
      return differs(fmt::format("column {} is `{}` {} {}, the chain declares `{}` {} {}", i + 1, actual[0].as_string(),
                                 type, nullable ? "NULL" : "NOT NULL", expected.name, InformationSchemaType(expected),
                                 expected.nullable ? "NULL" : "NOT NULL"));
    }
    const bool text = expected.type == consensus::ColumnType::kVarchar || expected.type == consensus::ColumnType::kText;
    // The binary NO PAD collation the node creates (ledger_sql.cpp): 'a' and 'A', 'a' and 'a ',
    // and every emoji are distinct keys, as the chain's rules compare them.
    if (text && (actual[3].is_null() || actual[3].as_string() != "utf8mb4" ||
                 actual[4].as_string() != "utf8mb4_nopad_bin")) {
      return differs(fmt::format("column {} is {} with collation {}, the chain needs utf8mb4 with utf8mb4_nopad_bin",
                                 expected.name, actual[3].is_null() ? "binary" : actual[3].as_string(),
                                 actual[4].is_null() ? "none" : actual[4].as_string()));
    }
  }
  auto triggers = db.Query(
      "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() "
      "AND EVENT_OBJECT_TABLE = ?",
      std::span(&name, 1));
  if (!triggers.ok()) return triggers.status();
  if (!triggers->empty()) {
    return differs(fmt::format("it has trigger {}, which would write what the chain does not", (*triggers)[0][0].as_string()));
  }
  auto key = db.Query(
      "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() "
      "AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
      std::span(&name, 1));
  if (!key.ok()) return key.status();
  bool same_key = key->size() == table.primary_key.size();
  for (size_t i = 0; same_key && i < key->size(); ++i) {
    same_key = (*key)[i][0].as_string() == table.columns[table.primary_key[i]].name;
  }
  if (!same_key) return differs("its primary key differs");
  return OkStatus();
}

}  // namespace

Status PrepareLedgerTables(MysqlConnection& db, const consensus::LedgerSchema& schema) {
  for (const consensus::TableSchema& table : schema.tables) {
    ROWCHAIN_RETURN_IF_ERROR(db.Execute(CreateTableSql(table)));
    ROWCHAIN_RETURN_IF_ERROR(CheckTableShape(db, table));
  }
  return OkStatus();
}

Status CheckLedgerTables(MysqlConnection& db, const consensus::LedgerSchema& schema) {
  for (const consensus::TableSchema& table : schema.tables) ROWCHAIN_RETURN_IF_ERROR(CheckTableShape(db, table));
  return OkStatus();
}

}  // namespace rowchain::store
