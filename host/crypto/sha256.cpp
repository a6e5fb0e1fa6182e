#include "crypto/sha256.h"

#include <openssl/sha.h>

namespace rowchain::crypto {

Digest Sha256(std::span<const uint8_t> data) {
  Digest out;
  SHA256(data.data(), data.size(), out.data());
  return out;
}

Digest Sha256d(std::span<const uint8_t> data) {
  Digest first = Sha256(data);
  return Sha256(first);
}

Digest Sha256Parts(std::span<const std::span<const uint8_t>> parts) {
  // The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP, but EVP
  // allocates a context per call; a stack context is what a Merkle tree of many small
  // nodes wants.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  for (auto part : parts) SHA256_Update(&ctx, part.data(), part.size());
  Digest out;
  SHA256_Final(out.data(), &ctx);
#pragma GCC diagnostic pop
  return out;
}

}  // namespace rowchain::crypto
