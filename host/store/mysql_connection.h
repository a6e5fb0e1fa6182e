// One connection to MySQL/MariaDB through MariaDB Connector/C (the libmysqlclient API).
// Values travel only through prepared statements, whose parameters and results are
// consensus::Value; SQL text is built only from the chain's schema and fixed node tables.
// Prepared statements are cached by their SQL text. Not thread-safe: one user at a time.
//
// Errors: a lost or refused connection is UNAVAILABLE, bad credentials PERMISSION_DENIED, a
// duplicate key ALREADY_EXISTS, NULL into a NOT NULL column FAILED_PRECONDITION, everything
// else INTERNAL with the server's message. The password never appears in one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "consensus/value.h"
#include "store/mysql_uri.h"
#include "util/status.h"

typedef struct st_mysql MYSQL;
typedef struct st_mysql_stmt MYSQL_STMT;

namespace rowchain::store {

using consensus::Value;
using Row = std::vector<Value>;
// Called once per result row; a non-OK status stops the query and is returned. Rows are
// streamed, so the callback must not use the same connection.
using RowCallback = std::function<Status(std::span<const Value>)>;

struct ConnectOptions {
  bool create_database = false;  // CREATE DATABASE IF NOT EXISTS the URI's database
  unsigned connect_timeout_s = 10;
  // The session runs with autocommit off, so Begin() costs no round trip: the next statement
  // opens the transaction. A statement outside Begin()/Commit() is committed (or, when it
  // fails, rolled back) at once, as under autocommit, so no transaction is left open. For a
  // connection that runs many short transactions (the chain store's block connects).
  bool deferred_begin = false;
  // MariaDB's non-blocking client API, for StartUpdate. Off, the connection is as before.
  bool nonblocking = false;
};

struct PendingUpdate;

struct ParamBinding;

class PreparedStatement {
 public:
  explicit PreparedStatement(MYSQL_STMT* stmt);
  ~PreparedStatement();
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;

  // Runs a statement without a result set; returns the rows it matched (CLIENT_FOUND_ROWS).
  StatusOr<uint64_t> Execute(std::span<const Value> params);
  // Runs a query and streams its rows: integers as Int, binary strings as Bytes, others as Text.
  Status Query(std::span<const Value> params, const RowCallback& on_row);

 private:
  friend class MysqlConnection;  // StartUpdate drives mysql_stmt_execute_start itself
  Status Bind(std::span<const Value> params);  // valid until the next Bind
  Status BindRows(std::span<const Value> params, size_t rows);  // array binding, as Bind
  Status SetArrayRows(size_t rows);
  Status Run(std::span<const Value> params);
  Status Error(std::string_view what) const;
  MYSQL_STMT* m_stmt;
  std::unique_ptr<ParamBinding> m_binding;
};

class MysqlConnection {
 public:
  static StatusOr<std::unique_ptr<MysqlConnection>> Connect(const MysqlUri& uri, const ConnectOptions& options = {});
  ~MysqlConnection();
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  // Text protocol for statements without parameters or results (DDL, BEGIN, COMMIT).
  Status Execute(std::string_view sql);
  // The cached prepared statement for `sql`; valid until the cache is next cleared, which
  // happens only inside Prepare, so do not hold one across another Prepare.
  StatusOr<PreparedStatement*> Prepare(const std::string& sql);

  StatusOr<uint64_t> Update(const std::string& sql, std::span<const Value> params);
  // A statement that ends the transaction itself (a compound statement ending in COMMIT).
  Status UpdateCommitting(const std::string& sql, std::span<const Value> params);
  // Sends a statement without a result set and returns as soon as it is on its way, so the
  // caller can work while the server runs it; FinishUpdate waits for its result (the rows it
  // matched). Inside Begin()/Commit() only, on a connection opened `nonblocking`. While one is
  // pending the connection takes no other statement (INTERNAL) except Rollback, which waits
  // for it and discards its result.
  // With `array_rows`, `sql` takes one row of values and `params` holds that many rows, row
  // after row: the server runs the statement once per row, all in one round trip (MariaDB's
  // array binding, where SupportsArrayBinding; each column's values of one kind or NULL). A
  // multi-row INSERT of the same rows makes the server parse and bind every placeholder; an
  // array of 1,000 rows inserts ~10% faster (BENCHMARKS.md).
  Status StartUpdate(const std::string& sql, std::vector<Value> params, size_t array_rows = 0);
  StatusOr<uint64_t> FinishUpdate();
  bool HasPendingUpdate() const { return m_pending != nullptr; }
  // MariaDB runs anonymous compound statements (BEGIN NOT ATOMIC ... END); MySQL does not.
  bool SupportsCompoundStatements() const { return m_compound_statements; }
  // Tests: run statement lists one by one even on MariaDB (the path other servers take).
  void DisableCompoundStatements() { m_compound_statements = false; }
  // MariaDB 10.2 and later run a statement over an array of rows (StartUpdate's array_rows).
  bool SupportsArrayBinding() const { return m_array_binding; }
  void DisableArrayBinding() { m_array_binding = false; }  // tests: the multi-row path
  Status QueryEach(const std::string& sql, std::span<const Value> params, const RowCallback& on_row);
  StatusOr<std::vector<Row>> Query(const std::string& sql, std::span<const Value> params = {});

  Status Begin();
  Status Commit();
  // Best effort: a connection that is gone has rolled back already.
  void Rollback();

  // The server's id for this connection (what KILL takes).
  uint64_t ServerThreadId() const;
  const MysqlUri& uri() const { return m_uri; }

 private:
  MysqlConnection(MYSQL* mysql, MysqlUri uri);
  Status RunText(std::string_view sql);
  Status RefuseWhilePending() const;
  // With deferred_begin, ends the implicit transaction of a statement run outside Begin().
  template <class T>
  T EndStatement(T result) {
    if (!m_deferred_begin || m_in_transaction) return result;
    if (!result.ok()) {
      (void)RunText("ROLLBACK");
      return result;
    }
    if (Status committed = RunText("COMMIT"); !committed.ok()) return committed;
    return result;
  }
  MYSQL* m_mysql;
  MysqlUri m_uri;
  bool m_deferred_begin = false;
  bool m_in_transaction = false;
  bool m_compound_statements = false;
  bool m_array_binding = false;
  bool m_nonblocking = false;
  std::unique_ptr<PendingUpdate> m_pending;
  size_t m_large_statements = 0;  // cached statements over kLargeStatementBytes of SQL
  std::unordered_map<std::string, std::unique_ptr<PreparedStatement>> m_statements;
};

// True when `params`, as `rows` rows, hold in each column values of one kind (or NULL): what
// array binding takes.
bool ArrayBindable(std::span<const Value> params, size_t rows);

// Maps a client or server error number to a status code (UNAVAILABLE for lost connections).
Status MysqlError(unsigned error_number, std::string_view message, std::string_view what);

// `name` quoted for SQL: backticks, with embedded backticks doubled.
std::string QuoteIdentifier(std::string_view name);

}  // namespace rowchain::store
