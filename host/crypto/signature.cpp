#include "crypto/signature.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

namespace rowchain::crypto {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

KeyPtr ReadPem(const std::string& pem, bool private_key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  EVP_PKEY* key = private_key ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                              : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  return KeyPtr(key);
}

StatusOr<PublicKey> RawPublicKey(EVP_PKEY* key) {
  PublicKey out{};
  size_t size = out.size();
  if (EVP_PKEY_get_raw_public_key(key, out.data(), &size) != 1 || size != out.size()) {
    return InvalidArgumentError("not an Ed25519 key");
  }
  return out;
}

}  // namespace

StatusOr<SigningKey> SigningKey::FromPem(const std::string& pem) {
  KeyPtr key = ReadPem(pem, true);
  if (!key || EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) {
    return InvalidArgumentError("not an Ed25519 private key in PEM form (make one with: openssl genpkey -algorithm ed25519)");
  }
  return SigningKey(key.release());
}

SigningKey::SigningKey(SigningKey&& other) noexcept : m_key(other.m_key) { other.m_key = nullptr; }
SigningKey& SigningKey::operator=(SigningKey&& other) noexcept {
  std::swap(m_key, other.m_key);
  return *this;
}
SigningKey::~SigningKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(m_key)); }

PublicKey SigningKey::public_key() const { return *RawPublicKey(static_cast<EVP_PKEY*>(m_key)); }

StatusOr<Signature> SigningKey::Sign(std::span<const uint8_t> message) const {
  std::unique_ptr<EVP_MD_CTX, MdFree> ctx(EVP_MD_CTX_new());
  Signature out{};
  size_t size = out.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, static_cast<EVP_PKEY*>(m_key)) != 1 ||
      EVP_DigestSign(ctx.get(), out.data(), &size, message.data(), message.size()) != 1 || size != out.size()) {
    return InternalError("Ed25519 signing failed");
  }
  return out;
}

StatusOr<PublicKey> PublicKeyFromPem(const std::string& pem) {
  KeyPtr key = ReadPem(pem, false);
  if (!key) key = ReadPem(pem, true);
  if (!key || EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) {
    return InvalidArgumentError("not an Ed25519 public key in PEM form (make one with: openssl pkey -pubout)");
  }
  return RawPublicKey(key.get());
}

bool VerifySignature(const PublicKey& key, std::span<const uint8_t> message, const Signature& signature) {
  KeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
  std::unique_ptr<EVP_MD_CTX, MdFree> ctx(EVP_MD_CTX_new());
  return pkey && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
}

}  // namespace rowchain::crypto
