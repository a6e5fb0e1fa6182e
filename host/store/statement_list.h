// Statements that go to the server together. On MariaDB they travel as one anonymous compound
// statement (BEGIN NOT ATOMIC ... END), prepared like any other, so a block's writes and its
// COMMIT cost one round trip and one statement dispatch instead of one each; other servers get
// them one by one. Values stay `?` placeholders bound through the prepared statement.
#pragma once

#include <string>
#include <vector>

#include "store/mysql_connection.h"

namespace rowchain::store {

class StatementList {
 public:
  void Add(std::string sql, std::vector<Value> params);
  // `other`'s statements after this list's own.
  void Append(StatementList&& other);
  bool empty() const { return m_sql.empty(); }

  // Runs the statements in order inside the caller's transaction (MysqlConnection::Begin);
  // with `commit`, commits it as well. A failing statement stops the rest and returns its
  // error; the transaction is then still open, for the caller to roll back.
  Status Run(MysqlConnection& db, bool commit);
  // Sends the statements without waiting for the server to run them, for the caller to work
  // meanwhile and then finish them with db.FinishUpdate() (MysqlConnection::StartUpdate). Does
  // not commit. Where the server takes no compound statement, all but the last run first.
  Status Start(MysqlConnection& db);

 private:
  // The statements as one anonymous compound statement (MariaDB), ending in COMMIT or not.
  std::string CompoundSql(bool commit) const;

  std::vector<std::string> m_sql;
  std::vector<Value> m_params;
  std::vector<size_t> m_param_counts;
};

}  // namespace rowchain::store
