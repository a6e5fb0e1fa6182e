// Waiting in tests. Eventually: for something that must happen, with a deadline (never a fixed
// sleep). HoldsThroughout: for something that must NOT happen, watched for a stated time (the
// shortest that lets the thing happen if the code were wrong; the test's name says so).
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace rowchain::testing {

// True as soon as `condition` holds; false when it still does not after `timeout`.
inline bool Eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30),
                       std::chrono::milliseconds poll = std::chrono::milliseconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(poll);
  }
  return true;
}

// True when `condition` held at every look during `period`.
inline bool HoldsThroughout(const std::function<bool()>& condition, std::chrono::milliseconds period,
                            std::chrono::milliseconds poll = std::chrono::milliseconds(10)) {
  const auto end = std::chrono::steady_clock::now() + period;
  do {
    if (!condition()) return false;
    std::this_thread::sleep_for(poll);
  } while (std::chrono::steady_clock::now() < end);
  return condition();
}

}  // namespace rowchain::testing
