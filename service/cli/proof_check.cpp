#include "cli/proof_check.h"

#include "consensus/block_header.h"
#include "consensus/compact.h"
#include "consensus/hash.h"
#include "consensus/merkle.h"
#include "consensus/pow.h"
#include "util/hex.h"

namespace rowchain::cli {

namespace pb = ::rowchain::v1;

StatusOr<ProofCheck> CheckProof(const pb::RowProof& proof, const std::string& expected_block) {
  auto header = consensus::ParseBlockHeaderHex(proof.header().raw_hex());
  if (!header.ok()) return InvalidArgumentError("header: " + header.status().message());
  auto leaf = HexDecode(proof.leaf_hex());
  if (!leaf.ok()) return InvalidArgumentError("leaf_hex is not hex");
  std::vector<consensus::Hash256> path;
  for (const std::string& node_hex : proof.audit_path()) {
    auto h = consensus::FromInternalHex(node_hex);
    if (!h.ok()) return InvalidArgumentError("audit_path holds a bad hash");
    path.push_back(*h);
  }
  ProofCheck check;
  check.block_hash = header->Hash();
  if (!expected_block.empty() && consensus::ToDisplayHex(check.block_hash) != expected_block) {
    check.problems.push_back("the header is not block " + expected_block);
  }
  consensus::U256 target = consensus::DecodeCompact(header->bits).target;
  if (!consensus::HashMeetsTarget(check.block_hash, target)) check.problems.push_back("the header does not meet its own target");
  const consensus::Hash256 leaf_hash = consensus::MerkleLeafHash(*leaf);
  if (!consensus::VerifyMerkleInclusion(leaf_hash, proof.leaf_index(), proof.tree_size(), path, header->merkle_root)) {
    check.problems.push_back("the audit path does not lead to the header's Merkle root");
  }
  auto row = consensus::DecodeRowOperationLeaf(*leaf);
  if (row.ok()) {
    check.row = std::move(*row);
  } else {
    check.problems.push_back("the leaf is not a row operation");
  }
  return check;
}

}  // namespace rowchain::cli
