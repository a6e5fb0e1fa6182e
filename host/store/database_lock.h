// One node per database. Two nodes writing one chain's tables corrupt it (two blocks marked as
// the main chain at one height), so a chain store holds a MariaDB named lock on the database
// for its whole life, on a connection of its own. The server frees the lock when that
// connection ends, so a node that crashed (kill -9) leaves nothing to clean up: its successor
// takes the lock (waiting up to 2 s for the server to notice). A node that stops releases it
// at once. Thread-compatible.
#pragma once

#include <memory>
#include <string>

#include "store/mysql_connection.h"
#include "store/mysql_uri.h"

namespace rowchain::store {

class DatabaseLock {
 public:
  // UNAVAILABLE naming the holder (its MySQL connection and host) when another process holds it.
  static StatusOr<std::unique_ptr<DatabaseLock>> Acquire(const MysqlUri& uri);
  ~DatabaseLock();  // releases the lock
  // Still held? Takes it again on a new connection when the old one was lost (a server restart);
  // UNAVAILABLE when someone else took it meanwhile.
  Status Verify();

  // The lock's name for a database: "rowchain:<database>" (long names are shortened with a hash).
  static std::string NameFor(const std::string& database);

 private:
  DatabaseLock(MysqlUri uri, std::string name) : m_uri(std::move(uri)), m_name(std::move(name)) {}
  Status Take();

  MysqlUri m_uri;
  std::string m_name;
  std::unique_ptr<MysqlConnection> m_db;
};

}  // namespace rowchain::store
