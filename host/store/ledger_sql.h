// SQL for the ledger tables, built only from the chain's schema (identifiers validated by
// consensus::ValidateLedgerSchema, then quoted); every value is a `?` placeholder.
// Text columns use utf8mb4_nopad_bin so that MySQL compares keys byte for byte, exactly as
// consensus does ('a' and 'A', or 'a' and 'a ', are different keys on every node). Pure.
#pragma once

#include <string>

#include "consensus/ledger_schema.h"

namespace rowchain::store {

using consensus::TableSchema;

std::string CreateTableSql(const TableSchema& table);
// The COLUMN_TYPE information_schema reports for a column (integer display widths removed).
std::string InformationSchemaType(const consensus::Column& column);

// INSERT of `rows` full rows.
std::string InsertRowsSql(const TableSchema& table, size_t rows);
// UPDATE of every non-key column by primary key: parameters are the non-key values in column
// order, then the key values in key order.
// One row, replacing a row with the same key (feed-replay applies events idempotently).
std::string ReplaceRowSql(const TableSchema& table);
// Benchmarks start from an empty table or database.
std::string DropTableSql(const TableSchema& table);
std::string DropDatabaseSql(const std::string& database);
// Every row of the table, in the caller's transaction (a reindex).
std::string DeleteAllRowsSql(const TableSchema& table);
std::string UpdateRowSql(const TableSchema& table);
std::string DeleteRowSql(const TableSchema& table);
// Every column (in order) of the rows whose key is one of `keys` key tuples.
std::string SelectRowsByKeysSql(const TableSchema& table, size_t keys);
// The key columns (in key order) of the rows whose key is one of `keys` key tuples.
std::string SelectKeysByKeysSql(const TableSchema& table, size_t keys);
// Every row, every column, ordered by primary key.
std::string SelectAllRowsSql(const TableSchema& table);

}  // namespace rowchain::store
