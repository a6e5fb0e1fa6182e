// The CPU backend: every given thread scans chunks of the range with the fastest
// self-tested instruction-set path (crypto/nonce_scan.h). Internal to the mining library;
// reach it through CreateMiner.
#pragma once

#include "crypto/nonce_scan.h"
#include "mining/miner.h"

namespace rowchain::mining {

class CpuMiner final : public Miner {
 public:
  // Precondition: crypto::ScanPathUsable(path).ok(), threads >= 1.
  CpuMiner(crypto::ScanPath path, unsigned threads);

  std::string backend() const override { return "cpu"; }
  std::string Describe() const override;
  StatusOr<SearchResult> Search(const SearchRequest& request, std::stop_token stop) override;

 private:
  const crypto::ScanPath m_path;
  const unsigned m_threads;
};

}  // namespace rowchain::mining
