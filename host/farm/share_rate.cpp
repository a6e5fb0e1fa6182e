#include "farm/share_rate.h"

#include <algorithm>

namespace rowchain::farm {

int64_t ShareRate::SecondOf(TimePoint t) const {
  return std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(t - m_since).count());
}

void ShareRate::Advance(int64_t second) {
  if (second <= m_last_second) return;
  // Buckets between the last one used and this one held nothing.
  const int64_t cleared = std::min<int64_t>(second - m_last_second, kSeconds);
  for (int64_t i = 1; i <= cleared; ++i) m_buckets[(m_last_second + i) % kSeconds] = 0;
  m_last_second = second;
}

void ShareRate::Add(TimePoint when, double hashes) {
  const int64_t second = SecondOf(when);
  Advance(second);
  if (m_last_second - second >= static_cast<int64_t>(kSeconds)) return;  // too old to count
  m_buckets[second % kSeconds] += hashes;
}

double ShareRate::PerSecond(TimePoint now, std::chrono::seconds window) const {
  const int64_t now_second = SecondOf(now);
  const int64_t span = std::min<int64_t>({window.count(), static_cast<int64_t>(kSeconds), now_second + 1});
  double sum = 0;
  for (int64_t s = now_second - span + 1; s <= now_second; ++s) {
    // Buckets past the last one written hold stale values from a lap ago: skip them.
    if (s < 0 || s > m_last_second || m_last_second - s >= static_cast<int64_t>(kSeconds)) continue;
    sum += m_buckets[s % kSeconds];
  }
  const double seconds = std::min(static_cast<double>(span),
                                  std::chrono::duration<double>(now - m_since).count());
  return seconds > 0 ? sum / seconds : 0;
}

}  // namespace rowchain::farm
