#include "test_chain.h"

#include <gtest/gtest.h>

#include "chain/chain_config.h"
#include "mining/block_assembly.h"

namespace rowchain::testing {

using consensus::RowOpKind;
using consensus::Value;

consensus::ChainParams RegtestParams() {
  auto params = chain::LoadChain("regtest");
  EXPECT_TRUE(params.ok()) << params.status().ToString();
  return *params;
}

consensus::BatchId Batch(uint64_t n) {
  consensus::BatchId id{};
  for (int i = 0; i < 8; ++i) id[i] = static_cast<uint8_t>(n >> (8 * i));
  id[15] = 0x7e;
  return id;
}

consensus::RowOperation UserInsert(const consensus::BatchId& batch, uint32_t index, int64_t id, std::string name,
                                   int64_t age) {
  return {.batch_id = batch, .row_index = index, .op = RowOpKind::kInsert, .table = "users",
          .values = {Value::Int(id), Value::Text(std::move(name)), Value::Int(age)}};
}

consensus::RowOperation UserUpdate(const consensus::BatchId& batch, uint32_t index, int64_t id, std::string name,
                                   int64_t age) {
  auto row = UserInsert(batch, index, id, std::move(name), age);
  row.op = RowOpKind::kUpdate;
  return row;
}

consensus::RowOperation UserDelete(const consensus::BatchId& batch, uint32_t index, int64_t id) {
  return {.batch_id = batch, .row_index = index, .op = RowOpKind::kDelete, .table = "users", .values = {Value::Int(id)}};
}

TestChain::TestChain(consensus::ChainParams params)
    : m_params(std::move(params)), m_genesis(consensus::MakeGenesisBlock(m_params)) {
  auto miner = mining::CreateMiner({.backend = "cpu", .threads = 1, .cpu_path = std::nullopt, .devices = {}});
  EXPECT_TRUE(miner.ok()) << miner.status().ToString();
  m_miner = std::move(miner->miner);
}

std::vector<consensus::Leaf> TestChain::Leaves(const std::vector<consensus::RowOperation>& rows) {
  std::vector<consensus::Leaf> leaves;
  for (const auto& row : rows) leaves.push_back(consensus::EncodeRowOperationLeaf(row));
  return leaves;
}

consensus::Block TestChain::Mine(const consensus::Block& parent, uint64_t parent_height,
                                 const std::vector<consensus::RowOperation>& rows, uint64_t extra_nonce,
                                 uint32_t time) {
  mining::BlockSpec spec{.prev_hash = parent.Hash(), .height = parent_height + 1, .bits = m_params.genesis.bits,
                         .time = time != 0 ? time : parent.header.time + 1, .miner_id = "test", .rows = Leaves(rows),
                         .first_extra_nonce = extra_nonce};
  auto block = mining::MineBlock(*m_miner, spec, m_params.PowLimit(), {});
  EXPECT_TRUE(block.ok() && block->has_value());
  return **block;
}

}  // namespace rowchain::testing
