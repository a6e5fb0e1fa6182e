// The node's own tables (rowchain_meta, rowchain_blocks with bodies and undo images,
// rowchain_batches, rowchain_outbox; docs/storage.md), created and migrated by the node, and
// the binding of a database to one chain through the genesis hash kept in rowchain_meta.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "consensus/chain_params.h"
#include "consensus/hash.h"
#include "store/mysql_connection.h"
#include "util/status.h"

namespace rowchain::store {

inline constexpr int kNodeSchemaVersion = 5;

// Checks that InnoDB is available, creates or migrates the node tables to kNodeSchemaVersion
// and checks every node table uses InnoDB. FAILED_PRECONDITION for a database of a newer
// schema version, a missing InnoDB, a table on another engine, or one bound to another chain.
Status PrepareNodeTables(MysqlConnection& db, const consensus::ChainParams& params,
                         const consensus::Hash256& genesis_hash);

// rowchain_meta access; values are short byte strings.
StatusOr<std::optional<std::string>> ReadMeta(MysqlConnection& db, const std::string& key);
Status WriteMeta(MysqlConnection& db, const std::string& key, const std::string& value);
// What WriteMeta runs (parameters: key, value), for callers that batch it with other statements.
inline constexpr std::string_view kWriteMetaSql =
    "INSERT INTO rowchain_meta (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)";

// FAILED_PRECONDITION unless `table` exists in the current database with ENGINE=InnoDB.
Status CheckInnoDbTable(MysqlConnection& db, const std::string& table);

}  // namespace rowchain::store
