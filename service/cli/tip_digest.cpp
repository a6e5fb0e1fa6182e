#include "cli/tip_digest.h"

#include <openssl/crypto.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/hex.h"
#include "util/utc_time.h"

namespace rowchain::cli {
namespace {

std::span<const uint8_t> BytesOf(const std::string& s) {
  return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

template <size_t N>
StatusOr<std::array<uint8_t, N>> FixedHex(const nlohmann::json& j, const char* field) {
  auto bytes = HexDecode(j.at(field).get<std::string>());
  if (!bytes.ok() || bytes->size() != N) {
    return InvalidArgumentError(fmt::format("the digest's {} is not {} bytes of hex", field, N));
  }
  std::array<uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

StatusOr<consensus::Hash256> HashField(const nlohmann::json& j, const char* field) {
  auto hash = consensus::FromDisplayHex(j.at(field).get<std::string>());
  if (!hash.ok()) return InvalidArgumentError(fmt::format("the digest's {} is not a block hash", field));
  return *hash;
}

StatusOr<TipDigest> Fields(const nlohmann::json& j) {
  if (!j.is_object() || j.value("format", "") != kTipDigestFormat) {
    return InvalidArgumentError(fmt::format("not a tip digest (no \"format\": \"{}\")", kTipDigestFormat));
  }
  TipDigest d;
  d.tip.chain_name = j.at("chain").get<std::string>();
  auto genesis = HashField(j, "genesis");
  auto hash = HashField(j, "hash");
  if (!genesis.ok()) return genesis.status();
  if (!hash.ok()) return hash.status();
  d.tip.genesis = *genesis;
  d.tip.hash = *hash;
  d.tip.height = j.at("height").get<uint64_t>();
  d.tip.block_time = j.at("block_time").get<int64_t>();
  d.created = j.at("created").get<int64_t>();
  return d;
}

}  // namespace

std::string SignedText(const TipDigest& d) {
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}\n", kTipDigestFormat, d.tip.chain_name,
                     consensus::ToDisplayHex(d.tip.genesis), d.tip.height, consensus::ToDisplayHex(d.tip.hash),
                     d.tip.block_time, d.created);
}

StatusOr<std::string> WriteTipDigest(const TipDigest& d, const crypto::SigningKey& key) {
  std::string text = SignedText(d);
  auto signature = key.Sign(BytesOf(text));
  if (!signature.ok()) return signature.status();
  nlohmann::json j = {{"format", kTipDigestFormat},
                      {"chain", d.tip.chain_name},
                      {"genesis", consensus::ToDisplayHex(d.tip.genesis)},
                      {"height", d.tip.height},
                      {"hash", consensus::ToDisplayHex(d.tip.hash)},
                      {"block_time", d.tip.block_time},
                      {"block_time_iso", IsoUtc(d.tip.block_time)},
                      {"created", d.created},
                      {"created_iso", IsoUtc(d.created)},
                      {"public_key", HexEncode(key.public_key())},
                      {"signature", HexEncode(*signature)}};
  return j.dump(2) + "\n";
}

StatusOr<TipDigest> ReadTipDigest(const std::string& text, const crypto::PublicKey& trusted) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return InvalidArgumentError("the digest file is not JSON");
  try {
    auto digest = Fields(j);
    if (!digest.ok()) return digest.status();
    auto key = FixedHex<32>(j, "public_key");
    auto signature = FixedHex<64>(j, "signature");
    if (!key.ok()) return key.status();
    if (!signature.ok()) return signature.status();
    if (CRYPTO_memcmp(key->data(), trusted.data(), trusted.size()) != 0) {
      return InvalidArgumentError("the digest was signed with another key than the one given");
    }
    if (!crypto::VerifySignature(trusted, BytesOf(SignedText(*digest)), *signature)) {
      return InvalidArgumentError("the digest's signature does not verify: the digest was altered");
    }
    return digest;
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(fmt::format("the digest file lacks a field or has one of the wrong type ({})",
                                            e.what()));
  }
}

}  // namespace rowchain::cli
