// Applies a block's row operations to the ledger tables inside the caller's transaction, and
// undoes them. The undo image holds the pre-image of every UPDATE and DELETE as an operation
// that restores it (UPDATE back, INSERT back); INSERTs are undone from the block body itself
// (DELETE by key), so an INSERT-only block stores an empty undo image. A key occurs at most
// once per block, so the order of undo operations does not matter. Runs of INSERTs go out as multi-row INSERTs, so connecting a block costs
// little more than the inserts themselves. Not thread-safe.
#pragma once

#include <map>
#include <span>
#include <stop_token>
#include <string>
#include <unordered_set>
#include <vector>

#include "consensus/block.h"
#include "consensus/block_checks.h"
#include "store/mysql_connection.h"
#include "util/key_filter.h"
#include "store/statement_list.h"

namespace rowchain::store {

struct LedgerSnapshot {
  consensus::LedgerStateView view;
  // by RowKey, for the block's UPDATE and DELETE keys (INSERT keys are not read: see Apply).
  std::map<std::string, Row> pre_images;
};

// The ALREADY_EXISTS status for a multi-row INSERT the server refused for a duplicate key.
Status ExistingKeyError(const Status& server_error);

class LedgerWriter {
 public:
  LedgerWriter(MysqlConnection& db, const consensus::ChainParams& params) : m_db(db), m_params(params) {}

  // What the ledger holds for the block's UPDATE and DELETE keys (batches are checked as they
  // are recorded: ChainStore::AddSealBatches). Precondition: CheckBlockBody passed.
  StatusOr<LedgerSnapshot> ReadState(const consensus::DecodedBody& body);
  // RowKeys of the rows' keys (any op) that the tables hold now: what a block template is
  // checked against before it is mined.
  StatusOr<std::unordered_set<std::string>> ExistingKeys(std::span<const consensus::RowOperation> rows);
  StatusOr<std::unordered_set<std::string>> ExistingKeys(std::span<const consensus::RowOperation* const> rows);
  // Adds the primary key (as a RowKey) of every row the ledger tables hold to `filter`: one
  // streamed scan per table, on this connection.
  // CANCELLED once `stop` is requested.
  Status AddAllKeys(KeyFilter& filter, std::stop_token stop = {});
  // Runs the block's UPDATEs and DELETEs and adds its INSERTs, as multi-row INSERTs, to
  // `inserts` for the caller to send with other statements (a key occurs once per block, so
  // they commute); returns the undo image (the restoring operations). Precondition:
  // CheckBlockAgainstState passed on `snapshot`. An INSERT of an existing key is caught by the
  // primary key when the caller's statements run (one round trip fewer than asking first); see
  // ExistingKeyError. An UPDATE or DELETE that does not match exactly one row is INTERNAL (the
  // table changed behind the node's back).
  StatusOr<std::vector<consensus::RowOperation>> Apply(const consensus::DecodedBody& body,
                                                       const LedgerSnapshot& snapshot, StatementList& inserts);
  // Reverts a connected block: restores the undo image and deletes the body's INSERTs.
  Status Revert(const consensus::DecodedBody& body, std::span<const consensus::RowOperation> undo);

 private:
  // Runs the SELECT by key tuples in chunks: key columns only, or whole rows.
  Status ForEachKeyChunk(const consensus::TableSchema& table, const std::vector<std::vector<Value>>& keys,
                         bool full_rows, const RowCallback& on_row);
  Status InsertRun(const consensus::TableSchema& table, std::span<const consensus::RowOperation> rows,
                   StatementList* deferred);
  Status UpdateRow(const consensus::TableSchema& table, const std::vector<Value>& values);
  Status DeleteRow(const consensus::TableSchema& table, const std::vector<Value>& key);

  MysqlConnection& m_db;
  const consensus::ChainParams& m_params;
};

}  // namespace rowchain::store
