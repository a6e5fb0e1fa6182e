// Checks every backend makes the same way: the request's range, and the CPU re-hash of a
// candidate nonce with OpenSSL. Pure functions; thread-safe.
#pragma once

#include "consensus/block_header.h"
#include "mining/miner.h"

namespace rowchain::mining {

// INVALID_ARGUMENT when first_nonce + count runs past 2^32.
Status CheckSearchRange(const SearchRequest& request);

// SHA-256d (OpenSSL) of the header bytes with `nonce` written in.
consensus::Hash256 HashWithNonce(consensus::HeaderBytes header, uint32_t nonce);

}  // namespace rowchain::mining
