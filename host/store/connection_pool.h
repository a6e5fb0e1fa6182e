// A small pool of MySQL connections for work that may run in parallel with block commits
// (writers' submissions, batch lookups). Connections are opened on demand up to a limit; a
// caller waits when all are lent; a connection that failed is closed instead of returned, so
// the next caller gets a fresh one. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <utility>
#include <memory>
#include <mutex>
#include <vector>

#include "store/mysql_connection.h"
#include "store/mysql_uri.h"

namespace rowchain::store {

class ConnectionPool {
 public:
  ConnectionPool(MysqlUri uri, size_t max_connections) : m_uri(std::move(uri)), m_max(max_connections) {}

  // Runs `work` (returning a StatusOr) on a lent connection; UNAVAILABLE or INTERNAL (the
  // connection may be broken) closes that connection.
  template <class Work>
  auto With(Work&& work) -> decltype(work(std::declval<MysqlConnection&>())) {
    auto lent = Borrow();
    if (!lent.ok()) return lent.status();
    auto result = work(**lent);
    StatusCode code = result.status().code();
    Return(std::move(*lent), code != StatusCode::kUnavailable && code != StatusCode::kInternal);
    return result;
  }

 private:
  StatusOr<std::unique_ptr<MysqlConnection>> Borrow();
  void Return(std::unique_ptr<MysqlConnection> connection, bool healthy);

  MysqlUri m_uri;
  size_t m_max;
  std::mutex m_mutex;
  std::condition_variable m_returned;
  std::vector<std::unique_ptr<MysqlConnection>> m_idle;
  size_t m_lent_or_opening = 0;
};

}  // namespace rowchain::store
