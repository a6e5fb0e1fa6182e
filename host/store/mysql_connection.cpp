#include "store/mysql_connection.h"

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "metrics/metrics.h"

namespace rowchain::store {
namespace {

constexpr size_t kMaxCachedStatements = 512;
constexpr size_t kLargeStatementBytes = 4096;
constexpr size_t kMaxCachedLargeStatements = 4;
constexpr unsigned long kInitialColumnBuffer = 256;

bool IsIntegerField(enum_field_types type) {
  switch (type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_YEAR:
      return true;
    default:
      return false;
  }
}

constexpr unsigned kBinaryCharset = 63;

}  // namespace

// Parameter bindings, kept with their statement and refilled for each execution: a block's
// INSERT binds thousands of values, and fresh arrays of that size cost page faults every time.
struct ParamBinding {
  std::vector<MYSQL_BIND> binds;
  std::vector<long long> ints;
  std::vector<unsigned long> lengths;
  // Array binding (FillColumns): one array per column, column after column.
  std::vector<const char*> strings;
  std::vector<char> indicators;
  size_t array_rows = 0;  // the statement's STMT_ATTR_ARRAY_SIZE; 0 for one row of values

  void Fill(std::span<const Value> params) {
    if (binds.size() < params.size()) {
      binds.resize(params.size());
      ints.resize(params.size());
      lengths.resize(params.size());
    }
    for (size_t i = 0; i < params.size(); ++i) {
      MYSQL_BIND& b = binds[i];
      std::memset(&b, 0, sizeof b);
      const Value& v = params[i];
      switch (v.kind()) {
        case Value::Kind::kNull:
          b.buffer_type = MYSQL_TYPE_NULL;
          break;
        case Value::Kind::kInt:
          ints[i] = v.as_int();
          b.buffer_type = MYSQL_TYPE_LONGLONG;
          b.buffer = &ints[i];
          break;
        case Value::Kind::kText:
        case Value::Kind::kBytes:
          b.buffer_type = v.kind() == Value::Kind::kText ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
          b.buffer = const_cast<char*>(v.as_string().data());
          lengths[i] = v.as_string().size();
          b.buffer_length = lengths[i];
          b.length = &lengths[i];
          break;
      }
    }
  }

  // `rows` rows of `columns` values, row after row, as one array per column (MariaDB's array
  // binding: the statement runs once per row in one round trip). Precondition: ArrayBindable.
  void FillColumns(std::span<const Value> params, size_t rows, size_t columns) {
    binds.assign(columns, MYSQL_BIND{});
    ints.resize(params.size());
    lengths.resize(params.size());
    strings.resize(params.size());
    indicators.resize(params.size());
    for (size_t c = 0; c < columns; ++c) {
      MYSQL_BIND& b = binds[c];
      const size_t base = c * rows;
      b.buffer_type = MYSQL_TYPE_LONGLONG;  // an all-NULL column's values are never read
      b.buffer = &ints[base];
      b.u.indicator = &indicators[base];
      for (size_t r = 0; r < rows; ++r) {
        const Value& v = params[r * columns + c];
        indicators[base + r] = v.is_null() ? STMT_INDICATOR_NULL : STMT_INDICATOR_NONE;
        switch (v.kind()) {
          case Value::Kind::kNull:
            break;
          case Value::Kind::kInt:
            ints[base + r] = v.as_int();
            break;
          case Value::Kind::kText:
          case Value::Kind::kBytes:
            b.buffer_type = v.kind() == Value::Kind::kText ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
            b.buffer = &strings[base];
            b.length = &lengths[base];
            strings[base + r] = v.as_string().data();
            lengths[base + r] = v.as_string().size();
            break;
        }
      }
    }
  }
};

namespace {

// Result storage for one row, grown when a value does not fit.
struct ResultBinding {
  std::vector<MYSQL_BIND> binds;
  std::vector<long long> ints;
  std::vector<std::vector<char>> buffers;
  std::vector<unsigned long> lengths;
  std::vector<my_bool> nulls;
  std::vector<my_bool> errors;
  std::vector<Value::Kind> kinds;

  explicit ResultBinding(MYSQL_RES* meta) {
    unsigned n = mysql_num_fields(meta);
    MYSQL_FIELD* fields = mysql_fetch_fields(meta);
    binds.resize(n);
    ints.resize(n);
    buffers.resize(n);
    lengths.resize(n);
    nulls.resize(n);
    errors.resize(n);
    kinds.resize(n);
    for (unsigned i = 0; i < n; ++i) {
      MYSQL_BIND& b = binds[i];
      std::memset(&b, 0, sizeof b);
      b.is_null = &nulls[i];
      b.error = &errors[i];
      b.length = &lengths[i];
      if (IsIntegerField(fields[i].type)) {
        kinds[i] = Value::Kind::kInt;
        b.buffer_type = MYSQL_TYPE_LONGLONG;
        b.buffer = &ints[i];
        b.is_unsigned = (fields[i].flags & UNSIGNED_FLAG) != 0;
      } else {
        kinds[i] = fields[i].charsetnr == kBinaryCharset ? Value::Kind::kBytes : Value::Kind::kText;
        buffers[i].resize(kInitialColumnBuffer);
        b.buffer_type = MYSQL_TYPE_BLOB;
        b.buffer = buffers[i].data();
        b.buffer_length = kInitialColumnBuffer;
      }
    }
  }
};

// Waits on the connection's socket for what the non-blocking library asked for (`wait`, a mask
// of MYSQL_WAIT_*); returns what happened, in the same terms.
int WaitForSocket(MYSQL* mysql, int wait) {
  pollfd fd{.fd = mysql_get_socket(mysql), .events = 0, .revents = 0};
  if (wait & MYSQL_WAIT_READ) fd.events |= POLLIN;
  if (wait & MYSQL_WAIT_WRITE) fd.events |= POLLOUT;
  if (wait & MYSQL_WAIT_EXCEPT) fd.events |= POLLPRI;
  const int timeout_ms = (wait & MYSQL_WAIT_TIMEOUT) ? static_cast<int>(mysql_get_timeout_value_ms(mysql)) : -1;
  int ready;
  do {
    ready = poll(&fd, 1, timeout_ms);
  } while (ready < 0 && errno == EINTR);
  if (ready == 0) return MYSQL_WAIT_TIMEOUT;
  int happened = 0;
  // A closed or failed socket is reported as readable: the library's read then sees the error.
  if (fd.revents & (POLLIN | POLLHUP | POLLERR)) happened |= MYSQL_WAIT_READ;
  if (fd.revents & POLLOUT) happened |= MYSQL_WAIT_WRITE;
  if (fd.revents & POLLPRI) happened |= MYSQL_WAIT_EXCEPT;
  return happened;
}

}  // namespace

// A statement StartUpdate sent: its values (which its statement's bindings point into) stay
// alive until it is finished.
struct PendingUpdate {
  PreparedStatement* statement = nullptr;
  std::vector<Value> params;
  int wait = 0;    // what the library waits for; 0 once the statement is done
  int result = 0;  // mysql_stmt_execute's return value, once done
};

Status MysqlError(unsigned error_number, std::string_view message, std::string_view what) {
  StatusCode code = StatusCode::kInternal;
  switch (error_number) {
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_CONN_HOST_ERROR:
    case CR_CONNECTION_ERROR:
    case CR_UNKNOWN_HOST:
    case ER_CONNECTION_KILLED:
    case ER_SERVER_SHUTDOWN:
      code = StatusCode::kUnavailable;
      break;
    case ER_DUP_ENTRY:
      code = StatusCode::kAlreadyExists;
      break;
    case ER_BAD_NULL_ERROR:  // NULL into a NOT NULL column (strict mode makes it an error)
      code = StatusCode::kFailedPrecondition;
      break;
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
      code = StatusCode::kPermissionDenied;
      break;
    default:
      break;
  }
  return {code, fmt::format("{}: MySQL error {}: {}", what, error_number, message)};
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  out.push_back('`');
  return out;
}

PreparedStatement::PreparedStatement(MYSQL_STMT* stmt) : m_stmt(stmt), m_binding(std::make_unique<ParamBinding>()) {}

PreparedStatement::~PreparedStatement() { mysql_stmt_close(m_stmt); }

Status PreparedStatement::Error(std::string_view what) const {
  return MysqlError(mysql_stmt_errno(m_stmt), mysql_stmt_error(m_stmt), what);
}

Status PreparedStatement::Bind(std::span<const Value> params) {
  if (params.size() != mysql_stmt_param_count(m_stmt)) {
    return InternalError(fmt::format("statement takes {} parameters, given {}", mysql_stmt_param_count(m_stmt),
                                     params.size()));
  }
  ROWCHAIN_RETURN_IF_ERROR(SetArrayRows(0));  // the statement may have run as an array before
  m_binding->Fill(params);
  if (!params.empty() && mysql_stmt_bind_param(m_stmt, m_binding->binds.data())) return Error("bind");
  return OkStatus();
}

Status PreparedStatement::SetArrayRows(size_t rows) {
  if (m_binding->array_rows == rows) return OkStatus();
  unsigned int size = static_cast<unsigned int>(rows);
  if (mysql_stmt_attr_set(m_stmt, STMT_ATTR_ARRAY_SIZE, &size)) return Error("array size");
  m_binding->array_rows = rows;
  return OkStatus();
}

Status PreparedStatement::BindRows(std::span<const Value> params, size_t rows) {
  const size_t columns = mysql_stmt_param_count(m_stmt);
  if (rows == 0 || columns == 0 || params.size() != rows * columns || !ArrayBindable(params, rows)) {
    return InternalError(fmt::format("{} values do not bind as {} rows of {} columns of one kind each", params.size(),
                                     rows, columns));
  }
  m_binding->FillColumns(params, rows, columns);
  ROWCHAIN_RETURN_IF_ERROR(SetArrayRows(rows));
  if (mysql_stmt_bind_param(m_stmt, m_binding->binds.data())) return Error("bind");
  return OkStatus();
}

Status PreparedStatement::Run(std::span<const Value> params) {
  ROWCHAIN_RETURN_IF_ERROR(Bind(params));
  if (mysql_stmt_execute(m_stmt)) return Error("execute");
  return OkStatus();
}

StatusOr<uint64_t> PreparedStatement::Execute(std::span<const Value> params) {
  ROWCHAIN_RETURN_IF_ERROR(Run(params));
  return static_cast<uint64_t>(mysql_stmt_affected_rows(m_stmt));
}

Status PreparedStatement::Query(std::span<const Value> params, const RowCallback& on_row) {
  ROWCHAIN_RETURN_IF_ERROR(Run(params));
  MYSQL_RES* meta = mysql_stmt_result_metadata(m_stmt);
  if (meta == nullptr) return InternalError("query returned no result set");
  ResultBinding result(meta);
  mysql_free_result(meta);
  Status status;
  if (mysql_stmt_bind_result(m_stmt, result.binds.data())) {
    status = Error("bind result");
  } else {
    std::vector<Value> row(result.binds.size());
    while (status.ok()) {
      int rc = mysql_stmt_fetch(m_stmt);
      if (rc == MYSQL_NO_DATA) break;
      if (rc == 1) {
        status = Error("fetch");
        break;
      }
      for (unsigned i = 0; i < row.size() && status.ok(); ++i) {
        if (result.nulls[i]) {
          row[i] = Value::Null();
        } else if (result.kinds[i] == Value::Kind::kInt) {
          row[i] = Value::Int(result.ints[i]);
        } else {
          unsigned long size = result.lengths[i];
          std::string bytes;
          if (size <= result.buffers[i].size()) {
            bytes.assign(result.buffers[i].data(), size);
          } else {  // truncated: fetch the whole value into a buffer of its size
            bytes.resize(size);
            MYSQL_BIND whole;
            std::memset(&whole, 0, sizeof whole);
            whole.buffer_type = MYSQL_TYPE_BLOB;
            whole.buffer = bytes.data();
            whole.buffer_length = size;
            if (mysql_stmt_fetch_column(m_stmt, &whole, i, 0)) status = Error("fetch column");
          }
          row[i] = result.kinds[i] == Value::Kind::kText ? Value::Text(std::move(bytes)) : Value::Bytes(std::move(bytes));
        }
      }
      if (status.ok()) status = on_row(row);
    }
  }
  // Also reads and discards rows a stopped callback left, so the connection stays usable.
  mysql_stmt_free_result(m_stmt);
  return status;
}

StatusOr<std::unique_ptr<MysqlConnection>> MysqlConnection::Connect(const MysqlUri& uri, const ConnectOptions& options) {
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return InternalError("mysql_init failed (out of memory)");
  unsigned timeout = options.connect_timeout_s;
  mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (options.nonblocking && mysql_options(mysql, MYSQL_OPT_NONBLOCK, nullptr) != 0) {
    mysql_close(mysql);
    return InternalError("the MySQL client library has no non-blocking API");
  }
  if (uri.ssl_mode != SslMode::kDisabled || !uri.ssl_ca.empty()) {
    auto or_null = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    mysql_ssl_set(mysql, or_null(uri.ssl_key), or_null(uri.ssl_cert), or_null(uri.ssl_ca), nullptr, nullptr);
    my_bool enforce = 1;
    mysql_options(mysql, MYSQL_OPT_SSL_ENFORCE, &enforce);
    my_bool verify = uri.ssl_mode == SslMode::kVerifyCa || uri.ssl_mode == SslMode::kVerifyIdentity;
    mysql_options(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  }
  const char* host = uri.socket.empty() ? uri.host.c_str() : "localhost";
  const char* socket = uri.socket.empty() ? nullptr : uri.socket.c_str();
  auto connect = [&](const char* database) {
    return mysql_real_connect(mysql, host, uri.user.c_str(), uri.password.c_str(), database, uri.port, socket,
                              CLIENT_FOUND_ROWS) != nullptr;
  };
  bool connected = connect(uri.database.c_str());
  if (!connected && mysql_errno(mysql) == ER_BAD_DB_ERROR && options.create_database) {
    connected = connect(nullptr);
    if (connected) {
      std::string sql = "CREATE DATABASE IF NOT EXISTS " + QuoteIdentifier(uri.database) +
                        " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
      connected = mysql_real_query(mysql, sql.data(), sql.size()) == 0 &&
                  mysql_select_db(mysql, uri.database.c_str()) == 0;
    }
  }
  if (!connected) {
    metrics::Get().mysql_connection_errors.Increment();
    Status s = MysqlError(mysql_errno(mysql), mysql_error(mysql), fmt::format("connect to {}", uri.Redacted()));
    mysql_close(mysql);
    return s;
  }
  auto connection = std::unique_ptr<MysqlConnection>(new MysqlConnection(mysql, uri));
  // Strict mode: a value the column cannot hold is an error, never silently truncated.
  ROWCHAIN_RETURN_IF_ERROR(connection->Execute(
      "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY'"));
  connection->m_nonblocking = options.nonblocking;
  connection->m_compound_statements = std::string_view(mysql_get_server_info(mysql)).find("MariaDB") != std::string_view::npos;
  unsigned long extended_capabilities = 0;
  if (mariadb_get_infov(mysql, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &extended_capabilities) == 0) {
    connection->m_array_binding = (extended_capabilities & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32)) != 0;
  }
  if (options.deferred_begin) {
    ROWCHAIN_RETURN_IF_ERROR(connection->Execute("SET SESSION autocommit = 0"));
    connection->m_deferred_begin = true;
  }
  return connection;
}

MysqlConnection::MysqlConnection(MYSQL* mysql, MysqlUri uri) : m_mysql(mysql), m_uri(std::move(uri)) {}

MysqlConnection::~MysqlConnection() {
  if (m_pending) (void)FinishUpdate();
  m_statements.clear();
  mysql_close(m_mysql);
}

Status MysqlConnection::Execute(std::string_view sql) { return EndStatement(RunText(sql)); }

Status MysqlConnection::RefuseWhilePending() const {
  if (m_pending) return InternalError("a statement is still running on this connection (FinishUpdate first)");
  return OkStatus();
}

Status MysqlConnection::RunText(std::string_view sql) {
  ROWCHAIN_RETURN_IF_ERROR(RefuseWhilePending());
  if (mysql_real_query(m_mysql, sql.data(), sql.size()) != 0) {
    return MysqlError(mysql_errno(m_mysql), mysql_error(m_mysql), sql.substr(0, 40));
  }
  // Statements run here return no rows, but free any result so the connection stays in sync.
  if (MYSQL_RES* result = mysql_store_result(m_mysql)) mysql_free_result(result);
  return OkStatus();
}

StatusOr<PreparedStatement*> MysqlConnection::Prepare(const std::string& sql) {
  ROWCHAIN_RETURN_IF_ERROR(RefuseWhilePending());
  if (auto it = m_statements.find(sql); it != m_statements.end()) return it->second.get();
  if (m_statements.size() >= kMaxCachedStatements) {
    m_statements.clear();
    m_large_statements = 0;
  }
  // Large statements (a block's multi-row INSERT: one per distinct row count) hold big buffers
  // on both sides, so only a few are kept.
  if (sql.size() > kLargeStatementBytes && ++m_large_statements > kMaxCachedLargeStatements) {
    std::erase_if(m_statements, [](const auto& entry) { return entry.first.size() > kLargeStatementBytes; });
    m_large_statements = 1;
  }
  MYSQL_STMT* stmt = mysql_stmt_init(m_mysql);
  if (stmt == nullptr) return InternalError("mysql_stmt_init failed (out of memory)");
  if (mysql_stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
    Status s = MysqlError(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), "prepare");
    mysql_stmt_close(stmt);
    return s;
  }
  auto [it, inserted] = m_statements.emplace(sql, std::make_unique<PreparedStatement>(stmt));
  return it->second.get();
}

StatusOr<uint64_t> MysqlConnection::Update(const std::string& sql, std::span<const Value> params) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return EndStatement((*stmt)->Execute(params));
}

bool ArrayBindable(std::span<const Value> params, size_t rows) {
  if (rows == 0 || params.size() % rows != 0) return false;
  const size_t columns = params.size() / rows;
  for (size_t c = 0; c < columns; ++c) {
    std::optional<Value::Kind> kind;
    for (size_t r = 0; r < rows; ++r) {
      const Value& v = params[r * columns + c];
      if (v.is_null()) continue;
      if (kind && *kind != v.kind()) return false;
      kind = v.kind();
    }
  }
  return true;
}

Status MysqlConnection::StartUpdate(const std::string& sql, std::vector<Value> params, size_t array_rows) {
  if (!m_nonblocking) return InternalError("StartUpdate needs a connection opened nonblocking");
  if (m_deferred_begin && !m_in_transaction) return InternalError("StartUpdate outside a transaction");
  if (array_rows > 0 && !m_array_binding) return InternalError("the server takes no array binding");
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto pending = std::make_unique<PendingUpdate>();
  pending->statement = *stmt;
  pending->params = std::move(params);  // the bindings point into these
  ROWCHAIN_RETURN_IF_ERROR(array_rows > 0 ? (*stmt)->BindRows(pending->params, array_rows)
                                          : (*stmt)->Bind(pending->params));
  // Returns once the statement is written and the library would wait for the server's answer.
  pending->wait = mysql_stmt_execute_start(&pending->result, (*stmt)->m_stmt);
  m_pending = std::move(pending);
  return OkStatus();
}

StatusOr<uint64_t> MysqlConnection::FinishUpdate() {
  if (!m_pending) return InternalError("FinishUpdate without a pending statement");
  std::unique_ptr<PendingUpdate> pending = std::move(m_pending);
  MYSQL_STMT* handle = pending->statement->m_stmt;
  while (pending->wait != 0) {
    pending->wait = mysql_stmt_execute_cont(&pending->result, handle, WaitForSocket(m_mysql, pending->wait));
  }
  if (pending->result != 0) return pending->statement->Error("execute");
  return static_cast<uint64_t>(mysql_stmt_affected_rows(handle));
}

Status MysqlConnection::UpdateCommitting(const std::string& sql, std::span<const Value> params) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto done = (*stmt)->Execute(params);
  if (done.ok()) m_in_transaction = false;
  return done.status();
}

Status MysqlConnection::QueryEach(const std::string& sql, std::span<const Value> params, const RowCallback& on_row) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return EndStatement((*stmt)->Query(params, on_row));
}

StatusOr<std::vector<Row>> MysqlConnection::Query(const std::string& sql, std::span<const Value> params) {
  std::vector<Row> rows;
  Status s = QueryEach(sql, params, [&](std::span<const Value> row) {
    rows.emplace_back(row.begin(), row.end());
    return OkStatus();
  });
  if (!s.ok()) return s;
  return rows;
}

Status MysqlConnection::Begin() {
  if (!m_deferred_begin) return RunText("START TRANSACTION");
  m_in_transaction = true;  // autocommit is off: the next statement opens the transaction
  return OkStatus();
}

Status MysqlConnection::Commit() {
  m_in_transaction = false;
  const auto start = std::chrono::steady_clock::now();
  Status done = RunText("COMMIT");
  metrics::Get().commit_seconds.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (done.code() == StatusCode::kUnavailable) metrics::Get().mysql_connection_errors.Increment();  // lost
  return done;
}

void MysqlConnection::Rollback() {
  if (m_pending) (void)FinishUpdate();
  m_in_transaction = false;
  (void)RunText("ROLLBACK");
}

uint64_t MysqlConnection::ServerThreadId() const { return mysql_thread_id(m_mysql); }

}  // namespace rowchain::store
