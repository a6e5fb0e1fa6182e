// The packed storage form of a list of leaves (a block body, a pending batch's rows, an undo
// image): what the node writes into its LONGBLOB columns. It holds exactly the same leaves as
// the plain framing of docs/format.md, in about a third of the bytes, because a run of row
// operations of one batch and table stores the batch id, table and row index once, and integers
// and lengths as varints; a large list is then compressed with zstd, which finds what repeats
// across rows (about a quarter of the packed size for the benchmark's rows). Every byte the
// server writes costs time on the commit path, and a row's bytes are otherwise written twice
// (ledger table and body).
//
// This form is never hashed: unpacking gives back the leaves byte for byte, and the Merkle root
// is computed over those. Readers accept both forms, so databases written before it stay
// readable. Layout in docs/format.md ("Block body: storage and wire form").
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "consensus/block.h"
#include "util/status.h"

namespace rowchain::store {

// Any leaves at all; a leaf that is not a well-formed row operation is kept as it is.
std::vector<uint8_t> PackLeaves(std::span<const consensus::Leaf> leaves);

// Either form. INVALID_ARGUMENT when the bytes are neither (a damaged column).
StatusOr<std::vector<consensus::Leaf>> UnpackLeaves(std::span<const uint8_t> bytes);

}  // namespace rowchain::store
