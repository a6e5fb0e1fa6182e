// Who searches a block's nonce space: the node's own miner (LocalSearcher), remote workers
// (farm::JobServer), or both at once (FirstOfSearchers). The mining loop hands each template to
// one JobSearcher and does not know which. Thread-safe as each implementation says.
#pragma once

#include <optional>
#include <stop_token>

#include "consensus/block.h"
#include "consensus/uint256.h"
#include "mining/block_assembly.h"
#include "mining/miner.h"

namespace rowchain::mining {

class JobSearcher {
 public:
  virtual ~JobSearcher() = default;
  // The sealed block, or nullopt when `stop` came first. One Search at a time.
  virtual StatusOr<std::optional<consensus::Block>> Search(const BlockSpec& spec, std::stop_token stop) = 0;
  // The main chain's tip is now `tip` (called before the search on the old tip is stopped), so
  // a searcher with remote hashers can tell them at once.
  virtual void NoteTipChanged(const consensus::Hash256& /*tip*/) {}
};

// The node's own miner.
class LocalSearcher final : public JobSearcher {
 public:
  LocalSearcher(Miner& miner, const consensus::U256& pow_limit) : m_miner(miner), m_pow_limit(pow_limit) {}
  StatusOr<std::optional<consensus::Block>> Search(const BlockSpec& spec, std::stop_token stop) override {
    return MineBlock(m_miner, spec, m_pow_limit, stop);
  }

 private:
  Miner& m_miner;
  consensus::U256 m_pow_limit;
};

// Two searchers on the same template at once (the local miner and the workers: their
// extra-nonce ranges never meet, docs/farm.md); the first block found stops the other.
class FirstOfSearchers final : public JobSearcher {
 public:
  FirstOfSearchers(JobSearcher& first, JobSearcher& second) : m_first(first), m_second(second) {}
  StatusOr<std::optional<consensus::Block>> Search(const BlockSpec& spec, std::stop_token stop) override;
  void NoteTipChanged(const consensus::Hash256& tip) override {
    m_first.NoteTipChanged(tip);
    m_second.NoteTipChanged(tip);
  }

 private:
  JobSearcher& m_first;
  JobSearcher& m_second;
};

}  // namespace rowchain::mining
