#include "mining/cpu_miner.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "consensus/pow.h"
#include "metrics/metrics.h"
#include "mining/search_checks.h"

namespace rowchain::mining {
namespace {

// Small enough that even the portable path finishes a chunk in a few milliseconds, so a stop
// request (checked between chunks) is honoured well within 10 ms.
constexpr uint64_t kChunkNonces = 1 << 14;

// The full check behind a candidate: the whole 256-bit hash, computed by OpenSSL.
bool ConfirmWithOpenSsl(const consensus::HeaderBytes& bytes, uint32_t nonce,
                        const consensus::U256& target, consensus::Hash256* hash) {
  *hash = HashWithNonce(bytes, nonce);
  return consensus::HashMeetsTarget(*hash, target);
}

void AtomicMin(std::atomic<uint64_t>& slot, uint64_t value) {
  uint64_t current = slot.load();
  while (value < current && !slot.compare_exchange_weak(current, value)) {
  }
}

}  // namespace

CpuMiner::CpuMiner(crypto::ScanPath path, unsigned threads) : m_path(path), m_threads(threads) {}

std::string CpuMiner::Describe() const {
  return fmt::format("cpu ({}, {} thread{})", crypto::ScanPathName(m_path), m_threads,
                     m_threads == 1 ? "" : "s");
}

StatusOr<SearchResult> CpuMiner::Search(const SearchRequest& request, std::stop_token stop) {
  ROWCHAIN_RETURN_IF_ERROR(CheckSearchRange(request));
  const consensus::HeaderBytes bytes = request.header.Serialize();
  const crypto::NonceScanJob job = crypto::PrepareNonceScan(bytes, request.target.Limb(7));

  constexpr uint64_t kNone = UINT64_MAX;
  std::atomic<uint64_t> next_chunk{0};
  std::atomic<uint64_t> best_offset{kNone};  // lowest winning offset from first_nonce
  std::atomic<uint64_t> hashes{0};
  std::atomic<bool> stopped{false};

  // Counted per chunk, so the hash rate a scrape sees is never more than a chunk old.
  metrics::Counter& hash_counter = metrics::Get().hashes.Add({{"backend", "cpu"}, {"device", "cpu"}});
  auto worker = [&] {
    uint64_t local_hashes = 0;
    for (;;) {
      const uint64_t counted = local_hashes;
      const uint64_t begin = next_chunk.fetch_add(1) * kChunkNonces;
      // Chunks are claimed in order, so once a win is known no later chunk can beat it.
      if (begin >= request.count || begin > best_offset.load()) break;
      if (stop.stop_requested()) {
        stopped = true;
        break;
      }
      const uint64_t end = std::min(request.count, begin + kChunkNonces);
      for (uint64_t at = begin; at < end;) {
        crypto::NonceScanResult r = crypto::ScanNonces(
            m_path, job, request.first_nonce + static_cast<uint32_t>(at), end - at);
        if (!r.candidate) {
          local_hashes += r.nonces_scanned;
          break;
        }
        const uint64_t offset = *r.candidate - request.first_nonce;
        local_hashes += offset - at + 1;
        consensus::Hash256 unused;
        if (ConfirmWithOpenSsl(bytes, *r.candidate, request.target, &unused)) {
          AtomicMin(best_offset, offset);
          break;
        }
        at = offset + 1;  // the top word tied the target's but the full hash is above it
      }
      hash_counter.Increment(static_cast<double>(local_hashes - counted));
    }
    hashes += local_hashes;
  };

  {
    std::vector<std::jthread> helpers;
    for (unsigned i = 1; i < m_threads; ++i) helpers.emplace_back(worker);
    worker();
  }

  SearchResult result;
  result.hashes = hashes.load();
  if (best_offset.load() != kNone) {
    uint32_t nonce = request.first_nonce + static_cast<uint32_t>(best_offset.load());
    ConfirmWithOpenSsl(bytes, nonce, request.target, &result.hash);
    result.nonce = nonce;
  } else {
    result.cancelled = stopped.load();
  }
  return result;
}

}  // namespace rowchain::mining
