#include "store/database_lock.h"

#include <array>

#include <fmt/format.h>

namespace rowchain::store {

namespace {

// MariaDB's lock names are at most 64 characters.
constexpr size_t kMaxLockName = 64;

std::string Fnv1aHex(const std::string& text) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ull;
  return fmt::format("{:016x}", hash);
}

}  // namespace

std::string DatabaseLock::NameFor(const std::string& database) {
  std::string name = "rowchain:" + database;
  if (name.size() <= kMaxLockName) return name;
  return name.substr(0, kMaxLockName - 17) + ":" + Fnv1aHex(database);
}

StatusOr<std::unique_ptr<DatabaseLock>> DatabaseLock::Acquire(const MysqlUri& uri) {
  std::unique_ptr<DatabaseLock> lock(new DatabaseLock(uri, NameFor(uri.database)));
  ROWCHAIN_RETURN_IF_ERROR(lock->Take());
  return lock;
}

Status DatabaseLock::Take() {
  auto db = MysqlConnection::Connect(m_uri, {.create_database = true});
  if (!db.ok()) return db.status();
  std::array<Value, 1> name = {Value::Text(m_name)};
  // A short wait: a predecessor that has just stopped or died may still be on its way out
  // (the server frees its lock when it notices the connection closed). A live holder keeps it.
  auto got = (*db)->Query("SELECT GET_LOCK(?, 2)", name);
  if (!got.ok()) return got.status();
  if (!(*got)[0][0].is_null() && (*got)[0][0].as_int() == 1) {
    m_db = std::move(*db);
    return OkStatus();
  }
  std::string holder = "another connection";
  auto who = (*db)->Query(
      "SELECT p.ID, p.HOST FROM information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK(?)", name);
  if (who.ok() && !who->empty()) {
    holder = fmt::format("MySQL connection {} from {}", (*who)[0][0].as_int(), (*who)[0][1].as_string());
  }
  return UnavailableError(fmt::format(
      "database '{}' is in use by another rowchain node ({}); two nodes on one database corrupt its chain: "
      "stop the other node, or give this one its own database",
      m_uri.database, holder));
}

DatabaseLock::~DatabaseLock() {
  // Freed now rather than when the server notices the connection closed: a node started right
  // after this one stopped (a restart) finds the database free.
  if (!m_db) return;
  std::array<Value, 1> name = {Value::Text(m_name)};
  (void)m_db->Query("SELECT RELEASE_LOCK(?)", name);
}

Status DatabaseLock::Verify() {
  if (m_db) {
    std::array<Value, 1> name = {Value::Text(m_name)};
    auto mine = m_db->Query("SELECT IS_USED_LOCK(?) = CONNECTION_ID()", name);
    if (mine.ok() && !(*mine)[0][0].is_null() && (*mine)[0][0].as_int() == 1) return OkStatus();
  }
  m_db.reset();  // the connection (and with it the lock) was lost
  return Take();
}

}  // namespace rowchain::store
