// Ed25519 signatures (RFC 8032) through OpenSSL, for what is signed outside the chain itself:
// the tip digests an auditor keeps apart from the database (`rowchain digest`). Keys are read
// from PEM files as `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` write them.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "util/status.h"

namespace rowchain::crypto {

using PublicKey = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;

// An Ed25519 private key, held in OpenSSL. Move-only.
class SigningKey {
 public:
  // INVALID_ARGUMENT when the PEM text is not an Ed25519 private key.
  static StatusOr<SigningKey> FromPem(const std::string& pem);
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  PublicKey public_key() const;
  StatusOr<Signature> Sign(std::span<const uint8_t> message) const;

 private:
  explicit SigningKey(void* key) : m_key(key) {}
  void* m_key;  // EVP_PKEY*
};

// INVALID_ARGUMENT when the PEM text is not an Ed25519 public key (or a private one, whose
// public half is taken).
StatusOr<PublicKey> PublicKeyFromPem(const std::string& pem);

bool VerifySignature(const PublicKey& key, std::span<const uint8_t> message, const Signature& signature);

}  // namespace rowchain::crypto
