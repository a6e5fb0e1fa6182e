// Time, injected (STYLE.md 19): code that compares against "now" takes a SteadyClock, so tests
// move time instead of sleeping. Thread safety as the function's; SystemSteadyClock's is.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>

namespace rowchain {

using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

inline SteadyClock SystemSteadyClock() {
  return [] { return std::chrono::steady_clock::now(); };
}

// For tests: time stands still until Advance moves it. Thread-safe.
class ManualClock {
 public:
  std::chrono::steady_clock::time_point Now() const { return m_now.load(); }
  void Advance(std::chrono::steady_clock::duration d) { m_now.store(m_now.load() + d); }
  SteadyClock AsClock() {
    return [this] { return Now(); };
  }

 private:
  std::atomic<std::chrono::steady_clock::time_point> m_now{std::chrono::steady_clock::time_point{} +
                                                           std::chrono::hours(1)};
};

}  // namespace rowchain
