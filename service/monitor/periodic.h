// A thread that calls a function now and then every `interval` until the object goes (which
// wakes it at once and joins it). For the monitor's samplers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace rowchain::monitor {

class Periodic {
 public:
  Periodic(std::chrono::milliseconds interval, std::function<void()> tick)
      : m_thread([this, interval, tick = std::move(tick)] {
          std::unique_lock lock(m_mutex);
          while (!m_stopping) {
            lock.unlock();
            tick();
            lock.lock();
            m_wake.wait_for(lock, interval, [this] { return m_stopping; });
          }
        }) {}
  ~Periodic() {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
  }
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

 private:
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;
  std::thread m_thread;  // last: started once the rest is built
};

}  // namespace rowchain::monitor
