#include "api/worker_pool.h"

namespace rowchain::api {

WorkerPool::WorkerPool(size_t threads) {
  for (size_t i = 0; i < std::max<size_t>(1, threads); ++i) m_threads.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(m_mutex);
    m_closing = true;
  }
  m_ready.notify_all();
  for (std::thread& t : m_threads) t.join();
}

void WorkerPool::Post(std::function<void()> work) {
  {
    std::lock_guard lock(m_mutex);
    m_queue.push_back(std::move(work));
  }
  m_ready.notify_one();
}

void WorkerPool::Run() {
  for (;;) {
    std::function<void()> work;
    {
      std::unique_lock lock(m_mutex);
      m_ready.wait(lock, [&] { return m_closing || !m_queue.empty(); });
      if (m_queue.empty()) return;
      work = std::move(m_queue.front());
      m_queue.pop_front();
    }
    work();
  }
}

}  // namespace rowchain::api
