// The offline check of a saved row proof (`rowchain verify-proof`): the proof's header meets its
// own bits, and the audit path leads from the leaf to the header's Merkle root (and, with
// `expected_block`, the header is that block). Pure; also a fuzz target's subject.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "consensus/hash.h"
#include "consensus/row_operation.h"
#include "rowchain/v1/ledger.pb.h"
#include "util/status.h"

namespace rowchain::cli {

struct ProofCheck {
  consensus::Hash256 block_hash{};
  std::optional<consensus::RowOperation> row;
  std::vector<std::string> problems;  // empty: the proof holds
};

// INVALID_ARGUMENT when the proof cannot even be read (bad hex, bad header); otherwise the
// problems found.
StatusOr<ProofCheck> CheckProof(const v1::RowProof& proof, const std::string& expected_block);

}  // namespace rowchain::cli
