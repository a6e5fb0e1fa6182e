// Building valid (or deliberately invalid) blocks for tests on the regtest chain: rows as
// row-operation leaves, headers on any parent, mined with one CPU thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "consensus/block.h"
#include "consensus/chain_params.h"
#include "mining/miner.h"

namespace rowchain::testing {

consensus::ChainParams RegtestParams();
consensus::BatchId Batch(uint64_t n);

consensus::RowOperation UserInsert(const consensus::BatchId& batch, uint32_t index, int64_t id, std::string name,
                                   int64_t age);
consensus::RowOperation UserUpdate(const consensus::BatchId& batch, uint32_t index, int64_t id, std::string name,
                                   int64_t age);
consensus::RowOperation UserDelete(const consensus::BatchId& batch, uint32_t index, int64_t id);

class TestChain {
 public:
  explicit TestChain(consensus::ChainParams params);
  const consensus::ChainParams& params() const { return m_params; }
  const consensus::Block& genesis() const { return m_genesis; }

  // A mined block on `parent` (height parent_height + 1, time parent time + 1 unless given).
  consensus::Block Mine(const consensus::Block& parent, uint64_t parent_height,
                        const std::vector<consensus::RowOperation>& rows, uint64_t extra_nonce = 0,
                        uint32_t time = 0);
  // Leaves of rows.
  static std::vector<consensus::Leaf> Leaves(const std::vector<consensus::RowOperation>& rows);

 private:
  consensus::ChainParams m_params;
  consensus::Block m_genesis;
  std::unique_ptr<mining::Miner> m_miner;
};

}  // namespace rowchain::testing
