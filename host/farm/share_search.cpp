#include "farm/share_search.h"

#include <algorithm>
#include <chrono>

#include "consensus/compact.h"
#include "consensus/pow.h"

namespace rowchain::farm {

namespace {

constexpr uint64_t kFirstChunk = uint64_t{1} << 20;
constexpr auto kChunkTime = std::chrono::milliseconds(200);

// Grows or shrinks the chunk toward kChunkTime of hashing.
uint64_t NextChunk(uint64_t chunk, std::chrono::steady_clock::duration took) {
  if (took < kChunkTime / 2) return std::min<uint64_t>(chunk * 2, mining::kNonceSpace);
  if (took > kChunkTime * 2) return std::max<uint64_t>(chunk / 2, 1 << 16);
  return chunk;
}

}  // namespace

std::pair<uint64_t, uint64_t> SliceOfRange(const WorkerJob& job, size_t index, size_t count) {
  const uint64_t each = job.extra_nonce_count / std::max<size_t>(count, 1);
  const uint64_t first = job.extra_nonce_first + each * index;
  return {first, index + 1 == count ? job.extra_nonce_count - each * index : each};
}

Status SearchSlice(mining::Miner& miner, const SliceSearch& search, std::stop_token stop) {
  const consensus::BlockTemplate block_template = search.job->Template();
  const consensus::U256 block_target = consensus::DecodeCompact(search.job->header.bits).target;
  uint64_t chunk = kFirstChunk;
  for (uint64_t i = 0; i < search.extra_nonce_count && !stop.stop_requested(); ++i) {
    const uint64_t extra_nonce = search.first_extra_nonce + i;
    mining::SearchRequest request{block_template.HeaderForExtraNonce(extra_nonce), {}, 0, 0};
    uint64_t next_nonce = 0;
    while (next_nonce < mining::kNonceSpace && !stop.stop_requested()) {
      request.target = search.share_target->Get();
      request.first_nonce = static_cast<uint32_t>(next_nonce);
      request.count = std::min(chunk, mining::kNonceSpace - next_nonce);
      const auto start = std::chrono::steady_clock::now();
      StatusOr<mining::SearchResult> r = miner.Search(request, stop);
      if (!r.ok()) return r.status();
      search.hashes->fetch_add(r->hashes, std::memory_order_relaxed);
      chunk = NextChunk(chunk, std::chrono::steady_clock::now() - start);
      if (r->cancelled) break;
      if (!r->nonce) {
        next_nonce += request.count;
        continue;
      }
      search.on_share({search.job->id, extra_nonce, *r->nonce, r->hash, consensus::HashMeetsTarget(r->hash, block_target)});
      next_nonce = uint64_t{*r->nonce} + 1;
    }
  }
  return OkStatus();
}

}  // namespace rowchain::farm
