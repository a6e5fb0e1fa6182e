#include "store/reindex.h"

#include <spdlog/spdlog.h>

#include "store/ledger_sql.h"

namespace rowchain::store {

Status ResetToGenesis(MysqlConnection& db, const consensus::LedgerSchema& schema) {
  ROWCHAIN_RETURN_IF_ERROR(db.Begin());
  auto run = [&](const std::string& sql) { return db.Update(sql, {}).status(); };
  Status s = OkStatus();
  for (const consensus::TableSchema& table : schema.tables) {
    if (s.ok()) s = run(DeleteAllRowsSql(table));
  }
  if (s.ok()) {
    s = run("UPDATE rowchain_blocks SET in_main = IF(height = 0, 1, 0), undo_ops = NULL, status = 1, "
            "invalid_reason = NULL");
  }
  // A peer's batch was recorded sealed without its rows (its block holds them): it comes back
  // with its block. This node's own batches keep their rows and wait in the pool meanwhile.
  if (s.ok()) s = run("DELETE FROM rowchain_batches WHERE state = 1 AND rows_blob = ''");
  if (s.ok()) s = run("UPDATE rowchain_batches SET state = 0, block_hash = NULL WHERE state = 1");
  if (s.ok()) s = db.Commit();
  if (!s.ok()) {
    db.Rollback();
    return s;
  }
  spdlog::info("reindex: ledger emptied and the main chain reset to genesis; connecting the stored blocks again");
  return OkStatus();
}

}  // namespace rowchain::store
