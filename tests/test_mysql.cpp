#include "test_mysql.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include <fmt/format.h>

namespace rowchain::testing {

std::string TestServerDir() { return ROWCHAIN_TEST_MYSQL_DIR; }

store::MysqlUri TestServerUri() {
  std::ifstream in(TestServerDir() + "/uri");
  std::string text;
  std::getline(in, text);
  if (text.empty()) {
    ADD_FAILURE() << "no test MariaDB at " << TestServerDir()
                  << " (ctest starts it; by hand: scripts/mariadb.sh start " << TestServerDir() << ")";
    return {};
  }
  auto uri = store::ParseMysqlUri(text);
  EXPECT_TRUE(uri.ok()) << uri.status().ToString();
  return uri.ok() ? *uri : store::MysqlUri{};
}

std::string UriText(const store::MysqlUri& uri) {
  if (!uri.socket.empty()) {
    return fmt::format("mysql://{}:{}@localhost/{}?socket={}", uri.user, uri.password, uri.database, uri.socket);
  }
  return fmt::format("mysql://{}:{}@{}:{}/{}", uri.user, uri.password, uri.host, uri.port, uri.database);
}

TestDatabase::TestDatabase() : m_uri(TestServerUri()) {
  std::random_device rd;
  m_uri.database = fmt::format("rc_test_{:08x}{:08x}", rd(), rd());
}

TestDatabase::~TestDatabase() {
  m_admin.reset();
  auto db = store::MysqlConnection::Connect(m_uri, {.create_database = true});
  if (db.ok()) (void)(*db)->Execute("DROP DATABASE IF EXISTS " + store::QuoteIdentifier(m_uri.database));
}

store::MysqlConnection& TestDatabase::admin() {
  if (!m_admin) {
    auto db = store::MysqlConnection::Connect(m_uri, {.create_database = true});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    m_admin = std::move(*db);
  }
  return *m_admin;
}

}  // namespace rowchain::testing
