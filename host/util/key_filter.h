// A set of strings that answers "maybe held" or "certainly not held": a scalable Bloom filter
// (Almeida et al., "Scalable Bloom Filters", 2007). It grows by adding layers, each twice the
// capacity of the last with half its false-positive rate, so the whole stays below twice the
// first layer's rate however many keys come. Keys are never removed. Past `max_bytes` it stops
// growing and answers "maybe" for everything, which is still a correct superset.
//
// Thread-safe: Add and MayContain run concurrently (bits are set with atomic ORs).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string_view>
#include <vector>

namespace rowchain {

struct KeyFilterOptions {
  size_t first_capacity = 1 << 16;      // keys in the first layer
  double false_positive_rate = 0.005;   // of the first layer
  size_t max_bytes = 64 << 20;
};

class KeyFilter {
 public:
  explicit KeyFilter(KeyFilterOptions options = {});
  KeyFilter(const KeyFilter&) = delete;
  KeyFilter& operator=(const KeyFilter&) = delete;

  void Add(std::string_view key);
  // False only when `key` was never added.
  bool MayContain(std::string_view key) const;

  size_t bytes() const;
  size_t layers() const;
  bool saturated() const { return m_saturated.load(std::memory_order_acquire); }

 private:
  struct Layer {
    Layer(size_t capacity, double false_positive_rate);
    bool MayContain(uint64_t h1, uint64_t h2) const;
    void Add(uint64_t h1, uint64_t h2);

    size_t capacity;
    unsigned hashes;
    uint64_t bit_mask;  // bits - 1; the bit count is a power of two
    std::unique_ptr<std::atomic<uint64_t>[]> words;
    std::atomic<size_t> count{0};
  };
  // Adds a layer when the last one is full; false once the byte budget is spent.
  bool GrowIfFull();

  const KeyFilterOptions m_options;
  mutable std::shared_mutex m_mutex;  // guards m_layers (the vector); bits are atomic
  std::vector<std::unique_ptr<Layer>> m_layers;
  size_t m_bytes = 0;
  std::atomic<bool> m_saturated{false};
};

}  // namespace rowchain
