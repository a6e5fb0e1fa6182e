// rowchaind --reindex: the repair of a node database whose main-chain marks or ledger tables
// no longer agree with its stored blocks. The ledger is emptied and the marks reset to genesis
// in one transaction; the store's next open then connects the best stored chain again from
// genesis with every check, as if its blocks had just arrived. A crash at any point leaves a
// consistent database: before the commit nothing changed, after it the open (any later open)
// finishes the work block by block.
#pragma once

#include "consensus/ledger_schema.h"
#include "store/mysql_connection.h"
#include "util/status.h"

namespace rowchain::store {

// Empties every ledger table, marks only genesis as on the main chain, clears undo images and
// invalid marks (each block is judged again), and returns this node's sealed batches to the
// pending pool (sealed again when their blocks connect); peers' batches come back with theirs.
Status ResetToGenesis(MysqlConnection& db, const consensus::LedgerSchema& schema);

}  // namespace rowchain::store
