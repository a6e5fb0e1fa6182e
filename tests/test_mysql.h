// The tests' private MariaDB (scripts/mariadb.sh, started by the ctest fixture `mariadb`) and
// one fresh database per test, dropped afterwards, so tests run in parallel on one server.
#pragma once

#include <memory>
#include <string>

#include "store/mysql_connection.h"
#include "store/mysql_uri.h"

namespace rowchain::testing {

// The server's socket URI (database "rowchain"); fails the test when the server is not there.
store::MysqlUri TestServerUri();
std::string TestServerDir();
// The URI as text, password included (for CLI arguments).
std::string UriText(const store::MysqlUri& uri);

class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const store::MysqlUri& uri() const { return m_uri; }
  std::string text() const { return UriText(m_uri); }
  // A separate connection for looking at (or tampering with) the database.
  store::MysqlConnection& admin();

 private:
  store::MysqlUri m_uri;
  std::unique_ptr<store::MysqlConnection> m_admin;
};

}  // namespace rowchain::testing
