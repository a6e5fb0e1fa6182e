// A signed digest of a chain's tip (`rowchain digest`), kept away from the node so that an audit
// (`rowchain verify --digest`) can tell a database cut back or re-mined at its top, which is
// otherwise self-consistent. In the spirit of Azure SQL's ledger digests and Oracle's signed
// digests. The file is JSON; what is signed is SignedText (docs/format.md). Pure.
#pragma once

#include <cstdint>
#include <string>

#include "consensus/hash.h"
#include "crypto/signature.h"
#include "store/auditor.h"
#include "util/status.h"

namespace rowchain::cli {

inline constexpr char kTipDigestFormat[] = "rowchain-tip-digest/1";

struct TipDigest {
  store::StoredTip tip;
  int64_t created = 0;  // Unix seconds when it was signed
};

// The exact bytes signed: the format, then each field on its own line, hashes in display hex.
std::string SignedText(const TipDigest& digest);

// The digest file: the fields, their ISO 8601 times, the public key and the signature.
StatusOr<std::string> WriteTipDigest(const TipDigest& digest, const crypto::SigningKey& key);

// INVALID_ARGUMENT, one line, when the text is not a digest file, was signed with another key
// than `trusted`, or does not verify (altered).
StatusOr<TipDigest> ReadTipDigest(const std::string& text, const crypto::PublicKey& trusted);

}  // namespace rowchain::cli
