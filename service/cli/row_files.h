// Rows for `rowchain submit`, read from a JSON array of objects (column -> value) or a CSV file
// with a header line, and typed by the table's columns as the node describes them: integers
// for BIGINT/INT/SMALLINT/BOOLEAN, text for VARCHAR/TEXT, hex for VARBINARY/BLOB, JSON null or
// CSV \N for NULL. The node checks every value again; these readers only give them types.
#pragma once

#include <string>
#include <vector>

#include "rowchain/v1/ledger.pb.h"
#include "util/status.h"

namespace rowchain::cli {

// INVALID_ARGUMENT naming the row (0-based, as the node numbers them) and column.
StatusOr<std::vector<v1::Row>> ReadJsonRows(const std::string& text, const v1::TableInfo& table, v1::Op op);
StatusOr<std::vector<v1::Row>> ReadCsvRows(const std::string& text, const v1::TableInfo& table, v1::Op op);

}  // namespace rowchain::cli
