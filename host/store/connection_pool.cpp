#include "store/connection_pool.h"

namespace rowchain::store {

StatusOr<std::unique_ptr<MysqlConnection>> ConnectionPool::Borrow() {
  std::unique_lock lock(m_mutex);
  m_returned.wait(lock, [&] { return !m_idle.empty() || m_lent_or_opening < m_max; });
  ++m_lent_or_opening;
  if (!m_idle.empty()) {
    auto connection = std::move(m_idle.back());
    m_idle.pop_back();
    return connection;
  }
  lock.unlock();
  auto opened = MysqlConnection::Connect(m_uri);
  if (!opened.ok()) {
    std::lock_guard relock(m_mutex);
    --m_lent_or_opening;
    m_returned.notify_one();
    return opened.status();
  }
  return std::move(*opened);
}

void ConnectionPool::Return(std::unique_ptr<MysqlConnection> connection, bool healthy) {
  std::lock_guard lock(m_mutex);
  --m_lent_or_opening;
  if (healthy) m_idle.push_back(std::move(connection));
  m_returned.notify_one();
}

}  // namespace rowchain::store
