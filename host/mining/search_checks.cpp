#include "mining/search_checks.h"

#include <fmt/format.h>

#include "crypto/sha256.h"

namespace rowchain::mining {

Status CheckSearchRange(const SearchRequest& request) {
  if (request.count > kNonceSpace - request.first_nonce) {
    return InvalidArgumentError(fmt::format("nonce range [{}, {}+{}) runs past 2^32",
                                            request.first_nonce, request.first_nonce, request.count));
  }
  return OkStatus();
}

consensus::Hash256 HashWithNonce(consensus::HeaderBytes header, uint32_t nonce) {
  for (int i = 0; i < 4; ++i) header[consensus::kNonceOffset + i] = static_cast<uint8_t>(nonce >> (8 * i));
  return crypto::Sha256d(header);
}

}  // namespace rowchain::mining
