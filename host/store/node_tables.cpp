#include "store/node_tables.h"

#include <array>
#include <string_view>

#include <fmt/format.h>

namespace rowchain::store {
namespace {

// Migration steps: kMigrations[v] brings a database from schema version v to v+1.
const std::array<std::vector<std::string_view>, kNodeSchemaVersion> kMigrations = {{
    {
        "CREATE TABLE IF NOT EXISTS rowchain_meta ("
        " k VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,"
        " v VARBINARY(255) NOT NULL) ENGINE=InnoDB",
        // status: 1 stored and not known invalid, 2 invalid (invalid_reason says why).
        "CREATE TABLE IF NOT EXISTS rowchain_blocks ("
        " hash BINARY(32) NOT NULL PRIMARY KEY,"
        " height BIGINT UNSIGNED NOT NULL,"
        " prev_hash BINARY(32) NOT NULL,"
        " header BINARY(80) NOT NULL,"
        " chain_work BINARY(32) NOT NULL,"
        " status TINYINT NOT NULL,"
        " in_main TINYINT NOT NULL DEFAULT 0,"
        " invalid_reason VARCHAR(255) NULL,"
        " row_count INT UNSIGNED NOT NULL,"
        " received_at BIGINT NOT NULL,"
        " KEY by_height (height, in_main)) ENGINE=InnoDB",
        // undo_ops: set while the block is on the main chain (its reverse row operations).
        "CREATE TABLE IF NOT EXISTS rowchain_block_bodies ("
        " hash BINARY(32) NOT NULL PRIMARY KEY,"
        " body LONGBLOB NOT NULL,"
        " undo_ops LONGBLOB NULL) ENGINE=InnoDB",
        // state: 0 pending, 1 sealed in a main-chain block, 2 rejected.
        "CREATE TABLE IF NOT EXISTS rowchain_batches ("
        " batch_id BINARY(16) NOT NULL PRIMARY KEY,"
        " seq BIGINT NOT NULL AUTO_INCREMENT UNIQUE,"
        " table_name VARCHAR(64) CHARACTER SET ascii NOT NULL,"
        " idempotency_key VARBINARY(128) NULL UNIQUE,"
        " rows_blob LONGBLOB NOT NULL,"
        " row_count INT UNSIGNED NOT NULL,"
        " byte_size INT UNSIGNED NOT NULL,"
        " state TINYINT NOT NULL,"
        " block_hash BINARY(32) NULL,"
        " reason VARCHAR(255) NULL,"
        " created_at BIGINT NOT NULL,"
        " KEY by_state (state, seq)) ENGINE=InnoDB",
    },
    {
        // The change feed's outbox: written in the transaction that connects or disconnects a
        // block, sent to Kafka by the node's publisher, deleted once the broker acknowledged.
        "CREATE TABLE IF NOT EXISTS rowchain_outbox ("
        " id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
        " topic VARCHAR(255) CHARACTER SET ascii NOT NULL,"
        " msg_key BLOB NOT NULL,"
        " payload MEDIUMBLOB NOT NULL) ENGINE=InnoDB",
    },
    {
        // Version 3: a block's body and undo image live in its own row (one statement fewer per
        // connected block), and the main chain's tip is the highest block marked in_main (no
        // record of its own to rewrite with every block).
        // DDL commits as it goes: every step can run again after a crash halfway.
        "ALTER TABLE rowchain_blocks ADD COLUMN IF NOT EXISTS body LONGBLOB NULL, "
        "ADD COLUMN IF NOT EXISTS undo_ops LONGBLOB NULL",
        "CREATE TABLE IF NOT EXISTS rowchain_block_bodies (hash BINARY(32) NOT NULL PRIMARY KEY, body LONGBLOB NOT NULL, "
        "undo_ops LONGBLOB NULL) ENGINE=InnoDB",
        "UPDATE rowchain_blocks b JOIN rowchain_block_bodies d ON d.hash = b.hash SET b.body = d.body, "
        "b.undo_ops = d.undo_ops",
        "DROP TABLE IF EXISTS rowchain_block_bodies",
        "DELETE FROM rowchain_meta WHERE k = 'tip_hash'",
    },
    {
        // Version 4: idempotency keys are stored scoped (batch_pool.h's RetryKeyOf) with a
        // digest of their rows, so a key reused for other rows is refused, not acknowledged. Keys
        // stored before have no digest: a retry of such a batch no longer finds it.
        "ALTER TABLE rowchain_batches ADD COLUMN IF NOT EXISTS content_digest BINARY(32) NULL",
    },
    {
        // Version 5: peer bans survive a restart (store/peer_bans.h).
        "CREATE TABLE IF NOT EXISTS rowchain_bans ("
        " ban_key VARBINARY(255) NOT NULL PRIMARY KEY,"
        " until_unix BIGINT NOT NULL,"
        " reason VARCHAR(255) NOT NULL) ENGINE=InnoDB",
    },
}};

constexpr std::array<std::string_view, 5> kNodeTables = {"rowchain_meta", "rowchain_blocks", "rowchain_batches",
                                                         "rowchain_outbox", "rowchain_bans"};

StatusOr<int> CurrentSchemaVersion(MysqlConnection& db) {
  auto rows = db.Query(
      "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = "
      "'rowchain_meta'");
  if (!rows.ok()) return rows.status();
  if ((*rows)[0][0].as_int() == 0) return 0;
  auto version = ReadMeta(db, "schema_version");
  if (!version.ok()) return version.status();
  if (!*version) return 0;
  return std::stoi(**version);
}

}  // namespace

StatusOr<std::optional<std::string>> ReadMeta(MysqlConnection& db, const std::string& key) {
  Value k = Value::Text(key);
  auto rows = db.Query("SELECT v FROM rowchain_meta WHERE k = ?", std::span(&k, 1));
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>((*rows)[0][0].as_string());
}

Status WriteMeta(MysqlConnection& db, const std::string& key, const std::string& value) {
  std::array<Value, 2> params = {Value::Text(key), Value::Bytes(value)};
  auto done = db.Update(std::string(kWriteMetaSql), params);
  return done.status();
}

Status CheckInnoDbTable(MysqlConnection& db, const std::string& table) {
  Value name = Value::Text(table);
  auto rows = db.Query("SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
                       std::span(&name, 1));
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return FailedPreconditionError(fmt::format("table {} does not exist", table));
  const Value& engine = (*rows)[0][0];
  if (engine.is_null() || engine.as_string() != "InnoDB") {
    return FailedPreconditionError(fmt::format("table {} uses engine {}, rowchain requires InnoDB (transactions)",
                                               table, engine.is_null() ? "none" : engine.as_string()));
  }
  return OkStatus();
}

Status PrepareNodeTables(MysqlConnection& db, const consensus::ChainParams& params,
                         const consensus::Hash256& genesis_hash) {
  auto innodb = db.Query("SELECT SUPPORT FROM information_schema.ENGINES WHERE ENGINE = 'InnoDB'");
  if (!innodb.ok()) return innodb.status();
  if (innodb->empty() || ((*innodb)[0][0].as_string() != "YES" && (*innodb)[0][0].as_string() != "DEFAULT")) {
    return FailedPreconditionError("the server has no InnoDB engine; rowchain needs its transactions");
  }
  auto version = CurrentSchemaVersion(db);
  if (!version.ok()) return version.status();
  if (*version > kNodeSchemaVersion) {
    return FailedPreconditionError(fmt::format(
        "the database has node schema version {}, newer than this rowchain's {}; upgrade rowchain", *version,
        kNodeSchemaVersion));
  }
  for (int v = *version; v < kNodeSchemaVersion; ++v) {
    for (std::string_view sql : kMigrations[v]) ROWCHAIN_RETURN_IF_ERROR(db.Execute(sql));
    ROWCHAIN_RETURN_IF_ERROR(WriteMeta(db, "schema_version", std::to_string(v + 1)));
  }
  for (std::string_view table : kNodeTables) ROWCHAIN_RETURN_IF_ERROR(CheckInnoDbTable(db, std::string(table)));

  auto stored = ReadMeta(db, "genesis_hash");
  if (!stored.ok()) return stored.status();
  std::string genesis(genesis_hash.begin(), genesis_hash.end());
  if (!*stored) {
    ROWCHAIN_RETURN_IF_ERROR(WriteMeta(db, "genesis_hash", genesis));
    ROWCHAIN_RETURN_IF_ERROR(WriteMeta(db, "chain_name", params.name));
  } else if (**stored != genesis) {
    auto name = ReadMeta(db, "chain_name");
    return FailedPreconditionError(fmt::format(
        "database {} holds chain '{}' with another genesis block; this node runs chain '{}' (genesis {})",
        db.uri().database, name.ok() && *name ? **name : "?", params.name, consensus::ToDisplayHex(genesis_hash)));
  }
  return OkStatus();
}

}  // namespace rowchain::store
