// What the links of one node are fetching, so that a catch-up draws blocks from all its peers
// in parallel without asking two peers for the same block: a link claims a block before it
// asks for it (a claim lapses after a while, so a dead link holds nothing for long). Blocks
// that arrive before their parent (fetched by another link) wait here, bounded, until the
// parent is connected. The parked blocks are bounded in bytes (a peer can send blocks of up to
// max_block_bytes each before any is checked). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <vector>

#include "consensus/block.h"
#include "util/clock.h"

namespace rowchain::peer {

class DownloadBook {
 public:
  explicit DownloadBook(std::chrono::milliseconds claim_lifetime = std::chrono::seconds(10),
                        uint64_t max_parked_bytes = 64ull << 20, SteadyClock clock = SystemSteadyClock())
      : m_lifetime(claim_lifetime), m_max_parked_bytes(max_parked_bytes), m_clock(std::move(clock)) {}

  // True when `link` may ask for the block: nobody (itself included) is fetching it or holding
  // it parked.
  bool TryClaim(const consensus::Hash256& hash, uint64_t link);
  // Being fetched by some link, or received and parked: it will be connected without asking.
  bool Expected(const consensus::Hash256& hash);
  void Release(const consensus::Hash256& hash, uint64_t link);
  // The node has the block: nobody needs to fetch it.
  void Forget(const consensus::Hash256& hash);
  void ReleaseAll(uint64_t link);

  // A block whose parent is being fetched; the oldest are dropped past the bound (a block larger
  // than the whole bound is not kept: it is fetched again once its parent is connected).
  void Park(consensus::Block block);
  // The parked blocks whose parent is `parent` (removed from the book).
  std::vector<consensus::Block> TakeChildren(const consensus::Hash256& parent);

 private:
  struct Claim {
    uint64_t link = 0;
    std::chrono::steady_clock::time_point at;
  };
  bool LiveLocked(const consensus::Hash256& hash, uint64_t* owner);
  bool ParkedLocked(const consensus::Hash256& hash) const;

  std::mutex m_mutex;
  const std::chrono::milliseconds m_lifetime;
  const uint64_t m_max_parked_bytes;
  uint64_t m_parked_bytes = 0;
  const SteadyClock m_clock;
  std::map<consensus::Hash256, Claim> m_claims;
  std::multimap<consensus::Hash256, consensus::Block> m_parked;  // by parent hash
  std::deque<consensus::Hash256> m_parked_order;                 // block hashes, oldest first
};

}  // namespace rowchain::peer
