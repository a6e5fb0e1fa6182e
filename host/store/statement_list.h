// Statements that go to the server together. On MariaDB they travel as one anonymous compound
// statement (BEGIN NOT ATOMIC ... END), prepared like any other, so a block's writes and its
// COMMIT cost one round trip and one statement dispatch instead of one each; other servers get
// them one by one. Values stay `?` placeholders bound through the prepared statement. A list
// larger than one statement may be (65,535 placeholders, the server's packet size) goes as
// several compound statements in the same transaction: any valid block fits.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "store/mysql_connection.h"

namespace rowchain::store {

class StatementList {
 public:
  void Add(std::string sql, std::vector<Value> params);
  // A multi-row statement (`sql`, with `rows` rows of values) that may also run as `row_sql`, a
  // statement of one row's placeholders, over an array of the rows (MysqlConnection's array
  // binding). Start uses the array when it is the list's only statement and the server takes it.
  void AddRows(std::string sql, std::string row_sql, size_t rows, std::vector<Value> params);
  bool empty() const { return m_sql.empty(); }

  // Runs the statements in order inside the caller's transaction (MysqlConnection::Begin);
  // with `commit`, commits it as well. A failing statement stops the rest and returns its
  // error; the transaction is then still open, for the caller to roll back.
  Status Run(MysqlConnection& db, bool commit);
  // Sends the statements without waiting for the server to run them, for the caller to work
  // meanwhile and then finish them with db.FinishUpdate() (MysqlConnection::StartUpdate). Does
  // not commit. Where the server takes no compound statement, all but the last run first. A
  // list of one AddRows statement goes as an array where the server takes arrays.
  Status Start(MysqlConnection& db);

 private:
  // Statements [first, last) as one anonymous compound statement (MariaDB), ending in COMMIT or not.
  std::string CompoundSql(size_t first, size_t last, bool commit) const;
  // Consecutive runs of statements [first, last) that each fit one prepared statement.
  std::vector<std::pair<size_t, size_t>> Chunks() const;
  // The parameters of statements [first, last).
  std::span<const Value> ParamsOf(size_t first, size_t last) const;

  std::vector<std::string> m_sql;
  std::vector<Value> m_params;
  std::vector<size_t> m_param_counts;
  std::vector<std::string> m_row_sql;  // per statement: empty, or AddRows' one-row form
  std::vector<size_t> m_rows;          // per statement: AddRows' row count, or 0
};

}  // namespace rowchain::store
