// Creates the chain's ledger tables and checks that tables already there match the schema
// (columns, types, nullability, primary key, InnoDB, utf8mb4 text with the binary NO PAD
// collation, no triggers), so a node never writes into a table whose shape or comparison rules
// differ from what every other node holds.
#pragma once

#include "consensus/ledger_schema.h"
#include "store/mysql_connection.h"
#include "util/status.h"

namespace rowchain::store {

// FAILED_PRECONDITION naming the table and column when an existing table differs.
Status PrepareLedgerTables(MysqlConnection& db, const consensus::LedgerSchema& schema);
// The same check of the tables there now, creating nothing (`rowchain verify`).
Status CheckLedgerTables(MysqlConnection& db, const consensus::LedgerSchema& schema);

}  // namespace rowchain::store
