#include "util/key_filter.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <mutex>

namespace rowchain {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer: a second, independent-looking hash
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

KeyFilter::Layer::Layer(size_t layer_capacity, double false_positive_rate) : capacity(layer_capacity) {
  // Optimal Bloom filter: m = -n ln p / (ln 2)^2 bits and k = log2(1/p) hashes; m is rounded up
  // to a power of two so that a position is a mask, not a division.
  const double bits_wanted = -static_cast<double>(capacity) * std::log(false_positive_rate) / (std::log(2.0) * std::log(2.0));
  const uint64_t bits = std::bit_ceil(std::max<uint64_t>(64, static_cast<uint64_t>(bits_wanted)));
  hashes = std::max(1u, static_cast<unsigned>(std::lround(-std::log2(false_positive_rate))));
  bit_mask = bits - 1;
  words = std::make_unique<std::atomic<uint64_t>[]>(bits / 64);
}

bool KeyFilter::Layer::MayContain(uint64_t h1, uint64_t h2) const {
  for (unsigned i = 0; i < hashes; ++i) {  // double hashing (Kirsch and Mitzenmacher)
    const uint64_t bit = (h1 + i * h2) & bit_mask;
    if ((words[bit / 64].load(std::memory_order_relaxed) & (uint64_t{1} << (bit % 64))) == 0) return false;
  }
  return true;
}

void KeyFilter::Layer::Add(uint64_t h1, uint64_t h2) {
  for (unsigned i = 0; i < hashes; ++i) {
    const uint64_t bit = (h1 + i * h2) & bit_mask;
    words[bit / 64].fetch_or(uint64_t{1} << (bit % 64), std::memory_order_relaxed);
  }
  count.fetch_add(1, std::memory_order_relaxed);
}

KeyFilter::KeyFilter(KeyFilterOptions options) : m_options(options) {
  auto first = std::make_unique<Layer>(m_options.first_capacity, m_options.false_positive_rate);
  m_bytes = (first->bit_mask + 1) / 8;
  m_layers.push_back(std::move(first));
}

bool KeyFilter::GrowIfFull() {
  std::unique_lock lock(m_mutex);
  const Layer& last = *m_layers.back();
  if (last.count.load(std::memory_order_relaxed) < last.capacity) return true;
  if (m_saturated.load(std::memory_order_relaxed)) return false;
  const size_t layer = m_layers.size();
  auto next = std::make_unique<Layer>(last.capacity * 2, m_options.false_positive_rate / std::pow(2.0, layer));
  const size_t next_bytes = (next->bit_mask + 1) / 8;
  if (m_bytes + next_bytes > m_options.max_bytes) {
    m_saturated.store(true, std::memory_order_release);
    return false;
  }
  m_bytes += next_bytes;
  m_layers.push_back(std::move(next));
  return true;
}

void KeyFilter::Add(std::string_view key) {
  if (saturated()) return;
  const uint64_t h1 = std::hash<std::string_view>{}(key);
  const uint64_t h2 = Mix(h1) | 1;  // odd: the probe sequence visits distinct bits
  for (;;) {
    {
      std::shared_lock lock(m_mutex);
      Layer& last = *m_layers.back();
      if (last.count.load(std::memory_order_relaxed) < last.capacity) {
        last.Add(h1, h2);
        return;
      }
    }
    if (!GrowIfFull()) return;
  }
}

bool KeyFilter::MayContain(std::string_view key) const {
  if (saturated()) return true;
  const uint64_t h1 = std::hash<std::string_view>{}(key);
  const uint64_t h2 = Mix(h1) | 1;
  std::shared_lock lock(m_mutex);
  for (const auto& layer : m_layers) {
    if (layer->MayContain(h1, h2)) return true;
  }
  return false;
}

size_t KeyFilter::bytes() const {
  std::shared_lock lock(m_mutex);
  return m_bytes;
}

size_t KeyFilter::layers() const {
  std::shared_lock lock(m_mutex);
  return m_layers.size();
}

}  // namespace rowchain
