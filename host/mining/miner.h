// The nonce-search interface every mining backend implements (CPU paths here, CUDA in
// kernels/), and the factory that picks one. Callers see only Miner; backends are chosen by
// name ("cpu", "cuda", "auto") at run time.
//
// Thread safety: one Search at a time per Miner (a Miner uses all the threads or devices it
// was given); cancellation through the std::stop_token may come from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "consensus/block_header.h"
#include "consensus/uint256.h"
#include "util/status.h"

namespace rowchain::mining {

inline constexpr uint64_t kNonceSpace = uint64_t{1} << 32;

struct SearchRequest {
  consensus::BlockHeader header;  // its nonce field is ignored
  consensus::U256 target;         // a hash wins when, read little-endian, it is <= target
  uint32_t first_nonce = 0;
  uint64_t count = kNonceSpace;   // first_nonce + count <= 2^32
};

struct SearchResult {
  std::optional<uint32_t> nonce;  // the lowest winning nonce of the range, if any
  consensus::Hash256 hash{};      // its block hash, recomputed with OpenSSL
  uint64_t hashes = 0;            // nonces hashed
  bool cancelled = false;         // stopped before the range was exhausted
};

class Miner {
 public:
  Miner() = default;
  Miner(const Miner&) = delete;
  Miner& operator=(const Miner&) = delete;
  virtual ~Miner() = default;

  // "cpu" or "cuda".
  virtual std::string backend() const = 0;
  // Human description, e.g. "cpu (avx512, 2 threads)".
  virtual std::string Describe() const = 0;

  // Searches the range for the lowest nonce whose header hash meets the target. Every nonce
  // reported has been re-checked with OpenSSL's SHA-256. Returns within 10 ms of a stop
  // request, with cancelled set. INVALID_ARGUMENT for a range past 2^32.
  virtual StatusOr<SearchResult> Search(const SearchRequest& request, std::stop_token stop) = 0;
};

struct MinerOptions {
  std::string backend = "auto";         // "auto", "cpu" or "cuda"
  unsigned threads = 0;                 // CPU threads; 0 = every core
  std::optional<std::string> cpu_path;  // force a CPU scan path ("avx512", "sha-ni", ...)
  std::vector<int> devices;             // GPU ordinals; empty = all visible
};

struct MinerChoice {
  std::unique_ptr<Miner> miner;
  std::string reason;  // why this backend, for the one log line the daemon writes
};

// INVALID_ARGUMENT for an unknown backend or path; FAILED_PRECONDITION when the requested
// backend or path cannot run here (the message names the cause).
StatusOr<MinerChoice> CreateMiner(const MinerOptions& options);

}  // namespace rowchain::mining
