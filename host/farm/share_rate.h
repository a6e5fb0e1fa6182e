// A worker's hash rate from its verified shares over the last 10 s, 60 s and 15 min: each
// share adds the hashes its target stands for to a one-second bucket of a 900-bucket ring.
// Fixed memory. Not thread-safe (the job server's lock guards it).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace rowchain::farm {

class ShareRate {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr size_t kSeconds = 900;

  explicit ShareRate(TimePoint since) : m_since(since) {}
  void Add(TimePoint when, double hashes);
  // Hashes per second over the last `window` (at most 900 s), or over the time since the
  // first use when that is shorter.
  double PerSecond(TimePoint now, std::chrono::seconds window) const;

 private:
  int64_t SecondOf(TimePoint t) const;
  void Advance(int64_t second);

  TimePoint m_since;
  int64_t m_last_second = 0;  // the newest bucket in use, in seconds since m_since
  std::array<double, kSeconds> m_buckets{};
};

}  // namespace rowchain::farm
